"""存在问题与整改建议: where a unit lost most points, against full marks and against the national
average, each gap with the indicator, the unit's figure and what the indicator rewards."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.units import load_units
from scoring.report.advice import advice, unit_figures
from scoring.report.formatting import chinese_dates, value_text
from scoring.scores.models import IndicatorScore, ScoreReport, UnitScore

LISTED = 5  # the largest gaps of each kind
EPSILON = 0.005  # below half a displayed hundredth, there is no gap to speak of


@dataclass(frozen=True)
class Gap:
    """An indicator on which the unit lost points (deductions: the points taken off)."""

    id: str
    name: str
    kind: str
    points: float
    max: float
    average: float
    to_full: float
    to_average: float
    figure: str
    rewards: str
    action: str


@dataclass(frozen=True)
class Gaps:
    """The section's content: the rows and the sentences above them."""

    rows: list[Gap]
    lost: float
    deducted: float
    below_average: list[Gap]


def indicator_averages(report: ScoreReport) -> dict[str, float]:
    """Each indicator's mean points over the scored units."""
    values: dict[str, list[float]] = {}
    for unit in report.scored():
        for ind_id, score in unit.indicators.items():
            values.setdefault(ind_id, []).append(score.points)
    return {k: fmean(v) for k, v in values.items()}


def figure_text(score: IndicatorScore, units: dict[str, str | None]) -> str:
    """The unit's data for the indicator (values with units), or its explanation for task-based ones."""
    if not score.inputs:
        return chinese_dates(score.explanation)
    return "；".join(f"{ref.name} {value_text(ref.value, units.get(ref.item))}" for ref in score.inputs)


def unit_gaps(report: ScoreReport, indicator_set: IndicatorSet, unit: UnitScore,
              averages: dict[str, float]) -> Gaps:
    """The largest gaps to full marks and to the national average (score sections), and every
    deduction taken, in the order a reader should act on them."""
    items = indicator_set.item_map()
    units = {code: item.unit for code, item in items.items()}
    references = {code: u.reference() for code, u in load_units().by_code().items()}
    candidates: list[Gap] = []
    deductions: list[Gap] = []
    for section, ind in indicator_set.indicators():
        score = unit.indicators.get(ind.id)
        if score is None or score.excluded or section.kind in (SectionKind.VETO, SectionKind.BONUS):
            continue
        everyone = {u.code: u.indicators[ind.id] for u in report.scored() if ind.id in u.indicators}
        words = advice(ind, section.kind, items, unit_figures(ind, unit.code, everyone, references))
        average = averages.get(ind.id, 0.0)
        if section.kind is SectionKind.DEDUCTION:
            if score.points > EPSILON:
                deductions.append(Gap(ind.id, ind.name, section.kind.value, score.points, score.max,
                                      average, score.points, score.points - average,
                                      figure_text(score, units), words.rewards, words.action))
            continue
        candidates.append(Gap(ind.id, ind.name, section.kind.value, score.points, score.max, average,
                              score.max - score.points, average - score.points,
                              figure_text(score, units), words.rewards, words.action))
    by_full = sorted((g for g in candidates if g.to_full > EPSILON), key=lambda g: (-g.to_full, g.id))
    by_average = sorted((g for g in candidates if g.to_average > EPSILON),
                        key=lambda g: (-g.to_average, g.id))
    chosen = {g.id for g in by_full[:LISTED]} | {g.id for g in by_average[:LISTED]}
    rows = [g for g in by_full if g.id in chosen] + deductions
    lost = sum(g.to_full for g in candidates if g.to_full > 0)
    return Gaps(rows=rows, lost=lost, deducted=sum(g.points for g in deductions),
                below_average=by_average[:LISTED])
