"""What an indicator rewards and what a unit can do about it, in plain words, from the rule's own fields.

Used by the scorecard's 存在问题与整改建议: a provincial office reads which figure or task an
indicator looks at and how to gain points, without the scoring formula. Each rule kind words its
own advice (``RuleBase.advice``); this module gives it the unit's figure beside the national median
and best, where the rule reads one figure that units can be compared on as reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import median

from scoring.indicators.items import DataItem
from scoring.indicators.models import Indicator, SectionKind
from scoring.indicators.rules import LinearRule, ReferenceFigures
from scoring.indicators.rules.normalise import scaled
from scoring.indicators.rules.words import Advice, Figures, RuleWords
from scoring.scores.models import IndicatorScore

Items = Mapping[str, DataItem]

__all__ = ["Advice", "Figures", "advice", "unit_figures"]


def _figure(indicator: Indicator, score: IndicatorScore, reference: ReferenceFigures | None) -> float | None:
    """The one figure the rule compares for this unit: its item's value (the sum of its items for
    ``linear``), per 万人 or per 亿元 when the rule normalises; ``None`` when blank or not a number."""
    rule = indicator.rule
    codes = rule.items if isinstance(rule, LinearRule) else [getattr(rule, "item", None)]
    values = {ref.item: ref.value for ref in score.inputs}
    total = 0.0
    for code in codes:
        value = values.get(code) if isinstance(code, str) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        total += float(value)
    return scaled(total, reference, getattr(rule, "normalise", "none"))


def unit_figures(indicator: Indicator, unit: str, scores: Mapping[str, IndicatorScore],
                 references: Mapping[str, ReferenceFigures]) -> Figures | None:
    """Unit ``unit``'s figure for ``indicator`` beside the median and best of every unit that has one
    (``scores``: each unit's score on the indicator; ``references``: each unit's size)."""
    figures = {code: _figure(indicator, score, references.get(code)) for code, score in scores.items()}
    mine = figures.get(unit)
    if mine is None:
        return None
    peers = [f for f in figures.values() if f is not None]
    lower = getattr(indicator.rule, "direction", "higher_better") == "lower_better"
    how = getattr(indicator.rule, "normalise", "none")
    reference = references.get(unit)
    size = (reference.population_10k if how == "population" else reference.gdp_100m_yuan) \
        if how != "none" and reference is not None else None
    return Figures(own=mine, median=median(peers), best=min(peers) if lower else max(peers),
                   size=size or 1.0)


def advice(indicator: Indicator, kind: SectionKind, items: Items, figures: Figures | None = None) -> Advice:
    """What ``indicator`` rewards and how to gain its points (``kind``: its section's kind;
    ``figures``: the unit's own figure beside the national median and best, when known)."""
    words = RuleWords(items, section=kind.value, points=indicator.points, name=indicator.name,
                      task_count=len(indicator.tasks), figures=figures)
    return indicator.rule.advice(words)
