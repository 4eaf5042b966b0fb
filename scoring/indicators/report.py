"""The audit report: findings plus what an auditor reads next (maxima, coverage, weights)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from scoring.catalogue.models import Plan
from scoring.indicators.audit import audit, read_catalogue
from scoring.indicators.diff import SetDiff, diff_sets
from scoring.indicators.items import ITEM_KIND_LABELS, DataItem, Plausibility
from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.rounding import round_points
from scoring.indicators.rules import RULE_KIND_LABELS
from scoring.indicators.store import LoadedSet
from scoring.problems import Problem, Severity


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionSummary(_Out):
    """A section's declared maximum and what its rules can actually reach."""

    id: str
    name: str
    kind: SectionKind
    points: float
    max_attainable: float
    cap: float | None


class IndicatorWeight(_Out):
    """An indicator's weight in the total."""

    id: str
    name: str
    section: str
    kind: str
    kind_label: str
    points: float
    share: float
    """Percent of the total points (score sections only; 0 for adjustments and vetoes)."""
    tasks: list[str]


class TaskCoverage(_Out):
    """One row of the coverage matrix: a task and the indicators that assess it."""

    id: str
    title: str
    section: str
    indicators: list[str]
    excluded: str | None
    effective_points: float
    """Points resting on the task: each score indicator's points shared equally by its tasks."""


class ItemBounds(_Out):
    """A data item and the bounds validation holds it to (hard: error; plausible: warning)."""

    code: str
    name: str
    unit: str | None
    kind: str
    source: str
    min: float | None
    max: float | None
    plausible: Plausibility | None
    bounds: str

    @classmethod
    def of(cls, item: DataItem) -> ItemBounds:
        return cls(code=item.code, name=item.name, unit=item.unit, kind=ITEM_KIND_LABELS[item.kind],
                   source=item.source.value, min=item.min, max=item.max, plausible=item.plausible,
                   bounds=item.describe_bounds())


class AuditReport(_Out):
    """Everything ``scoring audit`` shows, as data (JSON, console and HTML read this)."""

    file: str
    year: int
    title: str
    total_points: float
    errors: int
    warnings: int
    findings: list[Problem]
    sections: list[SectionSummary]
    indicators: list[IndicatorWeight]
    coverage: list[TaskCoverage]
    items: list[ItemBounds] = []
    diff: SetDiff | None = None


def section_summaries(s: IndicatorSet) -> list[SectionSummary]:
    """Each section's points and maximum attainable score."""
    items = s.item_map()
    out: list[SectionSummary] = []
    for sec in s.sections:
        points = sum(i.points for i in sec.indicators)
        best = sum(i.rule.max_attainable(i.points, items) for i in sec.indicators)
        if sec.cap is not None:
            best = min(best, sec.cap)
        out.append(SectionSummary(id=sec.id, name=sec.name, kind=sec.kind, points=round_points(points),
                                  max_attainable=round_points(best), cap=sec.cap))
    return out


def indicator_weights(s: IndicatorSet) -> list[IndicatorWeight]:
    """Each indicator's share of the total."""
    return [
        IndicatorWeight(
            id=ind.id, name=ind.name, section=sec.id, kind=ind.rule.kind,
            kind_label=RULE_KIND_LABELS[ind.rule.kind], points=ind.points,
            share=round_points(ind.points / s.total_points * 100) if sec.kind is SectionKind.SCORE else 0.0,
            tasks=list(ind.tasks),
        )
        for sec, ind in s.indicators()
    ]


def coverage_matrix(s: IndicatorSet, plan: Plan | None) -> list[TaskCoverage]:
    """Task × indicator, in plan order; unknown task ids are left to the lint."""
    if plan is None:
        return []
    excluded = {e.task: e.reason for e in s.excluded_tasks}
    rows: list[TaskCoverage] = []
    for section in plan.sections:
        for task in section.tasks:
            ids: list[str] = []
            effective = 0.0
            for sec, ind in s.indicators():
                if task.id in ind.tasks:
                    ids.append(ind.id)
                    if sec.kind is SectionKind.SCORE:
                        effective += ind.points / len(ind.tasks)
            rows.append(TaskCoverage(
                id=task.id, title=task.title, section=section.title, indicators=ids,
                excluded=excluded.get(task.id), effective_points=round_points(effective)))
    return rows


def build_report(loaded: LoadedSet, against: LoadedSet | None = None) -> AuditReport:
    """Lint the set, summarise it and, given ``against``, compare it with that set."""
    s = loaded.indicator_set
    plan, findings = read_catalogue(loaded)
    findings += audit(loaded, plan)
    diff = None
    if against is not None:
        old_plan, _ = read_catalogue(against)
        diff = diff_sets(against.indicator_set, s, old_file=str(against.file), new_file=str(loaded.file),
                         old_plan=old_plan, new_plan=plan)
    return AuditReport(
        file=str(loaded.file), year=s.year, title=s.title, total_points=s.total_points,
        errors=sum(p.severity is Severity.ERROR for p in findings),
        warnings=sum(p.severity is Severity.WARNING for p in findings),
        findings=findings, sections=section_summaries(s), indicators=indicator_weights(s),
        coverage=coverage_matrix(s, plan), items=[ItemBounds.of(i) for i in s.items], diff=diff,
    )
