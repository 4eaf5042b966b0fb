"""Small pieces both the scorecard and the summary show: values, ranks, section figures, the Jinja2 setup."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from statistics import fmean
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from scoring.indicators.html import environment, points, templates_dir
from scoring.indicators.rules.base import fmt
from scoring.report.pdf import pdf_moment, w3c_date
from scoring.scores.models import Robustness, ScoreReport, SectionInfo, Trend, UnitScore, UnitStatus

SECTION_KIND_LABELS = {"score": "计分", "bonus": "加分", "deduction": "扣分", "veto": "一票否决"}
STATUS_LABELS = {UnitStatus.SCORED: "已评分", UnitStatus.NOT_SCORED: "未评分",
                 UnitStatus.MISSING: "未报送"}


def value_text(value: float | int | bool | date | str | None) -> str:
    """A reported value as the report prints it: 是/否, numbers without trailing zeros, dates ISO."""
    if value is None:
        return "未填报"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return fmt(float(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def signed(value: float | None) -> str:
    """``+2`` / ``−1.5`` / ``0`` for changes."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    return f"+{points(value)}" if value > 0 else f"−{points(-value)}"


def interval_text(robustness: Robustness | None) -> str:
    """``第 3–7 名`` (the 5 %–95 % range of ranks under varied weights)."""
    if robustness is None:
        return "—"
    if robustness.p05 == robustness.p95:
        return f"第 {robustness.p05} 名"
    return f"第 {robustness.p05}–{robustness.p95} 名"


def trend_text(trend: Trend | None) -> str | None:
    """Change since the previous year in words, or ``None`` when unknown."""
    if trend is None or trend.previous_total is None:
        return None
    parts = [f"{trend.previous_year} 年总分 {points(trend.previous_total)}"]
    if trend.total_change is not None:
        parts.append(f"变化 {signed(trend.total_change)} 分")
    if trend.previous_rank is not None:
        change = trend.rank_change
        moved = ""
        if change:
            moved = f"，上升 {change} 位" if change > 0 else f"，下降 {-change} 位"
        elif trend.rank_change == 0:
            moved = "，名次不变"
        parts.append(f"上年第 {trend.previous_rank} 名{moved}")
    return "，".join(parts)


@dataclass(frozen=True)
class SectionFigures:
    """A section across the scored units: mean and best."""

    info: SectionInfo
    kind_label: str
    average: float
    best: float
    leaders: list[UnitScore]


def section_figures(report: ScoreReport) -> list[SectionFigures]:
    """Each section's national mean and best score (and who holds it) over the scored units."""
    scored = report.scored()
    out: list[SectionFigures] = []
    for info in report.sections:
        values = [(u, u.sections[info.id]) for u in scored if info.id in u.sections]
        nums = [v for _, v in values]
        best = (min(nums) if info.kind == "deduction" else max(nums)) if nums else 0.0
        leaders = [u for u, v in values if v == best] if nums else []
        out.append(SectionFigures(info=info, kind_label=SECTION_KIND_LABELS[info.kind],
                                  average=round(fmean(nums), 2) if nums else 0.0, best=best,
                                  leaders=leaders))
    return out


def unit_slice(report: ScoreReport, unit: UnitScore) -> dict[str, Any]:
    """What travels inside a scorecard PDF: the report's header fields and this unit's entry."""
    head = report.model_dump(mode="json", exclude={"units", "central"})
    return {**head, "unit": unit.model_dump(mode="json")}


def json_bytes(data: Any) -> bytes:
    """Stable, readable JSON (UTF-8, indented, key order kept)."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def report_environment() -> Environment:
    """The project's Jinja2 environment (autoescape, StrictUndefined) with the report filters;
    one per templates folder and process, so each template is compiled once."""
    return _environment(templates_dir())


@cache
def _environment(directory: Path) -> Environment:
    env = environment(directory)
    env.filters["pts"] = points
    env.filters["signed"] = signed
    env.filters["value"] = value_text
    return env


def page_meta(generated_at: datetime) -> dict[str, str]:
    """Template variables every PDF page needs: the W3C date for the PDF and the printed date."""
    moment = pdf_moment(generated_at)
    return {"pdf_date": w3c_date(moment), "generated_text": moment.strftime("%Y-%m-%d %H:%M UTC")}


def svg_markup(svg: str) -> Markup:
    """An SVG we generated ourselves (matplotlib escapes the text it writes)."""
    return Markup(svg)  # noqa: S704 - produced by charts.py, never from a submission
