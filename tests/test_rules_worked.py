"""Each rule kind on worked examples: points derived by hand and the explanation a unit reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from scoring.indicators.rules import ReferenceFigures, Rule, RuleContext, TaskState, TaskStatus, VetoEffect
from scoring.indicators.rules.base import fmt, fmt_sig
from scoring.indicators.rules.normalise import PeerStats
from scoring.indicators.rules.veto import VetoEffects

LABELS = {"r": "公开率", "a": "移送案件数", "x": "查处案件数", "d": "报送日期", "v": "发生重大事件"}
UNITS = {"r": "%", "a": "件", "x": ""}


def rule(data: dict[str, Any]) -> Any:
    return TypeAdapter(Rule).validate_python(data)


def outcome(data: dict[str, Any], max_points: float, **ctx: Any) -> tuple[float, str]:
    result = rule(data).evaluate(RuleContext(max_points=max_points, labels=LABELS, units=UNITS, **ctx))
    assert result.max_points == max_points
    return round(result.points, 10), result.explanation


DONE, PARTLY = TaskStatus.DONE, TaskStatus.PARTLY
NOT_STARTED, NA = TaskStatus.NOT_STARTED, TaskStatus.NOT_APPLICABLE
IDS = ("2030-01", "2030-02", "2030-03")


@pytest.mark.parametrize("data, states, points, text", [
    # (1 + 0.5) over 2 applicable tasks: 6 × 1.5 / 2
    ({}, {"2030-01": (DONE, True), "2030-02": (PARTLY, True), "2030-03": (NA, False)}, 4.5,
     "2 项任务完成度合计 1.5，6 × 1.5 / 2 = 4.5 分（1 项不适用，不计入）"),
    # done without evidence counts at most 0.5; a task without a status counts 0
    ({}, {"2030-01": (DONE, False), "2030-03": (NOT_STARTED, True)}, 1.0,
     "3 项任务完成度合计 0.5，6 × 0.5 / 3 = 1 分；1 项无佐证材料，按最高 50% 计；未填报落实情况：2030-02"),
    # partly done without evidence is already at 0.5: not marked as cut
    ({}, {"2030-01": (PARTLY, False), "2030-02": (DONE, True), "2030-03": (DONE, True)}, 5.0,
     "3 项任务完成度合计 2.5，6 × 2.5 / 3 = 5 分"),
    ({"evidence_required": False},
     {"2030-01": (DONE, False), "2030-02": (DONE, False), "2030-03": (DONE, False)}, 6.0,
     "3 项任务完成度合计 3，6 × 3 / 3 = 6 分"),
    ({"without_evidence": 0.25, "credit": {"已完成": 1, "部分完成": 0.75, "未开展": 0.1}},
     {"2030-01": (PARTLY, False), "2030-02": (NOT_STARTED, True), "2030-03": (DONE, True)}, 2.7,
     "3 项任务完成度合计 1.35，6 × 1.35 / 3 = 2.7 分；1 项无佐证材料，按最高 25% 计"),
])
def test_task_completion(data: dict[str, Any], states: dict[str, tuple[TaskStatus, bool]], points: float,
                         text: str) -> None:
    tasks = {t: TaskState(s, e) for t, (s, e) in states.items()}
    assert outcome({"kind": "task_completion", **data}, 6, tasks=tasks, task_ids=IDS) == (points, text)


def test_task_completion_with_no_applicable_task() -> None:
    result = rule({"kind": "task_completion"}).evaluate(RuleContext(
        max_points=6, task_ids=IDS[:2], tasks={t: TaskState(NA) for t in IDS[:2]}))
    assert (result.points, result.not_applicable, result.explanation) == (
        0.0, True, "所涉任务均不适用，本项不计分")


BANDS = {"kind": "bands", "item": "r", "bands": [{"at_least": 90, "points": 10},
                                                 {"at_least": 60, "below": 90, "points": 6},
                                                 {"below": 60, "points": 0}]}


@pytest.mark.parametrize("data, value, points, text", [
    (BANDS, 96, 10, "公开率 96% ≥ 90%，得满分 10 分"),
    (BANDS, 90, 10, "公开率 90% ≥ 90%，得满分 10 分"),
    (BANDS, 70, 6, "公开率 70% 在 60%–90% 之间，得 6 分"),
    (BANDS, 59.99, 0, "公开率 59.99% < 60%，得 0 分"),
    ({**BANDS, "bands": BANDS["bands"][:1]}, 50, 0, "公开率 50% 不在任何档次内，得 0 分"),
    ({"kind": "bands", "item": "a", "bands": [{"points": 4}]}, 3, 4, "移送案件数 3 件 任意值，得 4 分"),
    ({"kind": "bands", "item": "a", "bands": [{"at_least": 2, "below": 5, "points": 12}]}, 3, 10,
     "移送案件数 3 件 在 2件–5件 之间，得满分 10 分"),  # a band above the maximum gives the maximum
])
def test_bands(data: dict[str, Any], value: float, points: float, text: str) -> None:
    assert outcome(data, 10, values={data["item"]: value}) == (points, text)


@pytest.mark.parametrize("data, values, points, text", [
    ({"items": ["a"], "points_per": 0.5}, {"a": 7}, 3.5, "移送案件数 7 件，7 × 0.5 = 3.5，得 3.5 分"),
    ({"items": ["a"], "points_per": 0.5}, {"a": 30}, 10,
     "移送案件数 30 件，30 × 0.5 = 15，封顶 10 分，得 10 分"),
    ({"items": ["a"], "points_per": 0.5, "cap": 4}, {"a": 8}, 4, "移送案件数 8 件，8 × 0.5 = 4，得 4 分"),
    ({"items": ["a"], "points_per": 0.5, "cap": 4}, {"a": 9}, 4,
     "移送案件数 9 件，9 × 0.5 = 4.5，封顶 4 分，得 4 分"),
    ({"items": ["a", "b"], "per": 2, "points_per": 0.5}, {"a": 6, "b": 4}, 2.5,
     "移送案件数 + b = 10 件，10 / 2 × 0.5 = 2.5，得 2.5 分"),
])
def test_linear(data: dict[str, Any], values: dict[str, int], points: float, text: str) -> None:
    assert outcome({"kind": "linear", **data}, 10, values=values) == (points, text)


def test_blank_inputs_are_missing_not_zero() -> None:
    linear = rule({"kind": "linear", "items": ["a", "b"], "points_per": 1})
    blank = linear.evaluate(RuleContext(max_points=10, labels=LABELS, values={"a": 3, "b": None}))
    assert (blank.points, blank.missing, blank.items, blank.explanation) == (
        0.0, ("b",), ("a", "b"), "b 未填报，按缺失处理")
    both = linear.evaluate(RuleContext(max_points=10, labels=LABELS, values={}))
    assert (both.missing, both.explanation) == (("a", "b"), "移送案件数、b 未填报，按缺失处理")
    text = linear.evaluate(RuleContext(max_points=10, values={"a": "三", "b": date(2023, 1, 1)}))
    assert text.missing == ("a", "b")


@pytest.mark.parametrize("data, values, points, text", [
    ({"item": "r", "target": 95}, {"r": 96}, 10, "公开率 96% ≥ 95%，得满分 10 分"),
    ({"item": "r", "target": 95}, {"r": 95}, 10, "公开率 95% ≥ 95%，得满分 10 分"),
    ({"item": "r", "target": 95}, {"r": 76}, 8, "公开率 76%，10 × (76 − 0) / (95 − 0) = 8 分"),
    ({"item": "r", "target": 95}, {"r": 0}, 0, "公开率 0% ≤ 0%，得 0 分"),
    ({"item": "r", "target": 90, "floor": 50}, {"r": 40}, 0, "公开率 40% ≤ 50%，得 0 分"),
    ({"numerator": ["a"], "denominator": ["x"], "target": 90, "floor": 50}, {"a": 3, "x": 4}, 6.25,
     "移送案件数 / 查处案件数 = 3 / 4 = 75%，10 × (75 − 50) / (90 − 50) = 6.25 分"),
    ({"numerator": ["a", "b"], "denominator": ["x"], "target": 90}, {"a": 3, "b": 6, "x": 9}, 10,
     "移送案件数+b / 查处案件数 = 9 / 9 = 100% ≥ 90%，得满分 10 分"),
    ({"numerator": ["a"], "denominator": ["x"], "target": 90}, {"a": 0, "x": 4}, 0,
     "移送案件数 / 查处案件数 = 0 / 4 = 0% ≤ 0%，得 0 分"),
    ({"numerator": ["a"], "denominator": ["x", "c"], "target": 90}, {"a": 3, "x": 2, "c": 2}, 25 / 3,
     "移送案件数 / 查处案件数、c = 3 / 4 = 75%，10 × (75 − 0) / (90 − 0) = 8.33 分"),
    ({"numerator": ["a"], "denominator": ["x", "c"], "target": 90}, {"a": 0, "x": 0, "c": 0}, 10,
     "查处案件数、c 为 0，无应完成事项，得 10 分"),
    ({"numerator": ["a"], "denominator": ["x"], "target": 90}, {"a": 0, "x": 0}, 10,
     "查处案件数 为 0，无应完成事项，得 10 分"),
    ({"numerator": ["a"], "denominator": ["x"], "target": 90, "when_nothing_due": "zero"},
     {"a": 0, "x": 0}, 0, "查处案件数 为 0，无应完成事项，得 0 分"),
    ({"numerator": ["a"], "denominator": ["x"], "target": 90, "when_nothing_due": "exclude"},
     {"a": 0, "x": 0}, 0, "查处案件数 为 0，无应完成事项，本项不计分"),
])
def test_ratio_target(data: dict[str, Any], values: dict[str, int], points: float, text: str) -> None:
    assert outcome({"kind": "ratio_target", **data}, 10, values=values) == (round(points, 10), text)


def test_ratio_target_with_a_blank() -> None:
    result = rule({"kind": "ratio_target", "item": "r", "target": 95}).evaluate(
        RuleContext(max_points=10, labels=LABELS, values={"r": None}))
    assert (result.points, result.missing, result.explanation) == (0.0, ("r",), "公开率 未填报，按缺失处理")


def test_ratio_target_nothing_due_outcome() -> None:
    r = rule({"kind": "ratio_target", "numerator": ["a"], "denominator": ["x"], "target": 90})
    result = r.evaluate(RuleContext(max_points=10, labels=LABELS, values={"a": 0, "x": 0}))
    assert (result.points, result.max_points, result.items, result.missing) == (10.0, 10, ("a", "x"), ())


def test_ratio_target_nothing_due_may_count_as_missing() -> None:
    r = rule({"kind": "ratio_target", "numerator": ["a"], "denominator": ["x"], "target": 90,
              "when_nothing_due": "missing"})
    result = r.evaluate(RuleContext(max_points=10, labels=LABELS, values={"a": 0, "x": 0}))
    assert (result.points, result.missing, result.items, result.explanation) == (
        0.0, ("x",), ("a", "x"), "查处案件数 为 0，无应完成事项，按缺失处理")
    with pytest.raises(ValidationError, match="给出 item，或同时给出 numerator 和 denominator"):
        rule({"kind": "ratio_target", "item": "r", "numerator": ["a"], "denominator": ["x"], "target": 90})
    with pytest.raises(ValidationError, match="floor 应小于 target"):
        rule({"kind": "ratio_target", "item": "r", "target": 90, "floor": 90})


PEERS = {"x": {"u1": 100, "u2": 300, "u3": 200, "u4": None}}


@pytest.mark.parametrize("data, unit, points, text", [
    ({}, "u3", 5, "查处案件数 200，全部单位最低 100、最高 300，10 × (200 − 100) / (300 − 100) = 5 分"),
    ({}, "u2", 10, "查处案件数 300，全部单位最低 100、最高 300，10 × (300 − 100) / (300 − 100) = 10 分"),
    ({"direction": "lower_better"}, "u1", 10,
     "查处案件数 100，全部单位最低 100、最高 300，10 × (100 − 300) / (100 − 300) = 10 分"),
    ({"direction": "lower_better"}, "u3", 5,
     "查处案件数 200，全部单位最低 100、最高 300，10 × (200 − 300) / (100 − 300) = 5 分"),
    # per 万人: 100 / 10, 300 / 100, 200 / 10 → 10, 3, 20; u1 is at (10 − 3) / (20 − 3)
    ({"normalise": "population"}, "u1", 70 / 17,
     "查处案件数（每万人） 10，全部单位最低 3、最高 20，10 × (10 − 3) / (20 − 3) = 4.12 分"),
])
def test_goalposts(data: dict[str, Any], unit: str, points: float, text: str) -> None:
    references = {"u1": ReferenceFigures(10, 1), "u2": ReferenceFigures(100, 1),
                  "u3": ReferenceFigures(10, 1), "u4": ReferenceFigures(1, 1)}
    got = outcome({"kind": "goalposts", "item": "x", **data}, 10, values={"x": PEERS["x"][unit]}, peers=PEERS,
                  unit=unit, reference=references[unit], references=references)
    assert got == (round(points, 10), text)


def test_goalposts_when_all_report_the_same() -> None:
    same = {"x": {"u1": 7, "u2": 7}}
    assert outcome({"kind": "goalposts", "item": "x"}, 10, values={"x": 7}, peers=same, unit="u1") == (
        10, "查处案件数 7，各单位相同，得满分 10 分")


RANK_PEERS = {"x": {"a": 10, "b": 20, "c": 20, "d": 5, "e": None}}
SHARES = {"method": "shares", "shares": [{"up_to_share": 0.5, "points": 6},
                                         {"up_to_share": 0.25, "points": 10},
                                         {"up_to_share": 1, "points": 2}]}


@pytest.mark.parametrize("data, unit, points, text", [
    # 4 units report (e is blank): c ties b at the top → rank 1: 10 × (4 − 1) / (4 − 1)
    ({}, "c", 10, "查处案件数 20，在 4 个单位中排第 1 名，10 × (4 − 1) / (4 − 1) = 10 分"),
    # a: two units are better → rank 3: 10 × (4 − 3) / 3
    ({}, "a", 10 / 3, "查处案件数 10，在 4 个单位中排第 3 名，10 × (4 − 3) / (4 − 1) = 3.33 分"),
    ({"direction": "lower_better"}, "a", 20 / 3,
     "查处案件数 10，在 4 个单位中排第 2 名，10 × (4 − 2) / (4 − 1) = 6.67 分"),
    # lower is better and c ties b: only a and d (10, 5) are strictly better → rank 3
    ({"direction": "lower_better"}, "c", 10 / 3,
     "查处案件数 20，在 4 个单位中排第 3 名，10 × (4 − 3) / (4 − 1) = 3.33 分"),
    # shares, sorted by share: 1/4 ≤ 0.25 → 10; 2/4 ≤ 0.5 → 6; 3/4 ≤ 1 → 2
    (SHARES, "c", 10, "查处案件数 20，在 4 个单位中排第 1 名（前 25%），得 10 分"),
    (SHARES, "a", 2, "查处案件数 10，在 4 个单位中排第 3 名（前 100%），得 2 分"),
    ({"direction": "lower_better", **SHARES}, "a", 6,
     "查处案件数 10，在 4 个单位中排第 2 名（前 50%），得 6 分"),
    ({**SHARES, "shares": SHARES["shares"][:2]}, "d", 0,
     "查处案件数 5，在 4 个单位中排第 4 名（未进入任何档次），得 0 分"),
])
def test_rank(data: dict[str, Any], unit: str, points: float, text: str) -> None:
    got = outcome({"kind": "rank", "item": "x", **data}, 10, values={"x": RANK_PEERS["x"][unit]},
                  peers=RANK_PEERS, unit=unit)
    assert got == (round(points, 10), text)


def test_relative_rules_with_no_peers_reported() -> None:
    # the unit's own value is all there is: first of one, and the only value is both lowest and highest
    assert outcome({"kind": "rank", "item": "x"}, 10, values={"x": 3}, unit="a") == (
        10, "查处案件数 3，在 1 个单位中排第 1 名，10 × (1 − 1) / (1 − 1) = 10 分")
    assert outcome({"kind": "goalposts", "item": "x"}, 10, values={"x": 3}, unit="a") == (
        10, "查处案件数 3，各单位相同，得满分 10 分")


def test_rank_of_a_single_unit_is_full() -> None:
    assert outcome({"kind": "rank", "item": "x"}, 10, values={"x": 3}, peers={"x": {"a": 3}}, unit="a") == (
        10, "查处案件数 3，在 1 个单位中排第 1 名，10 × (1 − 1) / (1 − 1) = 10 分")


LATE = {"kind": "timeliness", "item": "d", "deadline": "2023-01-15", "per_day": 0.5, "floor": 1}


@pytest.mark.parametrize("data, day, points, text", [
    ({}, date(2023, 1, 10), 5, "报送日期 2023-01-10，未超过截止日期 2023-01-15，得满分 5 分"),
    ({}, date(2023, 1, 15), 5, "报送日期 2023-01-15，未超过截止日期 2023-01-15，得满分 5 分"),
    ({}, date(2023, 1, 19), 3, "报送日期 2023-01-19，逾期 4 日，5 − 0.5 × 4 = 3，得 3 分"),  # 5 − 0.5 × 4
    ({}, date(2023, 1, 23), 1,
     "报送日期 2023-01-23，逾期 8 日，5 − 0.5 × 8 = 1，得 1 分"),  # the floor itself
    ({}, date(2023, 2, 15), 1,
     "报送日期 2023-02-15，逾期 31 日，5 − 0.5 × 31 = -10.5，低于最低分，按 1 分计"),
    ({"grace_days": 2}, date(2023, 1, 19), 4,
     "报送日期 2023-01-19，逾期 4 日（宽限 2 日），5 − 0.5 × 2 = 4，得 4 分"),
    ({"grace_days": 5}, date(2023, 1, 19), 5,
     "报送日期 2023-01-19，逾期 4 日（宽限 5 日），5 − 0.5 × 0 = 5，得 5 分"),
    ({"floor": 9}, date(2023, 1, 30), 5,
     "报送日期 2023-01-30，逾期 15 日，5 − 0.5 × 15 = -2.5，低于最低分，按 5 分计"),
])
def test_timeliness(data: dict[str, Any], day: date, points: float, text: str) -> None:
    assert outcome({**LATE, **data}, 5, values={"d": day}) == (points, text)


def test_timeliness_needs_a_date() -> None:
    for value in (None, "2023-01-19", 44927):
        result = rule(LATE).evaluate(RuleContext(max_points=5, labels=LABELS, values={"d": value}))
        assert (result.points, result.missing) == (0.0, ("d",))


EFFECTS = {"grade": "不合格", "tier": "last", "sections": ["A", "B"], "total": "zero", "rank": "last"}


def test_veto_triggers_and_states_every_effect() -> None:
    yes_no = {"kind": "veto", "item": "v", "effects": EFFECTS}
    described = ("A、B 部分得分清零；总分计 0 分；等次最高为不合格；名次列于所有未被否决的单位之后；"
                 "列最后一档，不占档次比例")
    fired = rule(yes_no).evaluate(RuleContext(max_points=0, labels=LABELS, values={"v": True}))
    assert (fired.points, fired.explanation) == (0.0, f"发生重大事件：是，触发一票否决：{described}")
    assert fired.veto == VetoEffect(grade_cap="不合格", zero_sections=("A", "B"), zero_total=True,
                                    tier="last", rank="last")
    calm = rule(yes_no).evaluate(RuleContext(max_points=0, labels=LABELS, values={"v": False}))
    assert (calm.veto, calm.explanation) == (None, "发生重大事件：无，不触发一票否决")
    blank = rule(yes_no).evaluate(RuleContext(max_points=0, labels=LABELS, values={}))
    assert (blank.veto, blank.missing) == (None, ("v",))
    counted = {"kind": "veto", "item": "v", "at_least": 2, "effects": EFFECTS}
    assert rule(counted).evaluate(RuleContext(max_points=0, values={"v": 1})).veto is None
    two = rule(counted).evaluate(RuleContext(max_points=0, labels=LABELS, values={"v": 2}))
    assert two.veto is not None and two.explanation.startswith("发生重大事件：2，触发一票否决：")


@pytest.mark.parametrize("effects, described, effect", [
    ({"grade": "keep", "tier": "keep", "sections": [], "total": "keep", "rank": "keep"}, "无", VetoEffect()),
    ({"grade": "keep", "tier": "第四档", "sections": ["C"], "total": "keep", "rank": "none"},
     "C 部分得分清零；不参加排名；列第四档，不占档次比例",
     VetoEffect(zero_sections=("C",), tier="第四档", rank="none")),
    ({"grade": "合格", "tier": "第二档", "sections": [], "total": "keep", "rank": "keep"},
     "等次最高为合格；列第二档，不占档次比例", VetoEffect(grade_cap="合格", tier="第二档")),
])
def test_veto_effects_in_words_and_as_data(effects: dict[str, Any], described: str,
                                           effect: VetoEffect) -> None:
    parsed = VetoEffects.model_validate(effects)
    assert (parsed.describe(), parsed.as_effect()) == (described, effect)


def test_a_veto_that_moves_the_rank_must_place_the_tier() -> None:
    for rank in ("last", "none"):
        with pytest.raises(ValidationError, match="不占档次比例，须规定 tier"):
            VetoEffects.model_validate({**EFFECTS, "tier": "keep", "rank": rank})
    assert VetoEffects.model_validate({**EFFECTS, "tier": "keep", "rank": "keep"}).tier == "keep"


def test_numbers_in_explanations() -> None:
    # fmt: half up to 2 decimals, trailing zeros dropped; fmt_sig: 4 significant digits below 100
    assert [fmt(x) for x in (8, 96.2, 2.665, 0.125, 1.005, 100, -10.5, 0)] == [
        "8", "96.2", "2.67", "0.13", "1.01", "100", "-10.5", "0"]
    assert [fmt_sig(x) for x in (0, 0.009294, 25.125, 99.99, 100, 110.55, 123.456, 1)] == [
        "0", "0.009294", "25.12", "99.99", "100", "110.55", "123.46", "1"]
    assert fmt_sig(0.0123456, digits=3) == "0.0123" and fmt_sig(12.3456) == "12.35"


def test_outcomes_without_points_keep_their_maximum_and_items() -> None:
    blank = rule(BANDS).evaluate(RuleContext(max_points=10, values={}))
    assert (blank.max_points, blank.items) == (10, ("r",))
    top_only = rule({**BANDS, "bands": BANDS["bands"][:1]})
    nowhere = top_only.evaluate(RuleContext(max_points=10, values={"r": 5}))
    assert (nowhere.points, nowhere.max_points, nowhere.items) == (0.0, 10, ("r",))
    na = rule({"kind": "task_completion"}).evaluate(RuleContext(
        max_points=6, task_ids=IDS[:2], tasks={t: TaskState(NA) for t in IDS[:2]}))
    assert (na.max_points, na.items) == (6, ())
    for raw in (True, False):
        veto = rule({"kind": "veto", "item": "v", "effects": EFFECTS}).evaluate(
            RuleContext(max_points=0, values={"v": raw}))
        assert (veto.max_points, veto.items) == (0, ("v",))


def test_more_tasks_not_applicable_or_not_reported() -> None:
    tasks = {"2030-01": TaskState(NA), "2030-02": TaskState(NA), "2030-03": TaskState(DONE, True)}
    assert outcome({"kind": "task_completion"}, 6, tasks=tasks, task_ids=IDS) == (
        6.0, "1 项任务完成度合计 1，6 × 1 / 1 = 6 分（2 项不适用，不计入）")
    only_third = {"2030-03": TaskState(DONE, True)}
    assert outcome({"kind": "task_completion"}, 6, tasks=only_third, task_ids=IDS) == (
        2.0, "3 项任务完成度合计 1，6 × 1 / 3 = 2 分；未填报落实情况：2030-01、2030-02")


def test_a_yes_no_veto_fires_on_yes_whatever_the_count_threshold() -> None:
    counted = rule({"kind": "veto", "item": "v", "at_least": 2, "effects": EFFECTS})
    assert counted.evaluate(RuleContext(max_points=0, values={"v": True})).veto is not None
    assert counted.evaluate(RuleContext(max_points=0, values={"v": False})).veto is None


def test_one_day_late_and_per_gdp() -> None:
    assert outcome(LATE, 5, values={"d": date(2023, 1, 16)}) == (
        4.5, "报送日期 2023-01-16，逾期 1 日，5 − 0.5 × 1 = 4.5，得 4.5 分")
    # per 亿元 of GDP: 100 / 10 = 10, 300 / 100 = 3, 200 / 20 = 10 → u2 is lowest, u1 and u3 share the top
    references = {"u1": ReferenceFigures(1, 10), "u2": ReferenceFigures(1, 100),
                  "u3": ReferenceFigures(1, 20)}
    peers = {"x": {"u1": 100, "u2": 300, "u3": 200}}
    assert outcome({"kind": "goalposts", "item": "x", "normalise": "gdp"}, 10, values={"x": 300}, peers=peers,
                   unit="u2", reference=references["u2"], references=references) == (
        0, "查处案件数（每亿元GDP） 3，全部单位最低 3、最高 10，10 × (3 − 3) / (10 − 3) = 0 分")


def test_shared_lookups_without_any_reported_value() -> None:
    # the run's shared lookups hold nobody's value for x: the unit's own value is all there is
    stats = PeerStats({}, {})
    for kind in ("goalposts", "rank"):
        ctx = RuleContext(max_points=10, values={"x": 4}, unit="a", stats=stats)
        got = rule({"kind": kind, "item": "x"}).evaluate(ctx)
        assert got.points == 10, kind
