"""The national summary for the central office: ranking, distribution, leaders, units not scored,
and the methodology appendix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.indicators.models import IndicatorSet
from scoring.report.charts import distribution_chart
from scoring.report.methodology import MISSING_LABELS, methodology, rounding_text, tier_rule_text
from scoring.report.views import (
    STATUS_LABELS,
    interval_text,
    page_meta,
    report_environment,
    section_figures,
    svg_markup,
)
from scoring.scores.models import ScoreReport, UnitScore

TIE_RULES = {"competition": "同分同名次，其后名次顺延（如 1、2、2、4）",
             "dense": "同分同名次，其后名次连续（如 1、2、2、3）"}


@dataclass(frozen=True)
class RankRow:
    """A scored unit in the ranking table."""

    unit: UnitScore
    sections: list[float | None]
    interval: str


@dataclass(frozen=True)
class UnscoredRow:
    """A unit without a score, and why."""

    unit: UnitScore
    status: str
    reason: str
    errors: int


def _threshold_lines(indicator_set: IndicatorSet) -> list[tuple[str, float]]:
    return [(g.name, g.at_least) for g in indicator_set.grades if g.at_least is not None]


def summary_context(report: ScoreReport, indicator_set: IndicatorSet,
                    generated_at: datetime) -> dict[str, Any]:
    """Everything ``summary.html`` reads."""
    scored = report.scored()
    columns = [s for s in report.sections if s.kind != "veto"]
    rows = [RankRow(unit=u, sections=[u.sections.get(s.id) for s in columns],
                    interval=interval_text(u.robustness)) for u in scored]
    unscored = [UnscoredRow(unit=u, status=STATUS_LABELS[u.status], reason=u.reason or "未说明",
                            errors=sum(p.severity.value == "error" for p in u.findings))
                for u in report.units if u.status.value != "scored"]
    chart = ""
    if scored:
        chart = distribution_chart([u.short_name for u in scored], [u.total or 0.0 for u in scored],
                                   [u.grade or "—" for u in scored], _threshold_lines(indicator_set),
                                   title="各单位总分（按名次）")
    grade_counts = {g.name: sum(1 for u in scored if u.grade == g.name) for g in indicator_set.grades}
    tier_counts = {t.name: sum(1 for u in scored if u.tier == t.name) for t in indicator_set.tiers.tiers}
    return {
        **page_meta(generated_at),
        "title": f"{report.year} 年度全国打击侵权假冒工作绩效考核结果汇总",
        "tie_rule": TIE_RULES.get(report.rank_ties, report.rank_ties),
        "report": report,
        "indicator_set": indicator_set,
        "scored": scored,
        "columns": columns,
        "rows": rows,
        "unscored": unscored,
        "chart": svg_markup(chart) if chart else "",
        "figures": [f for f in section_figures(report) if f.info.kind != "veto"],
        "grade_counts": grade_counts,
        "tier_counts": tier_counts,
        "methodology": methodology(indicator_set),
        "rounding_text": rounding_text(indicator_set),
        "tier_rule_text": tier_rule_text(indicator_set),
        "missing_labels": list(MISSING_LABELS.values()),
    }


def summary_html(report: ScoreReport, indicator_set: IndicatorSet, generated_at: datetime) -> str:
    """The national summary as HTML."""
    context = summary_context(report, indicator_set, generated_at)
    return report_environment().get_template("summary.html").render(**context)
