"""打击侵权假冒工作考核评分引擎 (scoring engine for the annual anti-counterfeiting assessment)."""

from importlib import metadata

try:
    __version__ = metadata.version("scoring")  # pyproject.toml is the one place the version is set
except metadata.PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0+unknown"
