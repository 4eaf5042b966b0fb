"""The scorecard's detail tables: every indicator with the unit's data (values with units), the
explanation, and the data-quality notes by their Chinese message."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scoring.indicators.models import Indicator, IndicatorSet, SectionKind
from scoring.indicators.rules import DeductionsRule
from scoring.problems import SEVERITY_LABELS, Problem
from scoring.report.formatting import chinese_dates, official_text, value_text
from scoring.scores.models import IndicatorScore, TaskTally, UnitScore

NOTHING_RECORDED = "无相关记录"


@dataclass(frozen=True)
class InputRow:
    """An input value (with its unit) and where it was read."""

    name: str
    value: str
    where: str


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator's result as the detail table shows it (points exact, signed by the section)."""

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
    """A data-quality note: severity, where, and the message (never the machine code)."""

    severity: str
    label: str
    where: str
    message: str


def input_rows(score: IndicatorScore, units: dict[str, str | None]) -> list[InputRow]:
    """The indicator's inputs with their units and cells."""
    rows = []
    for ref in score.inputs:
        place = f"{ref.sheet}!{ref.cell}" if ref.sheet and ref.cell else (ref.sheet or ref.file or "")
        where = official_text(place)
        rows.append(InputRow(name=ref.name, value=value_text(ref.value, units.get(ref.item)), where=where))
    return rows


def explanation_text(indicator: Indicator, score: IndicatorScore, units: dict[str, str | None]) -> str:
    """The engine's explanation as a reader reads it: Chinese dates, and a recorded 0 said as 0
    (the engine's 无相关记录 means "no event counted", not "nothing recorded")."""
    text = chinese_dates(score.explanation)
    rule = indicator.rule
    if isinstance(rule, DeductionsRule) and text.startswith(NOTHING_RECORDED):
        values = {ref.item: ref.value for ref in score.inputs}
        if all(values.get(e.item) is not None for e in rule.events):
            shown = "、".join(f"{ref.name} {value_text(ref.value, units.get(ref.item))}"
                             for ref in score.inputs if ref.item in {e.item for e in rule.events})
            text = shown + text[len(NOTHING_RECORDED):]
    return text


def indicator_groups(unit: UnitScore, indicator_set: IndicatorSet) -> list[IndicatorGroup]:
    """Every indicator of the set, grouped by section, with the unit's result (blank when absent)."""
    units = {code: item.unit for code, item in indicator_set.item_map().items()}
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
                                     inputs=input_rows(score, units),
                                     explanation=explanation_text(ind, score, units),
                                     excluded=score.excluded, flagged=score.flagged))
        groups.append(IndicatorGroup(id=section.id, name=section.name, kind=section.kind.value, rows=rows))
    return groups


def of_kind(groups: list[IndicatorGroup], *kinds: SectionKind) -> list[IndicatorGroup]:
    """The groups of the given section kinds."""
    wanted = {k.value for k in kinds}
    return [g for g in groups if g.kind in wanted]


def finding_rows(findings: list[Problem], task_names: Mapping[str, str] | None = None) -> list[FindingRow]:
    """Problems as table rows: severity, cell, Chinese message (a task named by its text where
    ``task_names`` has it, never by its number)."""
    rows = []
    for p in findings:
        place = (p.sheet if p.cell is None else f"{p.sheet}!{p.cell}") if p.sheet else (p.file or "")
        where = official_text(place)
        rows.append(FindingRow(severity=p.severity.value, label=SEVERITY_LABELS[p.severity], where=where,
                               message=_tasks_by_text(chinese_dates(p.message), task_names or {})))
    return rows


_TASK_NUMBER = re.compile(r"(?<![\d.])\d{4}-\d+(?:\.\d+)+")


def _tasks_by_text(message: str, task_names: Mapping[str, str]) -> str:
    """``message`` with each task number it names replaced by the task's words in quotes."""
    return _TASK_NUMBER.sub(lambda m: f"“{task_names[m.group(0)]}”" if m.group(0) in task_names
                            else m.group(0), message)


def task_totals(tallies: list[TaskTally]) -> dict[str, int]:
    """Column sums of the task table."""
    keys = ("done", "partly", "not_started", "not_applicable", "missing")
    return {k: sum(getattr(t, k) for t in tallies) for k in keys}
