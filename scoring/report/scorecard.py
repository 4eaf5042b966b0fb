"""One unit's scorecard: the template context built from the scores and the indicator set, then HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.catalogue.store import catalogue_path, load_plan
from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.rules.base import TaskStatus
from scoring.report.charts import Series, section_chart
from scoring.report.detail import finding_rows, indicator_groups, of_kind, task_totals
from scoring.report.formatting import chinese_date, chinese_dates, counted, rank_range
from scoring.report.gaps import indicator_averages, unit_gaps
from scoring.report.notice_config import load_notice_config
from scoring.report.palette import AVERAGE, BEST, UNIT
from scoring.report.views import (
    STATUS_LABELS,
    SectionFigures,
    compared_with,
    interval_text,
    page_meta,
    report_environment,
    section_figures,
    svg_markup,
    trend_text,
)
from scoring.scores.models import ScoreReport, TaskToFix, UnitScore, VetoApplied


@dataclass(frozen=True)
class SectionRow:
    """A section in the unit's section table; points, average and best signed as they count
    towards the total (deductions negative)."""

    id: str
    name: str
    kind: str
    kind_label: str
    points: float | None
    max: float
    percent: float
    average: float
    average_percent: float
    best: float


@dataclass(frozen=True)
class VetoNotice:
    """A veto that applied, as page 1 states it."""

    id: str
    name: str
    effect: str
    explanation: str


def _share(value: float, maximum: float) -> float:
    return 0.0 if not maximum else round(min(max(abs(value) / maximum * 100, 0.0), 100.0), 1)


def section_rows(unit: UnitScore, figures: list[SectionFigures]) -> list[SectionRow]:
    """The unit's sections (vetoes aside) with the national average and the best unit."""
    rows = []
    for f in figures:
        if f.info.kind == "veto":
            continue
        got = unit.sections.get(f.info.id)
        signed = None if got is None else counted(got, f.info.kind)
        rows.append(SectionRow(id=f.info.id, name=f.info.name, kind=f.info.kind, kind_label=f.kind_label,
                               points=signed, max=f.info.max, percent=_share(signed or 0.0, f.info.max),
                               average=f.average, average_percent=_share(f.average, f.info.max),
                               best=f.best))
    return rows


def chart(unit: UnitScore, figures: list[SectionFigures]) -> str:
    """The unit's score sections as a share of their maximum, against the national mean and the best unit."""
    shown = [f for f in figures if f.info.kind == "score" and f.info.max]
    labels = [f"{f.info.id} {f.info.name}" for f in shown]

    def share(value: float) -> float:
        return round(value, 1)

    series = [
        Series("本单位", tuple(share(unit.sections.get(f.info.id, 0.0) / f.info.max * 100) for f in shown),
               UNIT),
        Series("全国平均", tuple(share(f.average / f.info.max * 100) for f in shown), AVERAGE),
        Series("最高单位", tuple(share(f.best / f.info.max * 100) for f in shown), BEST),
    ]
    return section_chart(labels, series, title="各部分得分率（占本部分满分）")


def veto_notices(unit: UnitScore) -> list[VetoNotice]:
    """Each veto that applied: which one, why, and what it did."""
    return [VetoNotice(id=v.indicator, name=v.name, effect=v.effect,
                       explanation=chinese_dates(v.explanation).rstrip("。")) for v in unit.vetoes]


def rank_note(unit: UnitScore, vetoes: list[VetoApplied]) -> str:
    """Why a vetoed unit stands where it does in the ranking."""
    if any(v.rank == "none" for v in vetoes):
        return "一票否决，不参加排名"
    if any(v.rank == "last" for v in vetoes):
        return "一票否决，列于所有未被否决的单位之后"
    return ""


def task_names(year: int, unit: UnitScore) -> dict[str, str]:
    """The plan's words for each task the card lists (the card names tasks by text, never by id)."""
    if not unit.adjustments and not unit.tasks_to_fix and not unit.findings:
        return {}
    path = catalogue_path(str(year))
    if not path.is_file():
        return {}
    return {t.id: f"{''.join(t.path)} {t.title}" for t in load_plan(str(year)).tasks()}


def task_problem(task: TaskToFix) -> str:
    """What is wrong with a task the unit has to act on, in the card's words."""
    if task.status is None:
        return "未选择落实情况"
    if task.status is TaskStatus.NOT_STARTED:
        return "未开展"
    if task.status is TaskStatus.DONE:
        return "已完成，但未提供佐证材料"
    return "部分完成" if task.evidence else "部分完成，未提供佐证材料"


def scorecard_context(report: ScoreReport, indicator_set: IndicatorSet, unit: UnitScore,
                      generated_at: datetime) -> dict[str, Any]:
    """Everything ``scorecard.html`` reads."""
    figures = section_figures(report)
    scored = report.scored()
    groups = indicator_groups(unit, indicator_set)
    is_scored = unit.status.value == "scored"
    trend = unit.trend
    names = task_names(report.year, unit)
    return {
        **page_meta(generated_at),
        "title": f"{unit.name}{report.year}年度打击侵权假冒工作绩效考核成绩单",
        "report": report,
        "decimals": report.total_decimals,
        "unit": unit,
        "status_label": STATUS_LABELS[unit.status],
        "scored_count": len(scored),
        "ranked_count": len(report.ranked()),
        "tier_max": indicator_set.tiers.max_points,
        "interval": interval_text(unit.robustness),
        "leave_one_out": (rank_range(unit.robustness.leave_one_out_min, unit.robustness.leave_one_out_max)
                          if unit.robustness else ""),
        "config_title": indicator_set.title,
        "vetoes": veto_notices(unit),
        "rank_note": rank_note(unit, unit.vetoes),
        "compared": compared_with(trend.previous_year) if trend is not None else "与往年比较",
        "trend": trend_text(trend, report.total_decimals),
        "sections": section_rows(unit, figures),
        "chart": svg_markup(chart(unit, figures)) if is_scored else "",
        "gaps": unit_gaps(report, indicator_set, unit, indicator_averages(report)) if is_scored else None,
        "groups": of_kind(groups, SectionKind.SCORE),
        "adjustments": of_kind(groups, SectionKind.BONUS, SectionKind.DEDUCTION),
        "veto_groups": of_kind(groups, SectionKind.VETO),
        "tasks": unit.tasks,
        "task_names": names,
        "task_totals": task_totals(unit.tasks),
        "tasks_to_fix": [(t, task_problem(t)) for t in unit.tasks_to_fix],
        "findings": finding_rows(unit.findings, names),
    }


def scorecard_html(report: ScoreReport, indicator_set: IndicatorSet, unit: UnitScore,
                   generated_at: datetime) -> str:
    """The unit's scorecard as HTML (a short card saying why for units not scored)."""
    env = report_environment()
    context = scorecard_context(report, indicator_set, unit, generated_at)
    name = "scorecard.html" if unit.status.value == "scored" else "scorecard_unscored.html"
    if name == "scorecard_unscored.html":
        notice = load_notice_config(report.year)
        context["unscored_effect"] = notice.unscored_effect
        context["resubmit_by"] = chinese_date(notice.resubmit_by) if notice.resubmit_by else ""
    return env.get_template(name).render(**context)
