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
from typing import Any

import numpy as np

from scoring.indicators.evaluate import (
    IndicatorOutcome,
    evaluate_indicator,
    final_result,
    final_results,
    grade_of,
)
from scoring.indicators.models import IndicatorSet
from scoring.indicators.rounding import round_half_up, round_points
from scoring.indicators.rules import RuleContext, RuleOutcome, VetoEffect
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


def _set(sections: list[dict[str, Any]], total_points: float = 100) -> IndicatorSet:
    return IndicatorSet.model_validate({
        "year": 2030, "title": "合计手算", "basis": {"plan_title": "测试"}, "catalogue": "tasks/2030.yaml",
        "total_points": total_points, "rounding": {"decimals": 2, "mode": "half_up"},
        "grades": [{"name": "合格"}],
        "tiers": {"method": "score", "max_points": 10, "tiers": [{"name": "一档", "points": 10}]},
        "sections": sections})


LINEAR = {"kind": "linear", "items": ["n"], "points_per": 1}
VETO = {"kind": "veto", "item": "v", "effects": {"grade": "keep", "tier": "keep", "sections": [],
                                                 "total": "zero", "rank": "keep"}}


def _section(sid: str, kind: str, points: dict[str, float], cap: float | None = None) -> dict[str, Any]:
    rule = VETO if kind == "veto" else LINEAR
    section: dict[str, Any] = {"id": sid, "name": sid, "kind": kind, "indicators": [
        {"id": i, "name": i, "points": p, "rule": rule} for i, p in points.items()]}
    return section if cap is None else {**section, "cap": cap}


def test_sections_add_up_within_caps_and_the_total_within_its_range() -> None:
    # a veto section first, then S (score, 100), E (bonus, cap 5, two indicators of 4),
    # D (deduction, cap 6)
    s = _set([_section("V", "veto", {"V1": 0}), _section("S", "score", {"S1": 60, "S2": 40}),
              _section("E", "bonus", {"E1": 4, "E2": 4}, cap=5),
              _section("D", "deduction", {"D1": 8}, cap=6)])

    def result(**points: float) -> tuple[float, dict[str, float]]:
        final = final_results(s, [outcomes_of(points)], [[]])[0]
        return final.total, final.sections

    # 98 + min(4 + 4, 5) − 0 = 103, at most 100
    assert result(S1=60, S2=38, E1=4, E2=4, D1=0) == (100.0, {"S": 98, "E": 5, "D": 0})
    # 3 + 0 − min(8, 6) = −3, at least 0
    assert result(S1=3, S2=0, E1=0, E2=0, D1=8) == (0.0, {"S": 3, "E": 0, "D": 6})
    assert result(S1=50, S2=20, E1=1, E2=2, D1=4) == (69.0, {"S": 70, "E": 3, "D": 4})


def outcomes_of(points: dict[str, float], excluded: tuple[str, ...] = ()) -> dict[str, IndicatorOutcome]:
    return {i: IndicatorOutcome(indicator=i, points=0.0 if i in excluded else p, max_points=p,
                                excluded=i in excluded,
                                outcome=RuleOutcome(points=p, max_points=p, items=(), explanation=""))
            for i, p in points.items()}


def test_an_excluded_indicator_spreads_over_its_section_whatever_the_scale() -> None:
    # a 1-point set: S1 and S2 worth 0.5 each; S2 excluded, so S1's 0.25 counts for the whole
    # section: 0.25 × (0.5 + 0.5) / 0.5 = 0.5
    s = _set([_section("S", "score", {"S1": 0.5, "S2": 0.5})], total_points=1)
    final = final_results(s, [outcomes_of({"S1": 0.25, "S2": 0.5}, excluded=("S2",))], [[]])[0]
    assert (final.total, final.sections) == (0.5, {"S": 0.5})
    both = final_results(s, [outcomes_of({"S1": 0.25, "S2": 0.5})], [[]])[0]
    assert both.total == 0.75


def test_an_outcome_keeps_its_indicator_and_the_vetoes_it_met() -> None:
    s = _set([_section("S", "score", {"S1": 100})])
    indicator = s.sections[0].indicators[0]
    outcome = evaluate_indicator(indicator, RuleContext(max_points=100, values={"n": 7}))
    assert (outcome.indicator, outcome.points, outcome.max_points, outcome.excluded) == (
        "S1", 7.0, 100, False)
    effect = VetoEffect(grade_cap="合格")
    assert final_results(s, [{"S1": outcome}], [[effect]])[0].vetoes == [effect]
    assert final_result(s, {"S1": outcome}).vetoes == []
