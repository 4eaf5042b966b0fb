"""What each rule kind says about itself: the method annex's sentence (``method_text``) and the
scorecard's advice (``advice``), for rules built as a config builds them and items named by hand.

Every expected sentence is written from the rule's own numbers, as an official reads it: the points
per event, the caps, the unit's figure beside the national median and best and how far it has to
move. Where a sentence may gain a clause later (task completion, the ratio's nothing-due words) the
test pins its parts rather than its end.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.rules import (
    BandsRule,
    LinearRule,
    Rule,
    RuleBase,
    RuleContext,
    rule_classes,
    rule_kind_label,
)
from scoring.indicators.rules.base import Relative
from scoring.indicators.rules.words import (
    Advice,
    Figures,
    RuleWords,
    Section,
    direction_words,
    unit_after,
    with_unit,
)

COUNT, AMOUNT, RATIO = ItemKind.COUNT, ItemKind.AMOUNT, ItemKind.RATIO


def _item(code: str, name: str, kind: ItemKind, unit: str | None = None) -> DataItem:
    return DataItem(code=code, name=name, kind=kind, unit=unit)


ITEMS = {i.code: i for i in [
    _item("cases_transferred", "移送公安机关案件数", COUNT, "件"),
    _item("goods_value", "查获侵权商品货值", AMOUNT, "万元"),
    _item("fake_goods_value", "查获假冒商品货值", AMOUNT, "万元"),
    _item("fines", "罚没金额", AMOUNT, "亿元"),
    _item("closure_rate", "行政处罚案件结案率", RATIO, "%"),
    _item("failure_rate", "抽检不合格率", RATIO, "%"),
    _item("disclosure_rate", "案件信息公开率", RATIO, "%"),
    _item("disclosed_admin", "行政处罚案件公开数", COUNT, "件"),
    _item("disclosed_court", "刑事判决案件公开数", COUNT, "件"),
    _item("decided_admin", "行政处罚决定数", COUNT, "件"),
    _item("decided_court", "刑事判决数", COUNT, "件"),
    _item("actions", "专项行动次数", COUNT, "次"),
    _item("reports", "侵权假冒举报数", COUNT),  # no unit of measure
    _item("complaints", "侵权假冒投诉量", COUNT, "件"),
    _item("notified", "被通报次数", COUNT, "次"),
    _item("notified_fixed", "被通报后按期整改到位次数", COUNT, "次"),
    _item("interviewed", "被约谈次数", COUNT, "次"),
    _item("supervised", "挂牌督办案件数", COUNT, "件"),
    _item("supervised_fixed", "挂牌督办按期办结数", COUNT, "件"),
    _item("reminded", "被书面提醒次数", COUNT),  # no unit: counted as 次
    _item("typical_cases", "入选全国典型案例数", COUNT, "件"),
    _item("commended", "获通报表扬次数", COUNT),
    _item("major_incident", "发生区域性、系统性重大事件", ItemKind.YES_NO),
    _item("incidents", "重大侵权假冒事件数", COUNT, "起"),
    _item("summary_date", "年度工作总结日期", ItemKind.DATE),
    _item("satisfaction", "社会满意度评分", AMOUNT),  # a score: no unit, not counted in whole numbers
]}


def rule(**data: Any) -> RuleBase:
    """A rule as the indicator file gives it."""
    built: RuleBase = TypeAdapter(Rule).validate_python(data)
    return built


def words(section: Section | None = None, *, points: float = 0.0, name: str = "", task_count: int = 0,
          figures: Figures | None = None) -> RuleWords:
    return RuleWords(ITEMS, section=section, points=points, name=name, task_count=task_count,
                     figures=figures)


# --- shared words -------------------------------------------------------------------------------

def test_shared_words() -> None:
    assert direction_words("higher_better") == "越高越好"
    assert direction_words("lower_better") == "越低越好"
    assert unit_after("89.3", "%") == "89.3%" and unit_after("41610.9", "亿元") == "41610.9 亿元"
    assert unit_after("12", None) == "12" and with_unit(5863, "件") == "5863 件"
    w = words()
    assert w.name_of("complaints") == "侵权假冒投诉量"
    assert w.name_of("not_an_item") == "not_an_item"  # an unknown code is shown as written
    assert w.unit_of("complaints") == "件" and w.unit_of("reports") == "" and w.unit_of("not_an_item") == ""
    assert w.unit_of("reports", "次") == "次" and w.unit_of("not_an_item", "次") == "次"
    assert w.show("closure_rate", 96.25) == "96.25%" and w.show("reports", 3) == "3"


def test_rule_kinds_are_named_in_chinese() -> None:
    assert rule_kind_label("task_completion") == "任务完成情况"
    assert rule_kind_label("bands") == "分档计分"
    assert rule_kind_label("deductions") == "计次扣分/加分"
    assert rule_kind_label("from_a_later_version") == "from_a_later_version"
    # a plain union of rule classes is read as well as the annotated one
    assert rule_classes(BandsRule | LinearRule) == {"bands": BandsRule, "linear": LinearRule}


# --- deductions ---------------------------------------------------------------------------------

FROM_MAX = {"kind": "deductions", "mode": "from_max", "cap": 8, "events": [
    {"item": "notified", "points": 2, "fixed_item": "notified_fixed", "fixed_points": 1, "cap": 6},
    {"item": "supervised", "points": 5},
    {"item": "reminded", "points": 0.5}]}
PENALTIES = {"kind": "deductions", "mode": "tally", "events": [
    {"item": "notified", "points": 2, "fixed_item": "notified_fixed", "fixed_points": 1},
    {"item": "interviewed", "points": 3, "fixed_points": 1.5}]}  # no fixed count: 1.5 never applies
BONUSES = {"kind": "deductions", "mode": "tally", "events": [
    {"item": "typical_cases", "points": 1.5, "cap": 3}, {"item": "commended", "points": 1}]}


def test_deductions_from_the_maximum_state_each_event_its_caps_and_the_floor() -> None:
    # 被通报 2 分 a time, 1 when put right on time, at most 6; 挂牌督办 5 a case; 书面提醒 0.5
    # (no unit: counted in 次); at most 8 in all, taken off the indicator's maximum
    assert rule(**FROM_MAX).method_text(words()) == (
        "被通报次数每 1 次 2 分（其中被通报后按期整改到位次数每 1 次 1 分），本类最多 6 分；"
        "挂牌督办案件数每 1 件 5 分；被书面提醒次数每 1 次 0.5 分，合计最多 8 分；从满分中扣减，最低 0 分")


def test_deductions_tally_says_whether_it_adds_or_takes_off() -> None:
    # the fixed-on-time clause needs both the fixed count and its reduced value
    penalties = rule(**PENALTIES)
    assert penalties.method_text(words("deduction")) == (
        "被通报次数每 1 次 2 分（其中被通报后按期整改到位次数每 1 次 1 分）；"
        "被约谈次数每 1 次 3 分；累计扣分")
    bonuses = rule(**BONUSES)
    assert bonuses.method_text(words("bonus")) == (
        "入选全国典型案例数每 1 件 1.5 分，本类最多 3 分；获通报表扬次数每 1 次 1 分；累计加分")
    # counted as points of a score section (its own section or none named)
    for section in (None, "score"):
        assert bonuses.method_text(words(section)) == (
            "入选全国典型案例数每 1 件 1.5 分，本类最多 3 分；获通报表扬次数每 1 次 1 分；累计计分")


def test_a_fixed_count_whose_occurrences_cost_the_same_is_not_a_clause() -> None:
    # 挂牌督办按期办结 is counted but costs the full 5 points: nothing to say about it
    same = rule(kind="deductions", mode="tally",
                events=[{"item": "supervised", "points": 5, "fixed_item": "supervised_fixed"}])
    assert same.method_text(words("deduction")) == "挂牌督办案件数每 1 件 5 分；累计扣分"
    advice = same.advice(words("deduction"))
    assert advice.rewards == "扣分：挂牌督办案件数每 1 件 5 分"
    assert advice.action.startswith("每避免 1 次即少扣相应分值：挂牌督办案件数每 1 件 5 分")


def test_deductions_advice_per_section() -> None:
    assert rule(**BONUSES).advice(words("bonus")) == Advice(
        "加分：入选全国典型案例数每 1 件 1.5 分；获通报表扬次数每 1 次 1 分",
        "争取更多入选全国典型案例数、获通报表扬次数")
    # a deduction section: each event avoided saves its points; one put right on time saves 2 − 1
    assert rule(**PENALTIES).advice(words("deduction")) == Advice(
        "扣分：被通报次数每 1 次 2 分；被约谈次数每 1 次 3 分",
        "每避免 1 次即少扣相应分值：被通报次数每 1 次 2 分；被约谈次数每 1 次 3 分"
        "；已发生的被通报次数按期整改到位（计入被通报后按期整改到位次数），每次少扣 1 分")
    # taken off the maximum of a score indicator: fewer is better, and one put right on time
    # saves 2 − 1 there too
    assert rule(**FROM_MAX).advice(words()) == Advice(
        "被通报次数、挂牌督办案件数、被书面提醒次数越少越好，从满分中扣减："
        "被通报次数每 1 次 2 分；挂牌督办案件数每 1 件 5 分；被书面提醒次数每 1 次 0.5 分",
        "每避免 1 次即少扣相应分值："
        "被通报次数每 1 次 2 分；挂牌督办案件数每 1 件 5 分；被书面提醒次数每 1 次 0.5 分"
        "；已发生的被通报次数按期整改到位（计入被通报后按期整改到位次数），每次少扣 1 分")
    # the points themselves of a score section: more is better, as a bonus is
    for section in (None, "score"):
        assert rule(**BONUSES).advice(words(section)) == Advice(
            "计分：入选全国典型案例数每 1 件 1.5 分；获通报表扬次数每 1 次 1 分",
            "争取更多入选全国典型案例数、获通报表扬次数")


def test_an_event_put_right_is_advised_only_where_it_costs_less() -> None:
    # a fixed count without its reduced value, or with the full value, saves nothing: no clause
    for fixed in ({}, {"fixed_points": 5}):
        same = rule(kind="deductions", mode="tally", events=[
            {"item": "supervised", "points": 5, "fixed_item": "supervised_fixed", **fixed}])
        action = same.advice(words("deduction")).action
        assert action == "每避免 1 次即少扣相应分值：挂牌督办案件数每 1 件 5 分"


# --- linear -------------------------------------------------------------------------------------

PER_CASE = {"kind": "linear", "items": ["cases_transferred"], "points_per": 0.5, "cap": 5}


def test_linear_method_text() -> None:
    text = rule(**PER_CASE).method_text(words())
    assert text.startswith("移送公安机关案件数每 1 件得 0.5 分，最高为") and text.endswith("5 分")
    # two amounts added, 1 point per 10 万元, capped by the indicator's maximum
    assert rule(kind="linear", items=["goods_value", "fake_goods_value"], per=10, points_per=1).method_text(
        words()) == "查获侵权商品货值 + 查获假冒商品货值每 10 万元得 1 分，最高为指标满分"
    # an item without a unit of measure is counted in 个
    assert rule(kind="linear", items=["reports"], points_per=0.3).method_text(words()) == (
        "侵权假冒举报数每 1 个得 0.3 分，最高为指标满分")


def test_linear_advice_says_how_many_more_bring_full_points() -> None:
    per_case = rule(**PER_CASE)  # 0.5 a case up to 5 points (the indicator has 8): 10 cases
    full = Advice("移送公安机关案件数：每 1 件得 0.5 分，最高 5 分", "移送公安机关案件数达到 10 件即得满分")
    assert per_case.advice(words(points=8)) == full
    assert per_case.advice(words(points=8, figures=Figures(own=6, median=8, best=20))) == Advice(
        full.rewards, "本单位移送公安机关案件数为 6 件，再增加 4 件（达到 10 件）即得满分")
    for own in (10, 12):  # at or past the 10 cases
        assert per_case.advice(words(points=8, figures=Figures(own=own, median=8, best=20))) == full
    # no cap: the indicator's 6 points at 1 point per 10 万元 take 60 万元
    assert rule(kind="linear", items=["goods_value", "fake_goods_value"], per=10, points_per=1).advice(
        words(points=6)) == Advice("查获侵权商品货值、查获假冒商品货值：每 10 万元得 1 分，最高 6 分",
                                   "查获侵权商品货值、查获假冒商品货值达到 60 万元即得满分")
    # 5 points at 0.3 a report: 16.7 reports, so 17 (no unit: 个)
    assert rule(kind="linear", items=["reports"], points_per=0.3, cap=5).advice(words(points=8)) == Advice(
        "侵权假冒举报数：每 1 个得 0.3 分，最高 5 分", "侵权假冒举报数达到 17 个即得满分")


# --- bands --------------------------------------------------------------------------------------

CLOSURE = {"kind": "bands", "item": "closure_rate", "bands": [
    {"at_least": 90, "points": 6}, {"at_least": 80, "below": 90, "points": 4}, {"below": 80, "points": 0}]}


def test_bands_method_text_lists_every_band() -> None:
    assert rule(**CLOSURE).method_text(words()) == (
        "按行政处罚案件结案率分档：≥ 90% 得 6 分；在 80%–90% 之间 得 4 分；< 80% 得 0 分")


def test_bands_advice_names_the_top_band_and_the_distance_to_it() -> None:
    closure = rule(**CLOSURE)
    assert closure.advice(words()) == Advice("行政处罚案件结案率 ≥ 90%得满分",
                                             "行政处罚案件结案率达到满分档（≥ 90%）")
    behind = closure.advice(words(figures=Figures(own=72.5, median=85, best=99))).action
    assert behind.startswith("本单位行政处罚案件结案率为 72.5%，再提高 17.5 个百分点")  # 90 − 72.5
    assert behind.endswith("即达到满分档（≥ 90%）")
    assert closure.advice(words(figures=Figures(own=90, median=85, best=99))).action == (
        "行政处罚案件结案率达到满分档（≥ 90%）")
    actions = rule(kind="bands", item="actions", bands=[
        {"at_least": 4, "points": 3}, {"at_least": 2, "below": 4, "points": 2}, {"below": 2, "points": 0}])
    assert actions.advice(words()) == Advice("专项行动次数 ≥ 4 次得满分", "专项行动次数达到满分档（≥ 4 次）")
    one = actions.advice(words(figures=Figures(own=1, median=3, best=6))).action
    assert one.startswith("本单位专项行动次数为 1 次，再") and one.endswith("3 次即达到满分档（≥ 4 次）")
    reports = rule(kind="bands", item="reports", bands=[{"at_least": 10, "points": 2}])  # no unit
    assert reports.advice(words()) == Advice("侵权假冒举报数 ≥ 10得满分", "侵权假冒举报数达到满分档（≥ 10）")
    # a top band open below (fewer is better): the band is named, no distance to it
    fewer = rule(kind="bands", item="complaints",
                 bands=[{"below": 100, "points": 5}, {"at_least": 100, "points": 0}])
    assert fewer.advice(words(figures=Figures(own=150, median=120, best=40))) == Advice(
        "侵权假冒投诉量 < 100 件得满分", "侵权假冒投诉量达到满分档（< 100 件）")


# --- task completion ----------------------------------------------------------------------------

PLACEHOLDERS = "（佐证材料只填“无”“/”“—”“暂无”“0”等占位文字或显示错误值的，按无佐证材料计）"


def test_task_completion_method_text() -> None:
    text = rule(kind="task_completion").method_text(words())
    assert text.startswith("所涉任务按报送状态计完成度：已完成 1、部分完成 0.5、未开展 0，不适用的任务不计入")
    assert "；满分 × 平均完成度" in text
    assert f"；无佐证材料的任务完成度最高按 50% 计{PLACEHOLDERS}" in text
    lenient = rule(kind="task_completion", credit={"部分完成": 0.6, "未开展": 0.2}, evidence_required=False)
    text = lenient.method_text(words())
    assert text.startswith("所涉任务按报送状态计完成度：已完成 1、部分完成 0.6、未开展 0.2，"
                           "不适用的任务不计入")
    assert "；满分 × 平均完成度" in text and "佐证" not in text
    strict = rule(kind="task_completion", without_evidence=0.3)
    assert f"；无佐证材料的任务完成度最高按 30% 计{PLACEHOLDERS}" in strict.method_text(words())


def test_task_completion_advice_prices_each_step() -> None:
    # 4 points over 8 tasks: 0.5 a task; 部分完成 → 已完成 gains 0.5 × (1 − 0.5), 未开展 → 已完成 0.5
    assert rule(kind="task_completion").advice(words(points=4, task_count=8)) == Advice(
        "工作要点 8 项任务的落实：已完成计全分，部分完成计 50%，未开展不计分；无佐证材料的最多计 50%",
        "每项任务由部分完成推进到已完成可多得 0.25 分，由未开展推进到已完成可多得 0.5 分"
        "；报送时为已完成的任务列明佐证材料")
    lenient = rule(kind="task_completion", evidence_required=False)
    assert lenient.advice(words(points=4, task_count=8)) == Advice(
        "工作要点 8 项任务的落实：已完成计全分，部分完成计 50%，未开展不计分",
        "每项任务由部分完成推进到已完成可多得 0.25 分，由未开展推进到已完成可多得 0.5 分")
    # 6 points over 4 tasks: 1.5 a task; 部分完成 credited 0.6 → 1.5 × 0.4; 未开展 0.2 → 1.5 × 0.8
    graded = rule(kind="task_completion", credit={"部分完成": 0.6, "未开展": 0.2}, without_evidence=0.4)
    advice = graded.advice(words(points=6, task_count=4))
    assert advice.action == ("每项任务由部分完成推进到已完成可多得 0.6 分，由未开展推进到已完成可多得 1.2 分"
                             "；报送时为已完成的任务列明佐证材料")
    assert advice.rewards.endswith("；无佐证材料的最多计 40%")


def test_task_completion_advice_states_each_status_as_the_config_credits_it() -> None:
    graded = rule(kind="task_completion", credit={"部分完成": 0.6, "未开展": 0.2}, without_evidence=0.4)
    assert graded.advice(words(points=6, task_count=4)).rewards == (
        "工作要点 4 项任务的落实：已完成计全分，部分完成计 60%，未开展计 20%；无佐证材料的最多计 40%")
    # a config that credits 已完成 at 90% and 部分完成 at nothing says so
    odd = rule(kind="task_completion", credit={"已完成": 0.9, "部分完成": 0}, evidence_required=False)
    assert odd.advice(words(points=6, task_count=4)).rewards == (
        "工作要点 4 项任务的落实：已完成计 90%，部分完成不计分，未开展不计分")


# --- ratio target -------------------------------------------------------------------------------

def test_ratio_target_method_text() -> None:
    reported = rule(kind="ratio_target", item="disclosure_rate", target=95, floor=60)
    text = reported.method_text(words())
    assert text == "比率 = 案件信息公开率；达到 95% 得满分，不高于 60% 得 0 分，其间按比例计分"
    counted = {"kind": "ratio_target", "numerator": ["disclosed_admin", "disclosed_court"],
               "denominator": ["decided_admin", "decided_court"], "target": 90}
    head = ("比率 = （行政处罚案件公开数 + 刑事判决案件公开数）÷（行政处罚决定数 + 刑事判决数）× 100%；"
            "达到 90% 得满分，不高于 0% 得 0 分，其间按比例计分")
    for when, said in [("full", "得满分"), ("zero", "得 0 分"),
                       ("exclude", "本项不计入，按本部分其余指标折算"), ("missing", "按缺失处理")]:
        text = rule(**counted, when_nothing_due=when).method_text(words())
        assert text.startswith(head) and f"；分母为 0 时{said}" in text, when


def test_ratio_target_advice_counts_the_points_per_percentage_point() -> None:
    reported = rule(kind="ratio_target", item="disclosure_rate", target=95, floor=60)
    rewards = "案件信息公开率达到 95% 得满分，不高于 60% 不得分"
    assert reported.advice(words(points=5)) == Advice(rewards, "将案件信息公开率提高到 95% 以上")
    # 5 points over 60 %–95 %: 5 / 35 = 0.14 a percentage point
    assert reported.advice(words(points=5, figures=Figures(own=80, median=88, best=100))) == Advice(
        rewards, "本单位案件信息公开率为 80%（全国中位数 88%、最好 100%），提高到 95% 即得满分，"
                 "在 60% 以上每提高 1 个百分点多得 0.14 分")
    assert reported.advice(words(points=5, figures=Figures(own=95, median=88, best=100))) == Advice(
        rewards, "将案件信息公开率提高到 95% 以上")
    # counted from cases: the indicator's name says what the ratio is
    counted = rule(kind="ratio_target", numerator=["disclosed_admin"], denominator=["decided_admin"],
                   target=90)
    assert counted.advice(words(points=4, name="行政处罚案件信息公开率")) == Advice(
        "行政处罚案件信息公开率达到 90% 得满分，不高于 0% 不得分", "将行政处罚案件信息公开率提高到 90% 以上")


def test_nothing_due_scored_as_missing_keeps_the_indicators_maximum() -> None:
    counted = rule(kind="ratio_target", numerator=["disclosed_admin"], denominator=["decided_admin"],
                   target=90, when_nothing_due="missing")
    outcome = counted.evaluate(RuleContext(max_points=4, values={"disclosed_admin": 0, "decided_admin": 0},
                                           labels={"decided_admin": "行政处罚决定数"}))
    assert (outcome.points, outcome.max_points, outcome.missing) == (0.0, 4, ("decided_admin",))
    assert outcome.explanation == "行政处罚决定数 为 0，无应完成事项，按缺失处理"


# --- veto ---------------------------------------------------------------------------------------

KEEP_ALL = {"grade": "keep", "tier": "keep", "sections": [], "total": "keep", "rank": "keep"}


def test_veto_says_what_triggers_it_and_what_it_does() -> None:
    incident = rule(kind="veto", item="major_incident", effects={**KEEP_ALL, "grade": "不合格"})
    assert incident.method_text(words("veto")) == (
        "发生区域性、系统性重大事件为“是”即触发一票否决：等次最高为不合格")
    assert incident.advice(words("veto")) == Advice(
        "发生区域性、系统性重大事件为“是”即触发一票否决：等次最高为不合格",
        "杜绝发生区域性、系统性重大事件：一旦发生，等次最高为不合格")
    counted = rule(kind="veto", item="incidents", at_least=3, effects={
        **KEEP_ALL, "sections": ["A", "C"], "total": "zero", "rank": "last", "tier": "last"})
    text = counted.method_text(words("veto"))
    assert text.startswith("重大侵权假冒事件数达到 3 起即触发")  # the item's unit, as the advice says it
    assert counted.advice(words("veto")).rewards.startswith("重大侵权假冒事件数达到 3 起即触发一票否决：")
    assert text.endswith("即触发一票否决：A、C 部分得分清零；总分计 0 分；名次列于所有未被否决的单位之后；"
                         "列最后一档，不占档次比例")
    # a count without a unit of its own is counted in 次
    unitless = rule(kind="veto", item="reminded", at_least=2, effects={**KEEP_ALL, "grade": "不合格"})
    assert unitless.method_text(words("veto")) == "被书面提醒次数达到 2 次即触发一票否决：等次最高为不合格"


# --- timeliness ---------------------------------------------------------------------------------

def test_timeliness_advice_names_what_is_reported_once_and_the_grace() -> None:
    """2022's item is 年度工作总结及数据报送日期: the advice said 前报送年度工作总结及数据报送."""
    items = {"report_date": _item("report_date", "年度工作总结及数据报送日期", ItemKind.DATE)}
    graced = rule(kind="timeliness", item="report_date", deadline=date(2023, 1, 15), per_day=0.5,
                  grace_days=3)
    assert graced.advice(RuleWords(items=items)) == Advice(
        "在 2023年1月15日前报送（宽限 3 日），逾期每日扣 0.5 分",
        "在 2023年1月15日前报送年度工作总结及数据，每提前 1 日减少扣分 0.5 分")


def test_timeliness_states_the_deadline_the_daily_cost_grace_and_floor() -> None:
    graced = rule(kind="timeliness", item="summary_date", deadline=date(2023, 1, 15), per_day=0.5,
                  grace_days=3, floor=1)
    assert graced.method_text(words()) == (
        "年度工作总结日期不晚于 2023年1月15日得满分；每逾期 1 日扣 0.5 分，宽限 3 日，最低 1 分")
    strict = rule(kind="timeliness", item="summary_date", deadline=date(2023, 1, 20), per_day=1)
    assert strict.method_text(words()) == (
        "年度工作总结日期不晚于 2023年1月20日得满分；每逾期 1 日扣 1 分，最低 0 分")
    assert strict.advice(words()) == Advice("在 2023年1月20日前报送，逾期每日扣 1 分",
                                            "在 2023年1月20日前报送年度工作总结，每提前 1 日减少扣分 1 分")


# --- rank and goalposts: the method and the unit beside the median and best ---------------------

def test_rank_and_goalposts_method_text() -> None:
    linear = rule(kind="rank", item="cases_transferred", normalise="population")
    assert linear.method_text(words()) == (
        "按移送公安机关案件数（每万人）（越高越好）排名，"
        "满分 × (单位数 − 名次) / (单位数 − 1)，并列取较前名次")
    shares = rule(kind="rank", item="complaints", direction="lower_better", method="shares", shares=[
        {"up_to_share": 0.25, "points": 4}, {"up_to_share": 0.5, "points": 3},
        {"up_to_share": 1, "points": 1}])
    assert shares.method_text(words()) == (
        "按侵权假冒投诉量（越低越好）排名：前 25% 得 4 分；前 50% 得 3 分；前 100% 得 1 分")
    assert rule(kind="goalposts", item="goods_value", normalise="gdp").method_text(words()) == (
        "查获侵权商品货值（每亿元GDP）（越高越好）在全部单位最低值与最高值之间的位置 × 满分（全国极差法）")
    assert rule(kind="goalposts", item="complaints", direction="lower_better").method_text(words()) == (
        "侵权假冒投诉量（越低越好）在全部单位最低值与最高值之间的位置 × 满分（全国极差法）")


def test_relative_advice_without_figures_says_which_way_to_move() -> None:
    assert rule(kind="goalposts", item="cases_transferred").advice(words()) == Advice(
        "移送公安机关案件数在全国最低与最高之间所处的位置，数值越高得分越高",
        "提高移送公安机关案件数，向全国最好水平靠拢")
    assert rule(kind="goalposts", item="complaints", direction="lower_better").advice(words()) == Advice(
        "侵权假冒投诉量在全国最低与最高之间所处的位置，数值越低得分越高",
        "降低侵权假冒投诉量，向全国最好水平靠拢")
    assert rule(kind="rank", item="cases_transferred", normalise="population").advice(words()) == Advice(
        "按人口折算（每万人）的移送公安机关案件数在全国的排名，数值越高得分越高",
        "提高按人口折算（每万人）的移送公安机关案件数，向全国最好水平靠拢")


@pytest.mark.parametrize(("own", "action"), [
    # behind the median of 50: 20 more cases reach it
    (30, "本单位为 30 件，全国中位数 50 件、最好 90 件；增加 20 件即可达到全国中位数，得分随之提高"),
    # at the median: the next aim is the best, 40 away
    (50, "本单位为 50 件，全国中位数 50 件、最好 90 件；增加 40 件即可达到全国最好水平，得分随之提高"),
    (90, "本单位为 90 件，全国中位数 50 件、最好 90 件；已是全国最好，保持现有水平即可"),
])
def test_relative_advice_sets_a_count_beside_median_and_best(own: float, action: str) -> None:
    goalposts = rule(kind="goalposts", item="cases_transferred")
    assert goalposts.advice(words(figures=Figures(own=own, median=50, best=90))) == Advice(
        "移送公安机关案件数在全国最低与最高之间所处的位置，数值越高得分越高", action)


def test_relative_advice_amounts_and_percentages_are_not_rounded_up() -> None:
    # 亿元: 2 − 1.25 = 0.75 亿元 to the median, not a whole 1
    fines = rule(kind="goalposts", item="fines").advice(words(figures=Figures(own=1.25, median=2, best=3.4)))
    assert fines.action == ("本单位为 1.25 亿元，全国中位数 2 亿元、最好 3.4 亿元；"
                            "增加 0.75 亿元即可达到全国中位数，得分随之提高")
    # a rate, higher better: 90 − 82.5 = 7.5 up to the median
    rate = rule(kind="rank", item="closure_rate").advice(
        words(figures=Figures(own=82.5, median=90, best=98.6)))
    assert rate.rewards == "行政处罚案件结案率在全国的排名，数值越高得分越高"
    assert rate.action.startswith("本单位为 82.5%，全国中位数 90%、最好 98.6%；提高 7.5 个百分点")
    assert rate.action.endswith("即可达到全国中位数，得分随之提高")
    # a rate, lower better: 3.5 is already below the median 4, so the aim is the best 1.2: 2.3 down
    failures = rule(kind="rank", item="failure_rate", direction="lower_better")
    between = failures.advice(words(figures=Figures(own=3.5, median=4, best=1.2))).action
    assert between.startswith("本单位为 3.5%，全国中位数 4%、最好 1.2%；降低 2.3 个百分点")
    assert between.endswith("即可达到全国最好水平，得分随之提高")
    # no unit: 81.2 − 78.5 = 2.7 to the median, not a whole 3
    assert rule(kind="goalposts", item="satisfaction").advice(
        words(figures=Figures(own=78.5, median=81.2, best=88))).action == (
        "本单位为 78.5，全国中位数 81.2、最好 88；增加 2.7 即可达到全国中位数，得分随之提高")
    at_median = failures.advice(words(figures=Figures(own=4, median=4, best=1.2))).action
    assert at_median.startswith("本单位为 4%，全国中位数 4%、最好 1.2%；降低 2.8 个百分点")
    assert at_median.endswith("即可达到全国最好水平，得分随之提高")


def test_relative_advice_scaled_figures_are_shown_per_head_and_the_gap_in_the_units_own_terms() -> None:
    # per 万人, 300 万人: 6 cases are 0.02 per 万人; the median 0.0455 is 0.0255 × 300 = 7.65 cases
    # away, so about 8 more (cases come whole)
    per_head = rule(kind="rank", item="cases_transferred", normalise="population")
    assert per_head.advice(words(figures=Figures(own=0.02, median=0.0455, best=0.1, size=300))).action == (
        "本单位为 6 件（折合每万人 0.02 件），全国中位数为每万人 0.0455 件、最好为每万人 0.1 件；"
        "增加约 8 件即可达到全国中位数，得分随之提高")
    # per 亿元 GDP, 2000 亿元: 1200 万元 are 0.6 per 亿元; the median 0.7512 is 302.4 万元 away
    per_gdp = rule(kind="goalposts", item="goods_value", normalise="gdp")
    advice = per_gdp.advice(words(figures=Figures(own=0.6, median=0.7512, best=2.5, size=2000)))
    assert advice == Advice(
        "按经济规模折算（每亿元地区生产总值）的查获侵权商品货值在全国最低与最高之间所处的位置，数值越高得分越高",
        "本单位为 1200 万元（折合每亿元GDP 0.6 万元），"
        "全国中位数为每亿元GDP 0.7512 万元、最好为每亿元GDP 2.5 万元；"
        "增加约 302.4 万元即可达到全国中位数，得分随之提高")
    # no unit, fewer is better, per 万人 of 250 万人: 0.8 against the median 0.6 is 50 reports too many
    fewer = rule(kind="rank", item="reports", normalise="population", direction="lower_better")
    assert fewer.advice(words(figures=Figures(own=0.8, median=0.6, best=0.2, size=250))).action == (
        "本单位为 200（折合每万人 0.8），全国中位数为每万人 0.6、最好为每万人 0.2；"
        "减少约 50 即可达到全国中位数，得分随之提高")
    # a percentage scaled per 万人 keeps its % against the number, as it is written unscaled
    odd = rule(kind="rank", item="closure_rate", normalise="population")
    assert odd.advice(words(figures=Figures(own=0.3, median=0.32, best=0.4, size=300))).action.startswith(
        "本单位为 90%（折合每万人 0.3%），全国中位数为每万人 0.32%、最好为每万人 0.4%；")
    # a count without a unit is still counted whole: 0.81 − 0.6 is 52.5 reports, so about 53
    assert fewer.advice(words(figures=Figures(own=0.81, median=0.6, best=0.2, size=250))).action.endswith(
        "；减少约 53 即可达到全国中位数，得分随之提高")


# --- what the audit's 复算 tables say a relative rule compares ----------------------------------

TIES_SHARED = "折算值相同的单位并列，取较前名次，下一名次顺延（1、2、2、4）"


def test_rank_relative_states_the_place_and_the_points_formula() -> None:
    linear = rule(kind="rank", item="cases_transferred", normalise="population")
    assert linear.relative() == Relative(
        item="cases_transferred", normalise="population", direction="higher_better", ranked=True,
        formula="名次 = 折算值高于本单位的单位数 + 1；"
                "得分 = 满分 × (单位数 − 名次) / (单位数 − 1)（得分不超过满分）",
        ties=TIES_SHARED)
    # the bands are listed from the smallest share up, whatever their order in the file
    shares = rule(kind="rank", item="complaints", direction="lower_better", method="shares", shares=[
        {"up_to_share": 1, "points": 1}, {"up_to_share": 0.25, "points": 4},
        {"up_to_share": 0.5, "points": 3}])
    assert shares.relative() == Relative(
        item="complaints", normalise="none", direction="lower_better", ranked=True,
        formula="名次 = 折算值低于本单位的单位数 + 1；按第一个满足的档次计分："
                "名次 / 单位数 ≤ 25% 得 4 分；名次 / 单位数 ≤ 50% 得 3 分；名次 / 单位数 ≤ 100% 得 1 分；"
                "其后不得分（得分不超过满分）",
        ties=TIES_SHARED)


def test_goalposts_relative_states_the_min_max_formula() -> None:
    ties = "折算值相同的单位得分相同；全部单位折算值相同时均得满分"
    among = "，x 为本单位的折算值，最低值、最高值取参与比较的全部单位（含本单位）"
    assert rule(kind="goalposts", item="goods_value", normalise="gdp").relative() == Relative(
        item="goods_value", normalise="gdp", direction="higher_better",
        formula=f"得分 = 满分 × (x − 最低值) / (最高值 − 最低值){among}", ties=ties)
    assert rule(kind="goalposts", item="complaints", direction="lower_better").relative() == Relative(
        item="complaints", normalise="none", direction="lower_better",
        formula=f"得分 = 满分 × (最高值 − x) / (最高值 − 最低值){among}", ties=ties)
