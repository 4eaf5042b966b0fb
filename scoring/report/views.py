"""Pieces both the scorecard and the summary show: section figures, ranks, trends, the Jinja2 setup."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from statistics import fmean
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from scoring.indicators.html import environment, templates_dir
from scoring.indicators.rules import rule_kind_label
from scoring.indicators.rules.base import fmt
from scoring.report.formatting import (
    beijing_date,
    beijing_time,
    change,
    chinese_dates,
    counted,
    fixed,
    official_text,
    plain_text,
    rank_change,
    rank_range,
    signed_score,
    value_text,
)
from scoring.report.palette import css_variables
from scoring.report.pdf import pdf_moment, w3c_date
from scoring.scores.models import Robustness, ScoreReport, SectionInfo, Trend, UnitScore, UnitStatus

SECTION_KIND_LABELS = {"score": "计分", "bonus": "加分", "deduction": "扣分", "veto": "一票否决"}
STATUS_LABELS = {UnitStatus.SCORED: "已评分", UnitStatus.NOT_SCORED: "未评分",
                 UnitStatus.MISSING: "未报送"}


_PHRASE_BREAK = re.compile(r"(?<=[、与和及，])|(?=（)")


def phrases(text: str | None) -> Markup:
    """``text`` as unbreakable phrases (a line may break only after 、与和及， or before （), so a
    name or label never wraps inside a word (``东部地/区``)."""
    if not text:
        return Markup("")
    parts = [p for p in _PHRASE_BREAK.split(text) if p]
    return Markup("").join(Markup('<span class="nb">{}</span>').format(escape(p)) for p in parts)


def rounded(value: float, decimals: int = 2) -> float:
    """``value`` rounded half up (the way every displayed score is rounded)."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def interval_text(robustness: Robustness | None) -> str:
    """``第 3–7 名`` (the 5 %–95 % range of ranks under varied weights)."""
    if robustness is None:
        return "—"
    return rank_range(robustness.p05, robustness.p95)


def compared_with(year: int) -> str:
    """``与2020年度比较``: always names the year compared with, which need not be the year before."""
    return f"与{year}年度比较"


def trend_text(trend: Trend | None, decimals: int = 2) -> str | None:
    """Change since the previous assessed year in words, or ``None`` when unknown."""
    if trend is None or trend.previous_total is None:
        return None
    parts = [f"{trend.previous_year}年度总分 {fixed(trend.previous_total, decimals)} 分"]
    if trend.total_change is not None:
        parts.append(f"本年度变化 {change(trend.total_change, decimals)} 分")
    if trend.previous_rank is not None:
        moved = f"，名次{rank_change(trend.rank_change)}" if trend.rank_change is not None else ""
        parts.append(f"{trend.previous_year}年度第 {trend.previous_rank} 名{moved}")
    return "，".join(parts)


@dataclass(frozen=True)
class SectionFigures:
    """A section across the scored units, signed as it counts towards the total (deductions
    negative): mean and best, and who holds the best."""

    info: SectionInfo
    kind_label: str
    average: float
    best: float
    leaders: list[UnitScore]


def section_figures(report: ScoreReport) -> list[SectionFigures]:
    """Each section's national mean and best signed score (and who holds it) over the scored units."""
    scored = report.scored()
    decimals = report.total_decimals
    out: list[SectionFigures] = []
    for info in report.sections:
        values = [(u, counted(u.sections[info.id], info.kind)) for u in scored if info.id in u.sections]
        nums = [v for _, v in values]
        best = max(nums) if nums else 0.0
        leaders = [u for u, v in values if rounded(v, decimals) == rounded(best, decimals)] if nums else []
        out.append(SectionFigures(info=info, kind_label=SECTION_KIND_LABELS[info.kind],
                                  average=fmean(nums) if nums else 0.0, best=best, leaders=leaders))
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
    env.filters["pts"] = lambda v: "" if v is None else fmt(v)
    env.filters["rule_kind"] = rule_kind_label
    env.filters["score"] = fixed
    env.filters["signed"] = signed_score
    env.filters["change"] = change
    env.filters["rank_change"] = rank_change
    env.filters["value"] = value_text
    env.filters["dates"] = chinese_dates
    env.filters["nb"] = phrases
    env.filters["plain"] = plain_text
    env.filters["official"] = official_text
    env.globals["colour"] = css_variables()
    return env


def page_meta(generated_at: datetime) -> dict[str, str]:
    """Template variables every PDF page needs: the W3C date for the PDF metadata and the printed
    date and time (Beijing time, Chinese form)."""
    moment = pdf_moment(generated_at)
    return {"pdf_date": w3c_date(moment), "generated_date": beijing_date(moment),
            "generated_text": beijing_time(moment)}


def svg_markup(svg: str) -> Markup:
    """An SVG we generated ourselves (matplotlib escapes the text it writes)."""
    return Markup(svg)  # noqa: S704 - produced by charts.py, never from a submission
