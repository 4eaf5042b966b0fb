"""Score every unit: build each indicator's context from the validated inputs, run its rule, add up.

Only units whose workbook validated without errors are scored, and only they are each other's
peers for relative rules (goalposts, rank). Every indicator keeps the inputs it used with their
sheet and cell, and the rule's arithmetic with those cells named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.indicators.evaluate import IndicatorOutcome, evaluate_indicator, final_results
from scoring.indicators.items import Value
from scoring.indicators.models import Indicator, SectionKind
from scoring.indicators.rules import RuleContext, TaskState, VetoRule
from scoring.indicators.rules.base import ReferenceFigures, TaskStatus
from scoring.indicators.rules.normalise import PeerStats
from scoring.indicators.units import Unit
from scoring.problems import Problem, Severity
from scoring.scores.adjustments import Adjustment
from scoring.scores.adjustments import apply as apply_adjustments
from scoring.scores.models import (
    IndicatorScore,
    InputRef,
    SubmissionRef,
    TaskAdjusted,
    TaskTally,
    TaskToFix,
    UnitScore,
    UnitStatus,
    VetoApplied,
)
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import ItemValue, Submission

_TALLY_FIELD = {TaskStatus.DONE: "done", TaskStatus.PARTLY: "partly",
                TaskStatus.NOT_STARTED: "not_started", TaskStatus.NOT_APPLICABLE: "not_applicable"}


@dataclass(frozen=True)
class UnitInputs:
    """A unit's validated submission and the central office's values for it."""

    unit: Unit
    submission: Submission
    central: Mapping[str, ItemValue]

    def values(self) -> dict[str, ItemValue]:
        merged = dict(self.submission.values)
        merged.update(self.central)
        return merged


def _tallies(config: YearConfig, assessed: set[str], tasks: Mapping[str, TaskState]) -> list[TaskTally]:
    """Task statuses per section of the plan, as assessed (after review adjustments)."""
    tallies = []
    for section in config.plan.sections:
        tally = TaskTally(section=section.label, title=section.title)
        for task in section.tasks:
            if task.id not in assessed:
                continue
            state = tasks.get(task.id)
            status = state.status if state is not None else None
            field = _TALLY_FIELD[status] if status is not None else "missing"
            setattr(tally, field, getattr(tally, field) + 1)
        if any((tally.done, tally.partly, tally.not_started, tally.not_applicable, tally.missing)):
            tallies.append(tally)
    return tallies


def _to_fix(config: YearConfig, assessed: set[str], tasks: Mapping[str, TaskState],
            submission: Submission) -> list[TaskToFix]:
    """The assessed tasks a unit has to act on, in the plan's order: 部分完成, 未开展, no status
    chosen, or 已完成/部分完成 without evidence (as assessed, after review adjustments)."""
    to_fix = []
    for task in config.plan.tasks():
        if task.id not in assessed:
            continue
        state = tasks.get(task.id)
        status = state.status if state is not None else None
        evidence = state is not None and state.evidence
        lacking = status in (TaskStatus.DONE, TaskStatus.PARTLY) and not evidence
        if status is None or status in (TaskStatus.PARTLY, TaskStatus.NOT_STARTED) or lacking:
            report = submission.tasks.get(task.id)
            to_fix.append(TaskToFix(task=task.id, status=status, evidence=evidence,
                                    practice=report.practice if report is not None else None))
    return to_fix


class YearScorer:
    """Scores the units of one year against its indicator set."""

    def __init__(self, config: YearConfig, inputs: dict[str, UnitInputs],
                 adjustments: Mapping[str, Mapping[str, Adjustment]] | None = None) -> None:
        self.config = config
        self.inputs = inputs
        self.adjustments = adjustments or {}
        items = config.indicator_set.items
        self.names = {i.code: i.name for i in items}
        self.measures = {i.code: i.unit or "" for i in items}
        self.values = {code: {k: v.value for k, v in unit.values().items()}
                       for code, unit in inputs.items()}
        self.peers: dict[str, dict[str, Value | None]] = {
            item.code: {code: values.get(item.code) for code, values in self.values.items()}
            for item in items
        }
        self.references: dict[str, ReferenceFigures] = {
            code: unit.unit.reference() for code, unit in inputs.items()}
        self.stats = PeerStats(self.peers, self.references)
        self.assessed = {t.id for t in config.source.assessed_tasks()}

    def _context(self, code: str, indicator: Indicator, cells: Mapping[str, ItemValue],
                 tasks: Mapping[str, TaskState]) -> RuleContext:
        def label(item: str) -> str:
            name = self.names.get(item, item)
            where = cells.get(item)
            return f"{name}（{where.sheet}!{where.cell}）" if where and where.cell else name

        return RuleContext(
            max_points=indicator.points, values=self.values[code], tasks=tasks,
            task_ids=tuple(indicator.tasks), peers=self.peers, unit=code,
            reference=self.references[code], references=self.references, labels=self.names,
            units=self.measures, label_hook=label, stats=self.stats,
        )

    def outcomes(self, code: str) -> tuple[dict[str, IndicatorOutcome], UnitScore]:
        """One unit's indicator outcomes, and its result so far: indicators, vetoes, task tallies
        (the sections, total and grade come from ``score_all``, ranks later)."""
        unit_inputs = self.inputs[code]
        submission = unit_inputs.submission
        cells = unit_inputs.values()
        declared = {tid: TaskState(status=r.status, evidence=bool(r.evidence))
                    for tid, r in submission.tasks.items() if r.status is not None}
        tasks = apply_adjustments(declared, self.adjustments.get(code, {}))
        outcomes: dict[str, IndicatorOutcome] = {}
        indicators: dict[str, IndicatorScore] = {}
        vetoes: list[VetoApplied] = []
        for section, indicator in self.config.indicator_set.indicators():
            outcome = evaluate_indicator(indicator, self._context(code, indicator, cells, tasks),
                                         self.config.indicator_set.rounding.part_decimals)
            outcomes[indicator.id] = outcome
            explanation = outcome.outcome.explanation
            if outcome.excluded:
                explanation += "；本项不计入，所在部分按其余指标折算"
            elif outcome.flagged:
                explanation += "；数据缺失，已标记待核"
            indicators[indicator.id] = IndicatorScore(
                section=section.id, name=indicator.name, points=outcome.points,
                max=indicator.points, explanation=explanation, excluded=outcome.excluded,
                flagged=outcome.flagged,
                inputs=[InputRef(item=item, name=self.names.get(item, item),
                                 value=cells[item].value if item in cells else None,
                                 sheet=cells[item].sheet if item in cells else None,
                                 cell=cells[item].cell if item in cells else None)
                        for item in outcome.outcome.items],
            )
            veto = outcome.outcome.veto
            if section.kind is SectionKind.VETO and veto is not None:
                assert isinstance(indicator.rule, VetoRule)
                vetoes.append(VetoApplied(indicator=indicator.id, name=indicator.name,
                                          effect=indicator.rule.effects.describe(),
                                          explanation=outcome.outcome.explanation,
                                          zero_total=veto.zero_total,
                                          zero_sections=list(veto.zero_sections),
                                          grade_cap=veto.grade_cap, tier=veto.tier, rank=veto.rank))
        unit = unit_inputs.unit
        result = UnitScore(
            code=code, name=unit.name, short_name=unit.short_name, region=unit.region,
            status=UnitStatus.SCORED, submission=SubmissionRef.of(submission),
            indicators=indicators, vetoes=vetoes,
            tasks=_tallies(self.config, self.assessed, tasks),
            tasks_to_fix=_to_fix(self.config, self.assessed, tasks, submission),
            adjustments=[TaskAdjusted(task=tid, declared=state.declared, status=state.status,
                                      reason=state.reason or "")
                         for tid, state in tasks.items() if state.declared is not None],
            findings=[f for f in submission.findings if f.severity is not Severity.ERROR],
        )
        return outcomes, result

    def score_all(self) -> list[UnitScore]:
        """Every unit's result (by code): indicators, exact sections, published total, grade."""
        codes = sorted(self.inputs)
        partial = [self.outcomes(code) for code in codes]
        effects = [[o.outcome.veto for o in outcomes.values() if o.outcome.veto is not None]
                   for outcomes, _ in partial]
        finals = final_results(self.config.indicator_set, [o for o, _ in partial], effects)
        scored = []
        for (_, unit), final in zip(partial, finals, strict=True):
            unit.sections, unit.total, unit.total_exact = final.sections, final.total, final.total_exact
            unit.grade = final.grade
            scored.append(unit)
        return scored


def unscored(unit: Unit, status: UnitStatus, reason: str, findings: list[Problem],
             submission: Submission | None = None) -> UnitScore:
    """A unit that is listed without a score, and why."""
    return UnitScore(
        code=unit.code, name=unit.name, short_name=unit.short_name, region=unit.region,
        status=status, reason=reason, findings=findings,
        submission=None if submission is None else SubmissionRef.of(submission),
    )
