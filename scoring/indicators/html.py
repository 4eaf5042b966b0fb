"""The project's Jinja2 set-up (autoescaped, strict) over ``templates/``, shared by every report."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scoring.indicators.rules.base import fmt
from scoring.settings import get_settings


def templates_dir() -> Path:
    """templates/ under the project root."""
    return get_settings().root / "templates"


def environment(directory: Path | None = None) -> Environment:
    """A Jinja2 environment over ``templates/``: autoescape on, undefined names an error."""
    return Environment(loader=FileSystemLoader(directory or templates_dir()), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def points(value: float | None) -> str:
    """``8.0`` → ``8``, ``2.5`` → ``2.5``, ``2.625`` → ``2.63`` (half up, as the explanations round);
    blank for ``None``."""
    if value is None:
        return ""
    return fmt(value)
