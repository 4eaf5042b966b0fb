"""What the code was when a run was made: engine version, git commit, library versions."""

from __future__ import annotations

import platform
import shutil
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from scoring import __version__

LIBRARIES = ("pydantic", "openpyxl", "weasyprint", "numpy", "pandas", "matplotlib", "jinja2", "PyYAML")


class Engine(BaseModel):
    """The engine's version, and the git commit when the code is a checkout."""

    model_config = ConfigDict(extra="forbid")

    version: str
    git_commit: str | None = None
    git_dirty: bool | None = None


def _git(args: list[str], cwd: Path) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run([git, *args], cwd=cwd, capture_output=True, text=True, timeout=20,
                              check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@lru_cache(maxsize=1)
def engine() -> Engine:
    """This engine: version, and commit and dirtiness of the package's own checkout (if any)."""
    source = Path(__file__).resolve().parents[2]
    if not (source / ".git").exists():
        return Engine(version=__version__)
    commit = _git(["rev-parse", "HEAD"], source)
    status = _git(["status", "--porcelain", "--untracked-files=no", "--", "scoring", "templates"], source)
    return Engine(version=__version__, git_commit=commit,
                  git_dirty=None if status is None else bool(status))


@lru_cache(maxsize=1)
def libraries() -> dict[str, str]:
    """Python's and the libraries' versions that can change a number or a page."""
    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "未安装"
    return out
