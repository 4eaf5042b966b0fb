"""Indicator outcomes with the missing-data policy, then section points, total and grade.

The scoring layer builds one ``RuleContext`` per unit and indicator and calls these; they are
pure and print nothing. The order, fixed here so every published number can be reproduced:

1. each indicator: ``rule.evaluate(ctx)`` (exact points), then its ``missing`` policy — ``zero``
   keeps the rule's points (blanks count as 0), ``flag`` keeps them and marks the outcome for
   review, ``exclude`` (or a rule that is not applicable) leaves the indicator out of its section;
2. sections and the exact total as ``scoring.indicators.aggregate`` adds them up (re-weighting
   within score sections, caps on bonus and deduction, sections and totals a veto zeroes);
3. the total rounded once, as ``rounding`` in the YAML says (the published total); with
   ``method: printed_parts`` the indicator points of step 1 and the re-weighted sections of step 2
   are rounded too, so the total is the sum of the printed parts;
4. grade from ``grades`` on the published total; a veto's grade cap lowers it when the cap is a
   worse grade (grades are listed best first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from scoring.indicators.aggregate import Layout, UnitPoints, combine
from scoring.indicators.intervals import contains
from scoring.indicators.models import Indicator, IndicatorSet, MissingPolicy
from scoring.indicators.rounding import round_half_up
from scoring.indicators.rules import RuleContext, RuleOutcome, VetoEffect


@dataclass(frozen=True)
class IndicatorOutcome:
    """An indicator's result for one unit."""

    indicator: str
    outcome: RuleOutcome
    points: float
    max_points: float
    excluded: bool = False
    flagged: bool = False


@dataclass(frozen=True)
class FinalResult:
    """A unit's published and exact total, exact section points, grade and the vetoes applied."""

    total: float
    total_exact: float
    sections: dict[str, float]
    grade: str | None
    vetoes: list[VetoEffect] = field(default_factory=list)


def evaluate_indicator(indicator: Indicator, ctx: RuleContext,
                       decimals: int | None = None) -> IndicatorOutcome:
    """Run the indicator's rule and apply its missing-data policy; the points rounded to
    ``decimals`` when the set publishes printed parts (``Rounding.part_decimals``)."""
    outcome = indicator.rule.evaluate(ctx)
    blank = bool(outcome.missing)
    excluded = outcome.not_applicable or (blank and indicator.missing is MissingPolicy.EXCLUDE)
    flagged = blank and indicator.missing is MissingPolicy.FLAG
    points = 0.0 if excluded else outcome.points
    if decimals is not None:
        points = round_half_up(points, decimals)
    return IndicatorOutcome(indicator=indicator.id, outcome=outcome, points=points,
                            max_points=indicator.points, excluded=excluded, flagged=flagged)


def grade_of(indicator_set: IndicatorSet, total: float, caps: list[str] | None = None) -> str | None:
    """The grade of a total, lowered to the worst of ``caps`` when worse (grades listed best first)."""
    names = [g.name for g in indicator_set.grades]
    grade = next((g.name for g in indicator_set.grades if contains(g, total)), None)
    for cap in caps or []:
        if cap in names and (grade is None or names.index(cap) > names.index(grade)):
            grade = cap
    return grade


class Points(Protocol):
    """An indicator's result as the aggregation reads it (an outcome or a published score)."""

    @property
    def points(self) -> float: ...

    @property
    def excluded(self) -> bool: ...


class Zeroing(Protocol):
    """What a veto zeroes (a rule's effect or a published veto)."""

    @property
    def zero_sections(self) -> Sequence[str]: ...

    @property
    def zero_total(self) -> bool: ...


def unit_points(layout: Layout, outcomes: Sequence[Mapping[str, Points]],
                vetoes: Sequence[Sequence[Zeroing]]) -> UnitPoints:
    """The matrix form of many units' outcomes (by indicator id) and vetoes, for ``combine``."""
    n, k = len(outcomes), len(layout.indicator_ids)
    points = np.zeros((n, k), dtype=np.float64)
    included = np.zeros((n, k), dtype=np.bool_)
    zeroed = np.zeros((n, len(layout.sections)), dtype=np.bool_)
    zero_total = np.zeros(n, dtype=np.bool_)
    for row, by_id in enumerate(outcomes):
        for col, indicator_id in enumerate(layout.indicator_ids):
            outcome = by_id.get(indicator_id)
            if outcome is not None and not outcome.excluded:
                points[row, col] = outcome.points
                included[row, col] = True
        targets = {s for v in vetoes[row] for s in v.zero_sections}
        for index, section in enumerate(layout.sections):
            zeroed[row, index] = section.id in targets
        zero_total[row] = any(v.zero_total for v in vetoes[row])
    return UnitPoints(points=points, included=included, zeroed=zeroed, zero_total=zero_total)


def final_results(indicator_set: IndicatorSet, outcomes: Sequence[Mapping[str, IndicatorOutcome]],
                  vetoes: Sequence[Sequence[VetoEffect]]) -> list[FinalResult]:
    """Every unit's sections, exact and published total, and grade, vetoes applied."""
    layout = Layout.of(indicator_set)
    combined = combine(layout, unit_points(layout, outcomes, vetoes))
    exact = combined.totals[0]
    published = round_half_up(exact, indicator_set.rounding.decimals)
    results = []
    for row, applied in enumerate(vetoes):
        total = float(published[row])
        results.append(FinalResult(
            total=total, total_exact=float(exact[row]),
            sections={s.id: float(combined.sections[s.id][0, row]) for s in layout.sections},
            grade=grade_of(indicator_set, total, [v.grade_cap for v in applied if v.grade_cap]),
            vetoes=list(applied)))
    return results


def final_result(indicator_set: IndicatorSet, outcomes: Mapping[str, IndicatorOutcome]) -> FinalResult:
    """One unit's result from its outcomes by indicator id (vetoes read from the outcomes)."""
    vetoes = [o.outcome.veto for o in outcomes.values() if o.outcome.veto is not None]
    return final_results(indicator_set, [outcomes], [vetoes])[0]
