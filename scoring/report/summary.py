"""The national summary as a 通报: the notice on page 1 (issuer, document number, narrative), then
the ranking with each unit's change and the veto marked, regional averages, the distribution, the
section table, units not scored, the methodology appendix, and the technical record at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.indicators.models import IndicatorSet
from scoring.report.charts import Bar, distribution_chart
from scoring.report.formatting import chinese_dates, counted
from scoring.report.methodology import MISSING_LABELS, methodology, rounding_text, tier_rule_text
from scoring.report.notice import notice_facts, notice_paragraphs
from scoring.report.views import (
    STATUS_LABELS,
    compared_with,
    interval_text,
    page_meta,
    report_environment,
    section_figures,
    svg_markup,
)
from scoring.scores.models import ScoreReport, UnitScore

TIE_RULES = {"competition": "同分同名次，其后名次顺延（如 1、2、2、4）",
             "dense": "同分同名次，其后名次连续（如 1、2、2、3）"}
VETO_MARK = "※"
DEFAULT_ISSUER = "全国打击侵权假冒工作领导小组办公室"


@dataclass(frozen=True)
class RankRow:
    """A scored unit in the ranking table, with its change and the veto mark."""

    unit: UnitScore
    sections: list[float | None]
    interval: str
    vetoed: bool


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
    rows = [RankRow(unit=u, sections=[None if s.id not in u.sections else counted(u.sections[s.id], s.kind)
                                      for s in columns],
                    interval=interval_text(u.robustness), vetoed=bool(u.vetoes)) for u in scored]
    unscored = [UnscoredRow(unit=u, status=STATUS_LABELS[u.status],
                            reason=chinese_dates(u.reason or "未说明"),
                            errors=sum(p.severity.value == "error" for p in u.findings))
                for u in report.units if u.status.value != "scored"]
    chart = ""
    if scored:
        bars = [Bar(u.short_name, u.total or 0.0, u.grade or "—", bool(u.vetoes)) for u in scored]
        chart = distribution_chart(bars, [g.name for g in indicator_set.grades],
                                   _threshold_lines(indicator_set), title="各单位总分（按名次）")
    facts = notice_facts(report, indicator_set)
    basis = indicator_set.basis
    plan = f"《{basis.plan_title}》" + (f"（{basis.doc_number}）" if basis.doc_number else "")
    issuer = indicator_set.publication.issuer if indicator_set.publication else DEFAULT_ISSUER
    title_lines = [f"关于{report.year}年度各省（区、市）", "打击侵权假冒工作绩效考核结果的通报"]
    return {
        **page_meta(generated_at),
        "title": "".join(title_lines),
        "title_lines": title_lines,
        "paragraphs": notice_paragraphs(facts, issuer, plan, indicator_set.title, report.year,
                                        report.total_decimals),
        "publication": indicator_set.publication,
        "decimals": report.total_decimals,
        "tie_rule": TIE_RULES.get(report.rank_ties, report.rank_ties),
        "report": report,
        "indicator_set": indicator_set,
        "facts": facts,
        "compared": compared_with(facts.previous_year) if facts.previous_year else "",
        "veto_mark": VETO_MARK,
        "scored": scored,
        "columns": columns,
        "rows": rows,
        "unscored": unscored,
        "chart": svg_markup(chart) if chart else "",
        "figures": [f for f in section_figures(report) if f.info.kind != "veto"],
        "methodology": methodology(indicator_set),
        "rounding_text": rounding_text(indicator_set),
        "tier_rule_text": tier_rule_text(indicator_set),
        "missing_labels": list(MISSING_LABELS.values()),
    }


def summary_html(report: ScoreReport, indicator_set: IndicatorSet, generated_at: datetime) -> str:
    """The national summary as HTML."""
    context = summary_context(report, indicator_set, generated_at)
    return report_environment().get_template("summary.html").render(**context)
