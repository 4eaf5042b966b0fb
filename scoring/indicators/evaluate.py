"""Indicator outcomes with the missing-data policy, section totals and the final result.

The scoring layer builds one ``RuleContext`` per unit and indicator and calls these; they are
pure and print nothing. The order, fixed here so every published number can be reproduced:

1. each indicator: ``rule.evaluate(ctx)``, then its ``missing`` policy — ``zero`` keeps the rule's
   points (blanks count as 0), ``flag`` keeps them and marks the outcome for review, ``exclude``
   (or a rule that is not applicable) leaves the indicator out of its section;
2. each ``score`` section: the sum of its included indicators, scaled by
   section maximum / included maximum (re-weighting what was excluded), rounded;
3. ``bonus`` / ``deduction`` sections: the sum of their indicators, at most the section's ``cap``;
4. vetoes: zeroed sections count 0; then total = clamp(score + bonus − deduction, 0, total_points),
   or 0 when a veto zeroes the total;
5. grade from ``grades``; a veto's ``grade_cap`` lowers it when the cap is a worse grade
   (grades are listed best first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scoring.indicators.intervals import contains
from scoring.indicators.models import Indicator, IndicatorSet, MissingPolicy, Section, SectionKind
from scoring.indicators.rules import RuleContext, RuleOutcome, VetoEffect
from scoring.indicators.rules.base import round_points


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
    """A unit's total, section points, grade and the vetoes that applied."""

    total: float
    sections: dict[str, float]
    grade: str | None
    vetoes: list[VetoEffect] = field(default_factory=list)


def evaluate_indicator(indicator: Indicator, ctx: RuleContext) -> IndicatorOutcome:
    """Run the indicator's rule and apply its missing-data policy."""
    outcome = indicator.rule.evaluate(ctx)
    blank = bool(outcome.missing)
    excluded = outcome.not_applicable or (blank and indicator.missing is MissingPolicy.EXCLUDE)
    flagged = blank and indicator.missing is MissingPolicy.FLAG
    return IndicatorOutcome(indicator=indicator.id, outcome=outcome,
                            points=0.0 if excluded else outcome.points, max_points=indicator.points,
                            excluded=excluded, flagged=flagged)


def section_points(section: Section, outcomes: list[IndicatorOutcome]) -> float:
    """A section's points: re-weighted for score sections, capped for bonus and deduction ones."""
    included = [o for o in outcomes if not o.excluded]
    earned = sum(o.points for o in included)
    if section.kind is SectionKind.SCORE:
        full = sum(i.points for i in section.indicators)
        kept = sum(o.max_points for o in included)
        earned = earned * full / kept if kept else 0.0
    elif section.cap is not None:
        earned = min(earned, section.cap)
    return round_points(earned)


def grade_of(indicator_set: IndicatorSet, total: float, caps: list[str] | None = None) -> str | None:
    """The grade of a total, lowered to the worst of ``caps`` when worse (grades listed best first)."""
    names = [g.name for g in indicator_set.grades]
    grade = next((g.name for g in indicator_set.grades if contains(g, total)), None)
    for cap in caps or []:
        if cap in names and (grade is None or names.index(cap) > names.index(grade)):
            grade = cap
    return grade


def final_result(indicator_set: IndicatorSet,
                 outcomes: dict[str, list[IndicatorOutcome]]) -> FinalResult:
    """Combine section outcomes (by section id) into the total and grade, vetoes applied."""
    vetoes = [o.outcome.veto for sec in indicator_set.sections if sec.kind is SectionKind.VETO
              for o in outcomes.get(sec.id, []) if o.outcome.veto is not None]
    zeroed = {s for v in vetoes for s in v.zero_sections}
    points = {sec.id: 0.0 if sec.id in zeroed else section_points(sec, outcomes.get(sec.id, []))
              for sec in indicator_set.sections if sec.kind is not SectionKind.VETO}
    total = 0.0
    for sec in indicator_set.sections:
        sign = {SectionKind.SCORE: 1, SectionKind.BONUS: 1, SectionKind.DEDUCTION: -1}.get(sec.kind, 0)
        total += sign * points.get(sec.id, 0.0)
    total = round_points(min(max(total, 0.0), indicator_set.total_points))
    if any(v.zero_total for v in vetoes):
        total = 0.0
    grade = grade_of(indicator_set, total, [v.grade_cap for v in vetoes if v.grade_cap])
    return FinalResult(total=total, sections=points, grade=grade, vetoes=vetoes)
