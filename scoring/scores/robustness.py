"""How fragile each rank is: weights varied at random, and each indicator left out in turn.

Monte Carlo: every indicator of the ``score`` sections gets a weight multiplier drawn uniformly
from [1 − spread, 1 + spread] (seeded, so the same run gives the same intervals); weights are
renormalised so the score sections still total their maximum. A unit's contribution per
indicator is its points after its section's re-weighting; adjustments (bonus, deduction) and
vetoes are kept as scored. Leave-one-out: each score indicator's weight set to 0 in turn.
Ranks are competition ranks of the perturbed totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.scores.models import Robustness, UnitScore

DEFAULT_SAMPLES = 1000
DEFAULT_SPREAD = 0.2
DEFAULT_SEED = 20_221_123

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Matrix:
    contributions: FloatArray  # units × score indicators
    maxima: FloatArray  # score indicators
    adjustments: FloatArray  # units
    zero_total: npt.NDArray[np.bool_]  # units
    total_points: float


def _matrix(units: list[UnitScore], indicator_set: IndicatorSet) -> _Matrix:
    score_sections = [s for s in indicator_set.sections if s.kind is SectionKind.SCORE]
    columns = [(s, i) for s in score_sections for i in s.indicators]
    contributions = np.zeros((len(units), len(columns)))
    adjustments = np.zeros(len(units))
    zero_total = np.zeros(len(units), dtype=bool)
    full = {s.id: sum(i.points for i in s.indicators) for s in score_sections}
    for row, unit in enumerate(units):
        kept = {s.id: sum(unit.indicators[i.id].max for i in s.indicators
                          if not unit.indicators[i.id].excluded) for s in score_sections}
        for col, (section, indicator) in enumerate(columns):
            score = unit.indicators[indicator.id]
            if score.excluded or not kept[section.id] or unit.sections.get(section.id, 0.0) == 0.0:
                continue
            contributions[row, col] = score.points * full[section.id] / kept[section.id]
        for section in indicator_set.sections:
            sign = {SectionKind.BONUS: 1.0, SectionKind.DEDUCTION: -1.0}.get(section.kind, 0.0)
            adjustments[row] += sign * unit.sections.get(section.id, 0.0)
        zero_total[row] = any(v.zero_total for v in unit.vetoes)
    maxima = np.array([indicator.points for _, indicator in columns], dtype=float)
    return _Matrix(contributions, maxima, adjustments, zero_total, indicator_set.total_points)


def _totals(matrix: _Matrix, weights: FloatArray) -> FloatArray:
    """Totals for each weight vector (rows of ``weights``): samples × units."""
    scale = matrix.maxima.sum() / (weights @ matrix.maxima)  # samples
    score = (weights @ matrix.contributions.T) * scale[:, None]
    totals = np.clip(score + matrix.adjustments[None, :], 0.0, matrix.total_points)
    totals[:, matrix.zero_total] = 0.0
    rounded: FloatArray = np.round(totals, 2)
    return rounded


def _ranks(totals: FloatArray) -> npt.NDArray[np.int64]:
    """Competition ranks per row: 1 + the number of units with a strictly higher total."""
    ranks = np.empty(totals.shape, dtype=np.int64)
    n = totals.shape[1]
    for row in range(totals.shape[0]):
        ordered = np.sort(totals[row])
        ranks[row] = 1 + n - np.searchsorted(ordered, totals[row], side="right")
    return ranks


def robustness(units: list[UnitScore], indicator_set: IndicatorSet, *,
               samples: int = DEFAULT_SAMPLES, spread: float = DEFAULT_SPREAD,
               seed: int = DEFAULT_SEED) -> dict[str, Robustness]:
    """Median rank, 5–95 % interval and leave-one-out range for each scored unit."""
    if not units:
        return {}
    matrix = _matrix(units, indicator_set)
    k = matrix.maxima.size
    rng = np.random.default_rng(seed)
    weights = rng.uniform(1.0 - spread, 1.0 + spread, size=(samples, k))
    monte_carlo = _ranks(_totals(matrix, weights))
    leave_out = np.ones((k, k)) - np.eye(k)
    loo = _ranks(_totals(matrix, leave_out)) if k > 1 else monte_carlo[:1]
    result = {}
    for index, unit in enumerate(units):
        column = monte_carlo[:, index]
        result[unit.code] = Robustness(
            median_rank=float(np.median(column)),
            p05=int(np.percentile(column, 5, method="lower")),
            p95=int(np.percentile(column, 95, method="higher")),
            leave_one_out_min=int(loo[:, index].min()),
            leave_one_out_max=int(loo[:, index].max()),
        )
    return result


def method_text(samples: int = DEFAULT_SAMPLES, spread: float = DEFAULT_SPREAD,
                seed: int = DEFAULT_SEED) -> str:
    """The method in one Chinese sentence, for the report."""
    return (f"各得分指标权重在 ±{spread:.0%} 内随机浮动 {samples} 次（随机种子 {seed}），"
            "并逐一剔除每项指标，重新计算总分与名次；区间为第 5 至第 95 百分位名次。")
