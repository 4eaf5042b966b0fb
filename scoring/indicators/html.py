"""The audit report as HTML (Jinja2, autoescaped, strict), ready for a later PDF rendering."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scoring.indicators.report import AuditReport
from scoring.problems import SEVERITY_LABELS
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
    """``8.0`` → ``8``, ``2.5`` → ``2.5``; blank for ``None``."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render_audit(report: AuditReport) -> str:
    """The audit report page."""
    env = environment()
    env.filters["pts"] = points
    indicator_ids = [w.id for w in report.indicators]
    return env.get_template("audit.html").render(
        report=report, severity_labels={k.value: v for k, v in SEVERITY_LABELS.items()},
        indicator_ids=indicator_ids, title=f"指标配置审计：{report.title}",
    )
