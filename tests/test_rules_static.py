"""What the audit asks each rule kind: the best attainable points, the items it reads, and the
problems in its own settings (exact codes, messages and YAML paths), worked by hand."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.rules import LintContext, Rule, RuleFinding
from scoring.problems import Severity

NUMERIC = frozenset({ItemKind.COUNT, ItemKind.AMOUNT, ItemKind.RATIO})
QUANTITY = frozenset({ItemKind.COUNT, ItemKind.AMOUNT})
COUNT = frozenset({ItemKind.COUNT})


def rule(data: dict[str, Any]) -> Any:
    return TypeAdapter(Rule).validate_python(data)


def item(code: str, kind: ItemKind = ItemKind.COUNT, lo: float | None = None,
         hi: float | None = None) -> DataItem:
    return DataItem(code=code, name=code, kind=kind, min=lo, max=hi)


def lint(data: dict[str, Any], max_points: float, *items: DataItem) -> list[RuleFinding]:
    return rule(data).lint(LintContext(max_points=max_points, items={i.code: i for i in items}))


# -- best attainable points ---------------------------------------------------------------------

BANDS = {"kind": "bands", "item": "r", "bands": [{"at_least": 90, "points": 10},
                                                 {"at_least": 60, "below": 90, "points": 6},
                                                 {"below": 60, "points": 0}]}


@pytest.mark.parametrize("data, max_points, items, best", [
    # bands: the best band the item's bounds can reach
    (BANDS, 10, [], 10),
    (BANDS, 8, [], 8),  # a band worth more than the maximum is cut to it
    (BANDS, 10, [item("r", ItemKind.RATIO, 0, 89)], 6),  # 90 is out of reach
    (BANDS, 10, [item("r", ItemKind.RATIO, 0, 90)], 10),  # 90 itself is reachable
    (BANDS, 10, [item("r", ItemKind.RATIO, 95, 100)], 10),
    ({"kind": "bands", "item": "r", "bands": [{"below": 60, "points": 3}]}, 10,
     [item("r", ItemKind.RATIO, 60, 100)], 0),  # [60, 100] never falls below 60
    ({"kind": "bands", "item": "r", "bands": [{"below": 60, "points": 3}]}, 10,
     [item("r", ItemKind.RATIO, 59, 100)], 3),
    # linear: the cap, unless the items' upper bounds stop short of it
    ({"kind": "linear", "items": ["a", "b"], "points_per": 0.5}, 10, [], 10),
    ({"kind": "linear", "items": ["a", "b"], "points_per": 0.5, "cap": 4}, 10, [], 4),
    ({"kind": "linear", "items": ["a", "b"], "points_per": 0.5, "cap": 40}, 10, [], 10),
    ({"kind": "linear", "items": ["a", "b"], "points_per": 0.5}, 10, [item("a", hi=4), item("b", hi=6)],
     5),  # (4 + 6) × 0.5
    ({"kind": "linear", "items": ["a", "b"], "per": 2, "points_per": 0.5}, 10,
     [item("a", hi=4), item("b", hi=6)], 2.5),  # (4 + 6) / 2 × 0.5
    ({"kind": "linear", "items": ["a", "b"], "points_per": 0.5}, 10, [item("a", hi=4), item("b")], 10),
    ({"kind": "linear", "items": ["a"], "points_per": 1}, 10, [item("a", hi=40)], 10),
    # ratio_target: full, unless a reported ratio cannot reach the target
    ({"kind": "ratio_target", "item": "r", "target": 95}, 10, [], 10),
    ({"kind": "ratio_target", "item": "r", "target": 95}, 10, [item("r", ItemKind.RATIO, 0, 100)], 10),
    ({"kind": "ratio_target", "item": "r", "target": 95}, 10, [item("r", ItemKind.RATIO, 0, 95)], 10),
    ({"kind": "ratio_target", "item": "r", "target": 80, "floor": 40}, 10,
     [item("r", ItemKind.RATIO, 0, 70)], 7.5),  # 10 × (70 − 40) / (80 − 40)
    ({"kind": "ratio_target", "item": "r", "target": 80, "floor": 40}, 10,
     [item("r", ItemKind.RATIO, 0, 30)], 0),
    ({"kind": "ratio_target", "numerator": ["a"], "denominator": ["b"], "target": 80}, 10,
     [item("a", hi=1)], 10),
    # task_completion: the best credit
    ({"kind": "task_completion"}, 6, [], 6),
    ({"kind": "task_completion", "credit": {"已完成": 0.8, "部分完成": 0.5, "未开展": 0}}, 10, [], 8),
    ({"kind": "task_completion", "credit": {"已完成": 0.4, "部分完成": 0.6, "未开展": 0}}, 10, [], 6),
    ({"kind": "task_completion", "credit": {"已完成": 0.4, "部分完成": 0.2, "未开展": 0.5}}, 10, [], 5),
    # rank: first place
    ({"kind": "rank", "item": "a"}, 10, [], 10),
    ({"kind": "rank", "item": "a", "method": "shares",
      "shares": [{"up_to_share": 0.5, "points": 4}, {"up_to_share": 1, "points": 7}]}, 10, [], 7),
    ({"kind": "rank", "item": "a", "method": "shares",
      "shares": [{"up_to_share": 0.5, "points": 14}]}, 10, [], 10),
    ({"kind": "rank", "item": "a", "method": "shares"}, 10, [], 0),
    # goalposts and timeliness: full; a veto: nothing
    ({"kind": "goalposts", "item": "a"}, 10, [], 10),
    ({"kind": "timeliness", "item": "d", "deadline": "2031-01-15", "per_day": 1}, 10, [], 10),
    ({"kind": "veto", "item": "x", "effects": {"grade": "keep", "tier": "keep", "sections": [],
                                              "total": "zero", "rank": "keep"}}, 0, [], 0),
    # deductions: from_max starts full; a tally reaches what its events can add up to
    ({"kind": "deductions", "mode": "from_max", "events": [{"item": "a", "points": 1}]}, 4, [], 4),
    ({"kind": "deductions", "mode": "from_max", "events": [{"item": "a", "points": 1}]}, 4,
     [item("a", hi=2)], 4),  # no event at all is always possible
    ({"kind": "deductions", "mode": "tally", "events": [{"item": "a", "points": 0.5}]}, 4,
     [item("a", hi=4)], 2),  # 4 × 0.5
    ({"kind": "deductions", "mode": "tally", "events": [{"item": "a", "points": 1}]}, 4, [], 4),
    ({"kind": "deductions", "mode": "tally", "cap": 3, "events": [{"item": "a", "points": 1}]}, 4, [],
     3),
    ({"kind": "deductions", "mode": "tally", "events": [{"item": "a", "points": 1}]}, 4,
     [item("a", hi=2)], 2),
    ({"kind": "deductions", "mode": "tally", "events": [
        {"item": "a", "points": 1, "fixed_item": "f", "fixed_points": 1.5},
        {"item": "b", "points": 2, "cap": 3}]}, 10, [item("a", hi=2), item("b", hi=5)],
     6),  # a: 2 × max(1, 1.5) = 3; b: 5 × 2 = 10, at most 3; 3 + 3
    ({"kind": "deductions", "mode": "tally", "events": [{"item": "a", "points": 1},
                                                        {"item": "b", "points": 1}]}, 10,
     [item("a", hi=2), item("b")], 10),  # b has no bound: the cap
])
def test_best_attainable(data: dict[str, Any], max_points: float, items: list[DataItem],
                         best: float) -> None:
    assert rule(data).max_attainable(max_points, {i.code: i for i in items}) == best


# -- what each rule reads ------------------------------------------------------------------------

@pytest.mark.parametrize("data, referenced, kinds", [
    (BANDS, ["r"], {"r": NUMERIC}),
    ({"kind": "linear", "items": ["a", "b"], "points_per": 1}, ["a", "b"], {"a": QUANTITY, "b": QUANTITY}),
    ({"kind": "ratio_target", "item": "r", "target": 95}, ["r"], {"r": frozenset({ItemKind.RATIO})}),
    ({"kind": "ratio_target", "numerator": ["a"], "denominator": ["b", "c"], "target": 95},
     ["a", "b", "c"], {"a": QUANTITY, "b": QUANTITY, "c": QUANTITY}),
    ({"kind": "goalposts", "item": "g"}, ["g"], {"g": NUMERIC}),
    ({"kind": "rank", "item": "g"}, ["g"], {"g": NUMERIC}),
    ({"kind": "task_completion"}, [], {}),
    ({"kind": "timeliness", "item": "d", "deadline": "2031-01-15", "per_day": 1}, ["d"],
     {"d": frozenset({ItemKind.DATE})}),
    ({"kind": "deductions", "mode": "tally", "events": [{"item": "a", "points": 1, "fixed_item": "f"},
                                                        {"item": "b", "points": 1}]},
     ["a", "f", "b"], {"a": COUNT, "f": COUNT, "b": COUNT}),
    ({"kind": "veto", "item": "x", "effects": {"grade": "keep", "tier": "keep", "sections": [],
                                              "total": "zero", "rank": "keep"}},
     ["x"], {"x": frozenset({ItemKind.YES_NO, ItemKind.COUNT})}),
])
def test_items_read(data: dict[str, Any], referenced: list[str],
                    kinds: dict[str, frozenset[ItemKind]]) -> None:
    r = rule(data)
    assert r.referenced_items() == referenced and r.item_kinds_required() == kinds


# -- problems in a rule's own settings ---------------------------------------------------------

def test_bands_lint() -> None:
    gapped = {"kind": "bands", "item": "r", "bands": [{"at_least": 90, "points": 12},
                                                      {"at_least": 60, "below": 85, "points": 6},
                                                      {"below": 65, "points": 0}]}
    assert lint(gapped, 10, item("r", ItemKind.RATIO, 0, 100)) == [
        RuleFinding("band-overlap", Severity.ERROR, "区间 [60, 65) 被多个档次重复覆盖", ("bands", 1)),
        RuleFinding("band-gap", Severity.ERROR, "区间 [85, 90) 未被任何档次覆盖", ("bands", 0)),
        RuleFinding("rule-exceeds-max", Severity.WARNING, "档次分值 12 超过指标满分 10，将按满分截断",
                    ("bands", 0, "points"))]
    assert lint(BANDS, 10, item("r", ItemKind.RATIO, 0, 100)) == []
    assert lint(BANDS, 10) == []  # an unknown item: unbounded
    # the item's bounds limit where a gap matters: [0, 50) and [50, 100) cover a ratio in [0, 99]
    # but not 100 itself, nor anything outside [0, 100) when the item is unbounded
    halves = {"kind": "bands", "item": "r", "bands": [{"at_least": 0, "below": 50, "points": 0},
                                                      {"at_least": 50, "below": 100, "points": 10}]}
    assert lint(halves, 10, item("r", ItemKind.RATIO, 0, 99)) == []
    assert lint(halves, 10, item("r", ItemKind.RATIO, 0, 100)) == [
        RuleFinding("band-gap", Severity.ERROR, "区间 [100, 100) 未被任何档次覆盖", ("bands", 1))]
    assert lint(halves, 10, item("r", ItemKind.RATIO, None, 99)) == [
        RuleFinding("band-gap", Severity.ERROR, "区间 [-∞, 0) 未被任何档次覆盖", ("bands", 0))]
    assert [f.message for f in lint(halves, 10)] == ["区间 [-∞, 0) 未被任何档次覆盖",
                                                     "区间 [100, ∞) 未被任何档次覆盖"]


def test_linear_and_timeliness_lint() -> None:
    assert lint({"kind": "linear", "items": ["a"], "points_per": 1, "cap": 12}, 10) == [
        RuleFinding("rule-exceeds-max", Severity.WARNING, "封顶分 12 超过指标满分 10，将按满分截断",
                    ("cap",))]
    assert lint({"kind": "linear", "items": ["a"], "points_per": 1, "cap": 10}, 10) == []
    assert lint({"kind": "linear", "items": ["a"], "points_per": 1}, 10) == []
    late = {"kind": "timeliness", "item": "d", "deadline": "2031-01-15", "per_day": 1}
    assert lint({**late, "floor": 10}, 10) == [
        RuleFinding("rule-exceeds-max", Severity.WARNING, "最低得分 10 不低于指标满分，逾期不扣分",
                    ("floor",))]
    assert lint({**late, "floor": 9.5}, 10) == []


def test_deductions_lint() -> None:
    data = {"kind": "deductions", "mode": "tally", "cap": 12, "events": [
        {"item": "a", "points": 2, "fixed_item": "f", "fixed_points": 1},
        {"item": "b", "points": 2, "fixed_item": "g", "fixed_points": 3}]}
    assert lint(data, 10) == [
        RuleFinding("rule-exceeds-max", Severity.WARNING, "合计封顶 12 超过指标满分 10", ("cap",)),
        RuleFinding("rule-not-monotone", Severity.WARNING, "按期整改到位的每次分值不应高于未整改的",
                    ("events", 1, "fixed_points"))]
    assert lint({**data, "cap": 10, "events": data["events"][:1]}, 10) == []
    equal = {**data, "cap": None,
             "events": [{"item": "a", "points": 2, "fixed_item": "f", "fixed_points": 2}]}
    assert lint(equal, 10) == []


def test_rank_lint() -> None:
    base = {"kind": "rank", "item": "a", "method": "shares"}
    assert lint({**base, "method": "linear"}, 10) == []
    assert lint(base, 10) == [RuleFinding("rank-shares-missing", Severity.ERROR,
                                          "method 为 shares 时必须给出 shares 档次", ("shares",))]
    rising = {**base, "shares": [{"up_to_share": 0.8, "points": 6}, {"up_to_share": 0.3, "points": 4},
                                 {"up_to_share": 0.5, "points": 5}]}
    assert lint(rising, 10) == [
        RuleFinding("rule-not-monotone", Severity.WARNING, "排名越靠后得分不应越高", ("shares",)),
        RuleFinding("band-gap", Severity.WARNING, "排名在前 80% 之后的单位未被任何档次覆盖（得 0 分）",
                    ("shares",))]
    # equal points in neighbouring bands are fine; a gap only when the last band stops short of 100 %
    flat = {**base, "shares": [{"up_to_share": 0.3, "points": 4}, {"up_to_share": 0.6, "points": 4},
                               {"up_to_share": 1, "points": 2}]}
    assert lint(flat, 10) == []
    # the order is checked over sorted bands: 0.3 → 0.6 → 0.9, each pair in turn
    dip = {**base, "shares": [{"up_to_share": 0.3, "points": 4}, {"up_to_share": 0.9, "points": 3},
                              {"up_to_share": 0.6, "points": 2}, {"up_to_share": 1, "points": 1}]}
    assert [f.code for f in lint(dip, 10)] == ["rule-not-monotone"]


def test_task_completion_lint() -> None:
    def credit(done: float, partly: float, none: float) -> list[RuleFinding]:
        credits = {"已完成": done, "部分完成": partly, "未开展": none}
        return lint({"kind": "task_completion", "credit": credits}, 10)

    bad = [RuleFinding("rule-not-monotone", Severity.WARNING,
                       "任务完成度赋分应满足 已完成 ≥ 部分完成 ≥ 未开展", ("credit",))]
    assert credit(1, 0.5, 0) == [] and credit(0.5, 0.5, 0.5) == []
    assert credit(0.4, 0.5, 0) == bad and credit(1, 0.2, 0.3) == bad
