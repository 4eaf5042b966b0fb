"""打击侵权假冒工作考核评分引擎 (scoring engine for the annual anti-counterfeiting assessment)."""

__version__ = "0.1.0"
