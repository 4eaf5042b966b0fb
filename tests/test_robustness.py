"""Rank robustness on a case small enough to derive every interval by hand (scoring/scores/robustness.py).

One score section with two indicators X and Y of 50 points each. With weights wX, wY the engine
re-scales the section to its 100 points, so a unit with points (x, y) totals
    100 · (wX·x + wY·y) / (50·wX + 50·wY) = 2 · (f·x + (1 − f)·y),   f = wX / (wX + wY).

  A (36, 16): 32 + 40f      published 52 (f = 1/2)
  M (25, 25): 50            whatever the weights
  B (34, 14): 28 + 40f      published 48
So A beats M exactly when f > 0.45, B beats M when f > 0.55, and A always beats B (by 4).

Weights are drawn uniformly from [0.8, 1.2]. f > 0.55 means wX > (11/9)·wY, which needs
wY < 1.2 · 9/11 = 0.98182:
    P = ∫[0.8, 0.98182] (1.2 − (11/9)·w) dw / 0.4² = 0.020202 / 0.16 = 0.126,
and P(f < 0.45) = 0.126 by symmetry. Hence over 1000 draws (each share ≈ 12.6 % ± 1 %):
  M: rank 1 (f < 0.45) 12.6 %, rank 2 74.7 %, rank 3 (f > 0.55) 12.6 %  → p05 1, median 2, p95 3
  A: rank 1 87.4 %, rank 2 12.6 %                                       → p05 1, median 1, p95 2
  B: rank 2 12.6 %, rank 3 87.4 %                                       → p05 2, median 3, p95 3
Leave one out: without X (f = 0) A 32, M 50, B 28 → M 1, A 2, B 3; without Y (f = 1) A 72, B 68,
M 50 → A 1, B 2, M 3. So A 1–2, M 1–3, B 2–3.
V (50, 50) totals 100 but its veto says rank: last: always 4. N's veto says rank: none: no interval.
With a spread of 1 %, f stays within [0.99/2.01, 1.01/1.99] = [0.4925, 0.5075]: nobody moves.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from scoring.indicators.models import IndicatorSet
from scoring.scores.models import IndicatorScore, Robustness, UnitScore, UnitStatus, VetoApplied
from scoring.scores.robustness import DEFAULT_SAMPLES, DEFAULT_SEED, DEFAULT_SPREAD, method_text, robustness

LINEAR = {"kind": "linear", "items": ["n"], "points_per": 1}


def indicator_set(ties: str = "competition", extra: list[dict[str, Any]] | None = None) -> IndicatorSet:
    return IndicatorSet.model_validate({
        "year": 2030, "title": "稳健性手算", "basis": {"plan_title": "测试"}, "catalogue": "tasks/2030.yaml",
        "total_points": 100, "rounding": {"decimals": 2, "mode": "half_up"},
        "grades": [{"name": "合格"}],
        "tiers": {"method": "score", "max_points": 10, "tiers": [{"name": "一档", "points": 10}]},
        "ranking": {"ties": ties},
        "sections": [{"id": "S", "name": "工作成效", "indicators": [
            {"id": "X", "name": "X", "points": 50, "rule": LINEAR},
            {"id": "Y", "name": "Y", "points": 50, "rule": LINEAR}]}, *(extra or [])],
    })


def scored(code: str, x: float, y: float, rank: Literal["keep", "last", "none"] | None = None,
           **more: float) -> UnitScore:
    points = {"X": x, "Y": y, **more}
    vetoes = [] if rank is None else [VetoApplied(indicator="V1", name="否决", effect="…", explanation="…",
                                                  rank=rank, tier="last")]
    return UnitScore(code=code, name=code, short_name=code, region="东部", status=UnitStatus.SCORED,
                     total=x + y, vetoes=vetoes,
                     indicators={i: IndicatorScore(section="S" if i in "XY" else "E", name=i, points=p,
                                                   max=50, explanation="…") for i, p in points.items()})


UNITS = [scored("A", 36, 16), scored("N", 50, 50, "none"), scored("M", 25, 25), scored("B", 34, 14),
         scored("V", 50, 50, "last")]


def interval(median: float, p05: int, p95: int, lo: int, hi: int) -> Robustness:
    return Robustness(median_rank=median, p05=p05, p95=p95, leave_one_out_min=lo, leave_one_out_max=hi)


EXPECTED = {"A": interval(1, 1, 2, 1, 2), "M": interval(2, 1, 3, 1, 3), "B": interval(3, 2, 3, 2, 3),
            "V": interval(4, 4, 4, 4, 4)}


def test_intervals_match_the_hand_derivation() -> None:
    assert robustness(UNITS, indicator_set()) == EXPECTED
    # not an accident of one seed: ~126 of 1000 draws on each side, far from the 50 and 950 cut-offs
    assert robustness(UNITS, indicator_set(), seed=1) == EXPECTED
    assert robustness(UNITS, indicator_set(), seed=DEFAULT_SEED, samples=DEFAULT_SAMPLES,
                      spread=DEFAULT_SPREAD) == EXPECTED


def test_a_narrow_spread_moves_nobody() -> None:
    still = robustness(UNITS, indicator_set(), spread=0.01)
    assert {code: (r.p05, r.median_rank, r.p95) for code, r in still.items()} == {
        "A": (1, 1, 1), "M": (2, 2, 2), "B": (3, 3, 3), "V": (4, 4, 4)}


def test_the_draws_are_seeded() -> None:
    # 5 draws: M's interval is 1–… only when one of them has f < 0.45 (1 − 0.874⁵ ≈ 49 %), so it
    # varies from seed to seed (all 8 alike: well under 1 %), but a seed always gives the same one
    few = [robustness(UNITS, indicator_set(), samples=5, seed=s) for s in range(8)]
    assert few == [robustness(UNITS, indicator_set(), samples=5, seed=s) for s in range(8)]
    assert len({tuple(sorted(r["M"].model_dump().items())) for r in few}) > 1


def test_bonus_indicators_are_not_reweighted_and_dense_ties_apply() -> None:
    # a bonus section (cap 5) is added unweighted: M gets 1 point, so M = 51 and A beats M only when
    # 32 + 40f > 51, f > 0.475 (P ≈ 0.28 that f < 0.475), B when f > 0.575 (P ≈ 0.032 < 5 %):
    # M's 95th percentile and B's 5th are now 2 and 3. Leaving X out: A 32, M 51, B 28 → M 1;
    # leaving Y out: 72, 68, 51.
    bonus = {"id": "E", "name": "加分", "kind": "bonus", "cap": 5, "indicators": [
        {"id": "Z", "name": "Z", "points": 5, "rule": LINEAR}]}
    units = [scored("A", 36, 16, Z=0), scored("M", 25, 25, Z=1), scored("B", 34, 14, Z=0)]
    result = robustness(units, indicator_set(extra=[bonus]))
    assert {c: (r.p05, r.median_rank, r.p95, r.leave_one_out_min, r.leave_one_out_max)
            for c, r in result.items()} == {"A": (1, 1, 2, 1, 2), "M": (1, 2, 2, 1, 3), "B": (3, 3, 3, 2, 3)}
    # two units that always tie (same points): dense and competition both give them the same rank;
    # the unit below them is 3rd under competition, 2nd under dense
    twins = [scored("P", 30, 30), scored("Q", 30, 30), scored("R", 10, 10)]
    for ties, last in (("competition", 3), ("dense", 2)):
        got = robustness(twins, indicator_set(ties))
        assert [(got[c].p05, got[c].p95, got[c].leave_one_out_min, got[c].leave_one_out_max)
                for c in "PQR"] == [(1, 1, 1, 1), (1, 1, 1, 1), (last, last, last, last)], ties


def test_leaving_out_the_only_indicator_ties_everyone() -> None:
    # a single score indicator: without it every total is 0, so all share rank 1 (the published
    # ranks 1 and 2 are not part of the leave-one-out range)
    single = indicator_set().model_copy(deep=True)
    single.sections[0].indicators = single.sections[0].indicators[:1]
    single.sections[0].indicators[0].points = 100
    got = robustness([scored("A", 30, 0), scored("B", 20, 0)], single)
    assert [(r.median_rank, r.leave_one_out_min, r.leave_one_out_max) for r in got.values()] == [
        (1, 1, 1), (2, 1, 1)]


def _oracle(ranks: list[int]) -> tuple[float, int, int]:
    """Median, 5th percentile (the lower value) and 95th (the higher) of ``ranks``."""
    ordered = sorted(ranks)
    n = len(ordered)
    middle = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    return middle, ordered[math.floor(0.05 * (n - 1))], ordered[math.ceil(0.95 * (n - 1))]


def test_percentiles_over_few_draws_follow_their_definition() -> None:
    # 20 draws of (wX, wY), uniform in [0.8, 1.2] from the seeded generator, as the module states;
    # with f = wX / (wX + wY): M is 1 + [f > 0.45] + [f > 0.55] (see the module doc) and, among
    # twins T1, T2 at (40, 10) (20 + 60f each), K at (25, 25) is 1 when f < 0.5 and 3 otherwise.
    # p05 is the 1st of the 20 sorted ranks (index ⌊0.05 × 19⌋ = 0), p95 the 20th (⌈0.95 × 19⌉).
    # J, between twins at (36, 16) (32 + 40f each), is 1 when f < 0.45 (12.6 %) and 3 otherwise: with
    # one such draw of 20, a 5th percentile interpolated between 1 and 3 would not be 1.
    twins = [scored("T1", 40, 10), scored("K", 25, 25), scored("T2", 40, 10)]
    low_twins = [scored("T1", 36, 16), scored("J", 25, 25), scored("T2", 36, 16)]
    for seed in range(40):
        w = np.random.default_rng(seed).uniform(0.8, 1.2, size=(20, 2))
        f = w[:, 0] / (w[:, 0] + w[:, 1])
        m = robustness(UNITS, indicator_set(), samples=20, seed=seed)["M"]
        assert (m.median_rank, m.p05, m.p95) == _oracle([1 + (x > 0.45) + (x > 0.55) for x in f]), seed
        k = robustness(twins, indicator_set(), samples=20, seed=seed)["K"]
        assert (k.median_rank, k.p05, k.p95) == _oracle([1 if x < 0.5 else 3 for x in f]), seed
        j = robustness(low_twins, indicator_set(), samples=20, seed=seed)["J"]
        assert (j.median_rank, j.p05, j.p95) == _oracle([1 if x < 0.45 else 3 for x in f]), seed


def test_the_95th_percentile_over_101_draws() -> None:
    # 101 draws: p95 is the 96th smallest rank (index ⌈0.95 × 100⌉ = 95). With M at 51 (the bonus
    # case below) M is 3rd only when f > 0.575 (3.2 %), so the rank at index 95 depends on the draws.
    bonus = {"id": "E", "name": "加分", "kind": "bonus", "cap": 5, "indicators": [
        {"id": "Z", "name": "Z", "points": 5, "rule": LINEAR}]}
    units = [scored("A", 36, 16, Z=0), scored("M", 25, 25, Z=1), scored("B", 34, 14, Z=0)]
    for seed in range(40):
        w = np.random.default_rng(seed).uniform(0.8, 1.2, size=(101, 2))
        f = w[:, 0] / (w[:, 0] + w[:, 1])
        m = robustness(units, indicator_set(extra=[bonus]), samples=101, seed=seed)["M"]
        assert (m.median_rank, m.p05, m.p95) == _oracle([1 + (x > 0.475) + (x > 0.575) for x in f]), seed


def test_nothing_to_rank_and_the_method_in_words() -> None:
    assert robustness([], indicator_set()) == {}
    assert method_text() == ("各得分指标权重在 ±20% 内随机浮动 1000 次（随机种子 20221123），"
                             "并逐一剔除每项指标，按与正式结果相同的方法重新计算总分与名次（一票否决的名次规则照样适用）；"
                             "区间为第 5 至第 95 百分位名次，公布名次在此之外时延伸至公布名次。")
    assert method_text(samples=10, spread=0.1, seed=7).startswith(
        "各得分指标权重在 ±10% 内随机浮动 10 次（随机种子 7）")
