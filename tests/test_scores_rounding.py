"""Points stay exact and only the total is rounded, once (indicators/evaluate.py, rounding.py).

Four indicators L1–L4 of 25 points in one score section, totals rounded half up to 2 decimals:

  A: 0.334 each            exact 1.336 → published 1.34;  rounding each first: 4 × 0.33 = 1.32
  B: 1.325, 0, 0, 0        exact 1.325 → published 1.33;  rounding each first: 1.33
Rounded once A (1.34) is ahead of B (1.33); rounding each indicator first would put B (1.33)
ahead of A (1.32). Grades are read off the published total: C's exact 59.996 publishes as 60.00,
which is 合格 (at least 60), though the exact sum is below 60.
"""

from __future__ import annotations

import math

import numpy as np

from scoring.indicators.evaluate import IndicatorOutcome, final_results, grade_of
from scoring.indicators.models import IndicatorSet
from scoring.indicators.rounding import round_half_up, round_points
from scoring.indicators.rules import RuleOutcome, VetoEffect
from scoring.scores.ranking import rank_values


def indicator_set(decimals: int = 2) -> IndicatorSet:
    linear = {"kind": "linear", "items": ["n"], "points_per": 1}
    return IndicatorSet.model_validate({
        "year": 2030, "title": "舍入手算", "basis": {"plan_title": "测试"}, "catalogue": "tasks/2030.yaml",
        "total_points": 100, "rounding": {"decimals": decimals, "mode": "half_up"},
        "grades": [{"name": "合格", "at_least": 60}, {"name": "不合格", "below": 60}],
        "tiers": {"method": "score", "max_points": 10, "tiers": [{"name": "一档", "points": 10}]},
        "sections": [{"id": "S", "name": "工作成效", "indicators": [
            {"id": f"L{k}", "name": f"L{k}", "points": 25, "rule": linear} for k in range(1, 5)]}],
    })


def outcomes(*points: float) -> dict[str, IndicatorOutcome]:
    return {f"L{k}": IndicatorOutcome(indicator=f"L{k}", points=p, max_points=25,
                                      outcome=RuleOutcome(points=p, max_points=25, items=(), explanation=""))
            for k, p in enumerate(points, 1)}


UNITS = [outcomes(0.334, 0.334, 0.334, 0.334), outcomes(1.325, 0, 0, 0),
         outcomes(14.999, 14.999, 14.999, 14.999)]


def test_the_total_is_rounded_once_and_decides_the_order() -> None:
    results = final_results(indicator_set(), UNITS, [[], [], []])
    assert [r.total for r in results] == [1.34, 1.33, 60.0]
    assert [r.total_exact for r in results] == [0.334 + 0.334 + 0.334 + 0.334, 1.325, 4 * 14.999]
    assert results[0].sections == {"S": 0.334 + 0.334 + 0.334 + 0.334}  # sections stay exact
    assert rank_values([r.total for r in results[:2]], "competition") == [1, 2]
    each_first = [sum(round_points(o.points) for o in u.values()) for u in UNITS[:2]]
    assert rank_values(each_first, "competition") == [2, 1]  # what rounding each first would do
    assert [r.grade for r in results] == ["不合格", "不合格", "合格"]


def test_the_config_says_how_many_decimals() -> None:
    # one decimal: A 1.336 → 1.3, B 1.325 → 1.3: a tie; no decimals: 1 and 1
    assert [r.total for r in final_results(indicator_set(1), UNITS[:2], [[], []])] == [1.3, 1.3]
    assert [r.total for r in final_results(indicator_set(0), UNITS[:2], [[], []])] == [1.0, 1.0]


def test_vetoes_zero_sections_or_the_total_and_cap_the_grade() -> None:
    s = indicator_set()
    c = UNITS[2]
    zero_total = final_results(s, [c], [[VetoEffect(zero_total=True)]])[0]
    assert (zero_total.total, zero_total.total_exact, zero_total.grade) == (0.0, 0.0, "不合格")
    zero_section = final_results(s, [c], [[VetoEffect(zero_sections=("S",))]])[0]
    assert (zero_section.total, zero_section.sections) == (0.0, {"S": 0.0})
    capped = final_results(s, [c], [[VetoEffect(grade_cap="不合格")]])[0]
    assert (capped.total, capped.grade) == (60.0, "不合格")


def test_grades_and_caps() -> None:
    s = indicator_set()
    assert grade_of(s, 60.0) == "合格" and grade_of(s, 59.99) == "不合格"
    assert grade_of(s, 59.99, ["合格"]) == "不合格"  # a cap never raises a grade
    assert grade_of(s, 75.0, ["不存在", "不合格"]) == "不合格"  # unknown names are ignored
    assert grade_of(s, 75.0, ["不存在"]) == "合格"
    gapped = s.model_copy(update={"grades": [g.model_copy(update={"at_least": 70}) if g.name == "合格" else g
                                             for g in s.grades]})
    assert grade_of(gapped, 65.0) is None  # in no band
    assert grade_of(gapped, 65.0, ["不合格"]) == "不合格"


def test_half_up_for_numbers_and_arrays() -> None:
    # binary 2.675 is 2.67499999…, 1.005 is 1.00499999…: both still round up
    assert round_half_up(2.675, 2) == 2.68 and round_half_up(1.005, 2) == 1.01
    assert round_half_up(-2.675, 2) == -2.68 and round_half_up(0.5, 0) == 1.0
    assert round_half_up(1.2345, 3) == 1.235 and round_half_up(1.2344, 3) == 1.234
    zero = round_half_up(-0.001, 2)
    assert zero == 0.0 and math.copysign(1.0, zero) == 1.0  # never −0.0 (printed "-0.0")
    array = round_half_up(np.array([2.675, -0.004, 59.995]), 2)
    assert array.tolist() == [2.68, 0.0, 60.0] and str(array[1]) == "0.0"
    assert isinstance(round_half_up(2.675, 2), float)
    assert round_points(2.675) == 2.68 and round_points(3.14159) == 3.14
