"""One unit's scorecard: the template context built from the scores and the indicator set, then HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.problems import SEVERITY_LABELS, Problem
from scoring.report.charts import Series, section_chart
from scoring.report.views import (
    STATUS_LABELS,
    SectionFigures,
    interval_text,
    page_meta,
    report_environment,
    section_figures,
    svg_markup,
    trend_text,
    value_text,
)
from scoring.scores.models import IndicatorScore, ScoreReport, TaskTally, UnitScore


@dataclass(frozen=True)
class SectionRow:
    """A section in the unit's section table."""

    id: str
    name: str
    kind: str
    kind_label: str
    points: float | None
    max: float
    percent: float
    average: float
    best: float


@dataclass(frozen=True)
class InputRow:
    """An input value and where it was read."""

    name: str
    value: str
    where: str


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator's result as the detail table shows it."""

    id: str
    name: str
    points: float | None
    max: float
    inputs: list[InputRow]
    explanation: str
    excluded: bool
    flagged: bool


@dataclass(frozen=True)
class IndicatorGroup:
    """The indicators of one section."""

    id: str
    name: str
    kind: str
    rows: list[IndicatorRow]


@dataclass(frozen=True)
class FindingRow:
    """A data-quality note."""

    severity: str
    label: str
    code: str
    where: str
    message: str


def _sections(unit: UnitScore, figures: list[SectionFigures]) -> list[SectionRow]:
    rows = []
    for f in figures:
        if f.info.kind == "veto":
            continue
        got = unit.sections.get(f.info.id)
        percent = 0.0 if got is None or not f.info.max else min(max(got / f.info.max * 100, 0.0), 100.0)
        rows.append(SectionRow(id=f.info.id, name=f.info.name, kind=f.info.kind, kind_label=f.kind_label,
                               points=got, max=f.info.max, percent=round(percent, 1),
                               average=f.average, best=f.best))
    return rows


def _inputs(score: IndicatorScore) -> list[InputRow]:
    rows = []
    for ref in score.inputs:
        where = f"{ref.sheet}!{ref.cell}" if ref.sheet and ref.cell else (ref.sheet or ref.file or "")
        rows.append(InputRow(name=ref.name, value=value_text(ref.value), where=where))
    return rows


def indicator_groups(unit: UnitScore, indicator_set: IndicatorSet) -> list[IndicatorGroup]:
    """Every indicator of the set, grouped by section, with the unit's result (blank when absent)."""
    groups = []
    for section in indicator_set.sections:
        rows = []
        for ind in section.indicators:
            score = unit.indicators.get(ind.id)
            if score is None:
                rows.append(IndicatorRow(id=ind.id, name=ind.name, points=None, max=ind.points, inputs=[],
                                         explanation="无结果", excluded=False, flagged=False))
                continue
            rows.append(IndicatorRow(id=ind.id, name=score.name, points=score.points, max=score.max,
                                     inputs=_inputs(score), explanation=score.explanation,
                                     excluded=score.excluded, flagged=score.flagged))
        groups.append(IndicatorGroup(id=section.id, name=section.name, kind=section.kind.value, rows=rows))
    return groups


def finding_rows(findings: list[Problem]) -> list[FindingRow]:
    """Problems as table rows."""
    return [FindingRow(severity=p.severity.value, label=SEVERITY_LABELS[p.severity], code=p.code,
                       where=p.where(), message=p.message) for p in findings]


def task_totals(tallies: list[TaskTally]) -> dict[str, int]:
    """Column sums of the task table."""
    keys = ("done", "partly", "not_started", "not_applicable", "missing")
    return {k: sum(getattr(t, k) for t in tallies) for k in keys}


def chart(unit: UnitScore, figures: list[SectionFigures]) -> str:
    """The unit's score sections as a share of their maximum, against the national mean and the best unit."""
    shown = [f for f in figures if f.info.kind == "score" and f.info.max]
    labels = [f"{f.info.id} {f.info.name}" for f in shown]

    def share(value: float) -> float:
        return round(value, 1)

    series = [
        Series("本单位", tuple(share(unit.sections.get(f.info.id, 0.0) / f.info.max * 100) for f in shown)),
        Series("全国平均", tuple(share(f.average / f.info.max * 100) for f in shown)),
        Series("最高单位", tuple(share(f.best / f.info.max * 100) for f in shown)),
    ]
    return section_chart(labels, series, title="各部分得分率（占本部分满分）")


def scorecard_context(report: ScoreReport, indicator_set: IndicatorSet, unit: UnitScore,
                      generated_at: datetime) -> dict[str, Any]:
    """Everything ``scorecard.html`` reads."""
    figures = section_figures(report)
    scored = report.scored()
    adjustments = [g for g in indicator_groups(unit, indicator_set)
                   if g.kind in (SectionKind.BONUS.value, SectionKind.DEDUCTION.value)]
    vetoes = [g for g in indicator_groups(unit, indicator_set) if g.kind == SectionKind.VETO.value]
    return {
        **page_meta(generated_at),
        "title": f"{unit.name} {report.year} 年度打击侵权假冒工作绩效考核成绩单",
        "report": report,
        "unit": unit,
        "status_label": STATUS_LABELS[unit.status],
        "scored_count": len(scored),
        "tier_max": indicator_set.tiers.max_points,
        "interval": interval_text(unit.robustness),
        "trend": trend_text(unit.trend),
        "sections": _sections(unit, figures),
        "chart": svg_markup(chart(unit, figures)) if unit.status.value == "scored" else "",
        "groups": [g for g in indicator_groups(unit, indicator_set) if g.kind == SectionKind.SCORE.value],
        "adjustments": adjustments,
        "veto_groups": vetoes,
        "tasks": unit.tasks,
        "task_totals": task_totals(unit.tasks),
        "findings": finding_rows(unit.findings),
    }


def scorecard_html(report: ScoreReport, indicator_set: IndicatorSet, unit: UnitScore,
                   generated_at: datetime) -> str:
    """The unit's scorecard as HTML (a short card saying why for units not scored)."""
    env = report_environment()
    context = scorecard_context(report, indicator_set, unit, generated_at)
    name = "scorecard.html" if unit.status.value == "scored" else "scorecard_unscored.html"
    return env.get_template(name).render(**context)
