"""Counted deductions, worked by hand on the 2022 indicators that use them (rules/deductions.py).

C2 数据完整性 (4 points, from_max): 0.5 off per blank required field.
C3 数据准确性 (4 points, from_max): 1 off per data error.
E1 通报、约谈、挂牌督办 (deduction section, tally, cap 10): 2 / 3 / 5 per 通报 / 约谈 / 挂牌督办,
   1 / 1.5 / 2.5 when put right on time.
"""

from __future__ import annotations

import pytest

from scoring.indicators.evaluate import evaluate_indicator, final_result
from scoring.indicators.models import Indicator
from scoring.indicators.rules import DeductionsRule, RuleContext
from scoring.indicators.store import load_indicator_set

SET_2022 = load_indicator_set("2022")
INDICATORS = {i.id: i for _, i in SET_2022.indicators()}
NAMES = {i.code: i.name for i in SET_2022.items}
MEASURES = {i.code: i.unit or "" for i in SET_2022.items}


def points_and_text(indicator: Indicator, **values: int | None) -> tuple[float, str]:
    ctx = RuleContext(max_points=indicator.points, values=values, labels=NAMES, units=MEASURES)
    outcome = evaluate_indicator(indicator, ctx)
    assert outcome.outcome.max_points == indicator.points and outcome.max_points == indicator.points
    return outcome.points, outcome.outcome.explanation


@pytest.mark.parametrize("errors, points, text", [
    (2, 2.0, "数据差错项数 2 项：2 × 1 = 2 分；4 − 2 = 2 分"),  # 4 − 2 × 1
    (1, 3.0, "数据差错项数 1 项：1 × 1 = 1 分；4 − 1 = 3 分"),
    (0, 4.0, "无相关记录；4 − 0 = 4 分"),
    (6, 0.0, "数据差错项数 6 项：6 × 1 = 6 分，合计 6 分，封顶 4 分；4 − 4 = 0 分"),  # at most the 4
    (4, 0.0, "数据差错项数 4 项：4 × 1 = 4 分；4 − 4 = 0 分"),  # exactly the 4: nothing was cut
])
def test_c3_takes_one_point_off_per_error(errors: int, points: float, text: str) -> None:
    assert points_and_text(INDICATORS["C3"], data_errors=errors) == (points, text)


def test_c2_takes_half_a_point_off_per_blank_field() -> None:
    # 3 blanks: 4 − 3 × 0.5 = 2.5
    assert points_and_text(INDICATORS["C2"], data_blank_fields=3) == (
        2.5, "必填数据缺漏项数 3 项：3 × 0.5 = 1.5 分；4 − 1.5 = 2.5 分")


def test_a_blank_count_is_missing_not_zero() -> None:
    ctx = RuleContext(max_points=4, values={"data_errors": None}, labels=NAMES, units=MEASURES)
    outcome = INDICATORS["C3"].rule.evaluate(ctx)
    assert (outcome.points, outcome.max_points, outcome.missing, outcome.explanation) == (
        0.0, 4, ("data_errors",), "数据差错项数 未填报，按缺失处理")


E1_ZERO = {"notified_count": 0, "notified_fixed": 0, "interviewed_count": 0, "interviewed_fixed": 0,
           "supervised_count": 0, "supervised_fixed": 0}


@pytest.mark.parametrize("values, points, text", [
    # 通报 2 (1 on time): 1 × 2 + 1 × 1 = 3; 约谈 1: 3; 挂牌督办 1 on time: 0 × 5 + 1 × 2.5 = 2.5 → 8.5
    ({"notified_count": 2, "notified_fixed": 1, "interviewed_count": 1, "supervised_count": 1,
      "supervised_fixed": 1}, 8.5,
     "被通报次数 2 次（其中按期整改 1 次）：1 × 2 + 1 × 1 = 3 分；被约谈次数 1 次：1 × 3 = 3 分；"
     "被挂牌督办次数 1 次（其中按期整改 1 次）：0 × 5 + 1 × 2.5 = 2.5 分；计 8.5 分"),
    # 挂牌督办 3: 15, at most 10
    ({"supervised_count": 3}, 10.0, "被挂牌督办次数 3 次：3 × 5 = 15 分，合计 15 分，封顶 10 分；计 10 分"),
    # one kind of event: its own line is the whole explanation
    ({"notified_count": 1}, 2.0, "被通报次数 1 次：1 × 2 = 2 分"),
    # more put right than happened counts as all of them put right: 2 × 1
    ({"notified_count": 2, "notified_fixed": 5}, 2.0,
     "被通报次数 2 次（其中按期整改 2 次）：0 × 2 + 2 × 1 = 2 分"),
    ({}, 0.0, "无相关记录；计 0 分"),
])
def test_e1_tallies_each_event(values: dict[str, int], points: float, text: str) -> None:
    assert points_and_text(INDICATORS["E1"], **{**E1_ZERO, **values}) == (points, text)


def test_a_fired_deduction_lowers_the_section_and_the_total() -> None:
    # sections C and E only, the other C indicators blank (0 points): C2 with 3 blanks 2.5 and C3
    # with 2 errors 2 give C = 4.5; E1 with one 通报 takes 2 off: total 4.5 − 2 = 2.5
    outcomes = {}
    for section, indicator in SET_2022.indicators():
        values = {**E1_ZERO, "data_blank_fields": 3, "data_errors": 2, "notified_count": 1}
        ctx = RuleContext(max_points=indicator.points, values=values, labels=NAMES, units=MEASURES)
        if section.id in ("C", "E"):
            outcomes[indicator.id] = evaluate_indicator(indicator, ctx)
    result = final_result(SET_2022, outcomes)
    assert result.sections["C"] == 4.5 and result.sections["E"] == 2.0
    assert result.total == 2.5 and result.total_exact == 2.5


def test_put_right_on_time_is_shown_in_its_own_unit() -> None:
    rule = DeductionsRule.model_validate({"kind": "deductions", "mode": "tally", "events": [
        {"item": "a", "points": 2, "fixed_item": "f", "fixed_points": 1}]})
    outcome = rule.evaluate(RuleContext(max_points=10, values={"a": 2, "f": 1}, labels={"a": "被通报"},
                                        units={"a": "次", "f": "起"}))
    assert outcome.explanation == "被通报 2 次（其中按期整改 1 起）：1 × 2 + 1 × 1 = 3 分"


def test_a_rule_cap_and_an_event_cap() -> None:
    rule = DeductionsRule.model_validate({"kind": "deductions", "mode": "tally", "cap": 5, "events": [
        {"item": "a", "points": 2, "cap": 3}, {"item": "b", "points": 1}]})
    # a: 2 × 2 = 4, at most 3; b: 4 × 1 = 4; 3 + 4 = 7, at most the rule's 5 (below the maximum 10)
    outcome = rule.evaluate(RuleContext(max_points=10, values={"a": 2, "b": 4}))
    assert (outcome.points, outcome.explanation) == (
        5.0, "a 2：2 × 2 = 3 分，本类封顶 3 分；b 4：4 × 1 = 4 分，合计 7 分，封顶 5 分；计 5 分")
    from_max = rule.model_copy(update={"mode": "from_max"})
    assert from_max.evaluate(RuleContext(max_points=10, values={"a": 1, "b": 0})).points == 8.0  # 10 − 2
    # 4 − min(9, 4)
    assert from_max.evaluate(RuleContext(max_points=4, values={"a": 0, "b": 9})).points == 0.0
