"""How fragile each rank is: weights varied at random, and each indicator left out in turn.

Monte Carlo: every indicator of the ``score`` sections gets a weight multiplier drawn uniformly
from [1 − spread, 1 + spread] (seeded, so the same run gives the same intervals). Leave-one-out:
each score indicator's weight set to 0 in turn. Each weighting is added up by the engine's own
``combine`` (re-weighting within sections, caps, signs and vetoes exactly as for the published
total), rounded as the YAML says and ranked by the engine's own ``rank_matrix`` (the configured tie
rule; vetoed units ranked after the others or not at all, as their veto says).

The reported interval always holds the published rank: the weighting with every weight 1 is the
published result (same points, rounding and ranks), and when the 5th or 95th percentile falls
short of its rank the interval is extended to it. Under ``dense`` ties this is the usual case for
units below a tie broken by almost every perturbed weighting: the published 1-2-2-3 puts the unit
after a tie 3rd, while the draws, where the two no longer tie, put it 4th.
"""

from __future__ import annotations

import numpy as np

from scoring.indicators.aggregate import Layout, combine
from scoring.indicators.evaluate import unit_points
from scoring.indicators.models import IndicatorSet
from scoring.indicators.rounding import round_half_up
from scoring.scores.models import Robustness, UnitScore
from scoring.scores.ranking import rank_class, rank_matrix

DEFAULT_SAMPLES = 1000
DEFAULT_SPREAD = 0.2
DEFAULT_SEED = 20_221_123


def robustness(units: list[UnitScore], indicator_set: IndicatorSet, *,
               samples: int = DEFAULT_SAMPLES, spread: float = DEFAULT_SPREAD,
               seed: int = DEFAULT_SEED) -> dict[str, Robustness]:
    """Median rank, 5–95 % interval (extended to the published rank) and leave-one-out range for
    each ranked unit."""
    if not units:
        return {}
    layout = Layout.of(indicator_set)
    points = unit_points(layout, [u.indicators for u in units], [u.vetoes for u in units])
    classes = [rank_class(u) for u in units]
    ties = indicator_set.ranking.ties
    decimals = indicator_set.rounding.decimals
    score_cols = layout.score_columns()
    k = len(layout.indicator_ids)
    published = rank_matrix(round_half_up(combine(layout, points, np.ones((1, k))).totals, decimals),
                            ties, classes)[0]
    rng = np.random.default_rng(seed)
    weights = np.ones((samples, k))
    weights[:, score_cols] = rng.uniform(1.0 - spread, 1.0 + spread, size=(samples, len(score_cols)))
    monte_carlo = rank_matrix(round_half_up(combine(layout, points, weights).totals, decimals),
                              ties, classes)
    leave_out = np.ones((max(len(score_cols), 1), k))
    for row, col in enumerate(score_cols):
        leave_out[row, col] = 0.0
    loo = rank_matrix(round_half_up(combine(layout, points, leave_out).totals, decimals), ties, classes)
    result = {}
    for index, unit in enumerate(units):
        if classes[index] == "none":
            continue
        column = monte_carlo[:, index]
        result[unit.code] = Robustness(
            median_rank=float(np.median(column)),
            p05=min(int(np.percentile(column, 5, method="lower")), int(published[index])),
            p95=max(int(np.percentile(column, 95, method="higher")), int(published[index])),
            leave_one_out_min=int(loo[:, index].min()),
            leave_one_out_max=int(loo[:, index].max()),
        )
    return result


def method_text(samples: int = DEFAULT_SAMPLES, spread: float = DEFAULT_SPREAD,
                seed: int = DEFAULT_SEED) -> str:
    """The method in one Chinese sentence, for the report."""
    return (f"各得分指标权重在 ±{spread:.0%} 内随机浮动 {samples} 次（随机种子 {seed}），"
            "并逐一剔除每项指标，按与正式结果相同的方法重新计算总分与名次（一票否决的名次规则照样适用）；"
            "区间为第 5 至第 95 百分位名次，公布名次在此之外时延伸至公布名次。")
