"""Ranks, region ranks, tiers and the listing order, each worked by hand (scoring/scores/ranking.py)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pytest

from scoring.indicators.models import TierTable
from scoring.scores.models import UnitScore, UnitStatus, VetoApplied
from scoring.scores.ranking import (
    assign_ranks,
    assign_tiers,
    listing_order,
    rank_class,
    rank_matrix,
    rank_values,
)

RankRule = Literal["keep", "last", "none"]


def veto(rank: RankRule = "keep", tier: str | None = None, grade_cap: str | None = None) -> VetoApplied:
    return VetoApplied(indicator="V1", name="重大事件", effect="…", explanation="…", rank=rank, tier=tier,
                       grade_cap=grade_cap)


def unit(code: str, total: float | None, region: str = "东部", grade: str | None = "合格",
         vetoes: tuple[VetoApplied, ...] = (), status: UnitStatus = UnitStatus.SCORED) -> UnitScore:
    return UnitScore(code=code, name=code, short_name=code, region=region, status=status, total=total,
                     grade=grade if status is UnitStatus.SCORED else None, vetoes=list(vetoes))


# -- tie rules ----------------------------------------------------------------------------------

def test_competition_and_dense_ties() -> None:
    # 90, 80, 80, 70: competition skips the place the tie used (1, 2, 2, 4); dense does not (1, 2, 2, 3)
    assert rank_values([90, 80, 80, 70], "competition") == [1, 2, 2, 4]
    assert rank_values([90, 80, 80, 70], "dense") == [1, 2, 2, 3]
    # order of the input is kept; three-way tie at the top
    assert rank_values([70, 90, 90, 90, 60], "competition") == [4, 1, 1, 1, 5]
    assert rank_values([70, 90, 90, 90, 60], "dense") == [2, 1, 1, 1, 3]
    assert rank_values([], "competition") == [] and rank_values([], "dense") == []
    assert rank_values([50.0], "dense") == [1]


def test_units_a_veto_ranks_last_follow_the_others_by_each_tie_rule() -> None:
    totals = np.array([[90.0, 99.0, 80.0, 80.0, 99.0, 10.0, 60.0]])
    classes: list[RankRule] = ["keep", "last", "keep", "keep", "last", "none", "last"]
    # keep: 90, 80, 80 → 1, 2, 2 (both rules). last: 99, 99, 60 ranked among themselves (1, 1, 3 /
    # 1, 1, 2) after the keep ones: competition adds the 3 keep units, dense the highest keep rank 2
    assert rank_matrix(totals, "competition", classes).tolist() == [[1, 4, 2, 2, 4, 0, 6]]
    assert rank_matrix(totals, "dense", classes).tolist() == [[1, 3, 2, 2, 3, 0, 4]]
    # every row (sample) is ranked on its own
    two = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    assert rank_matrix(two, "competition", ["keep", "keep", "last"]).tolist() == [[2, 1, 3], [1, 2, 3]]
    # only vetoed units: the last ones start at 1
    assert rank_matrix(np.array([[5.0, 7.0]]), "dense", ["last", "last"]).tolist() == [[2, 1]]
    assert rank_matrix(np.array([[5.0, 7.0]]), "competition", ["last", "none"]).tolist() == [[1, 0]]


def test_rank_class_takes_the_strongest_veto() -> None:
    assert rank_class(unit("a", 1)) == "keep"
    assert rank_class(unit("a", 1, vetoes=(veto("keep"),))) == "keep"
    assert rank_class(unit("a", 1, vetoes=(veto("keep"), veto("last")))) == "last"
    assert rank_class(unit("a", 1, vetoes=(veto("none"), veto("last")))) == "none"
    assert rank_class(unit("a", 1, vetoes=(veto("last"), veto("none"), veto("keep")))) == "none"


# -- national and region ranks ------------------------------------------------------------------

@pytest.mark.parametrize("ties, expected", [
    # code: (national, region)
    ("competition", {"e1": (1, 1), "w1": (2, 1), "e2": (3, 2), "e3": (3, 2), "w2": (3, 2),
                     "e4": (6, 4), "w3": (7, 3), "e5": (8, 5), "w4": (None, None)}),
    ("dense", {"e1": (1, 1), "w1": (2, 1), "e2": (3, 2), "e3": (3, 2), "w2": (3, 2),
               "e4": (4, 3), "w3": (5, 3), "e5": (6, 4), "w4": (None, None)}),
])
def test_national_and_region_ranks(ties: Literal["competition", "dense"],
                                   expected: dict[str, tuple[int | None, int | None]]) -> None:
    # 东部 e1 95, e2 80, e3 80, e4 70, e5 99 (rank last); 西部 w1 90, w2 80, w3 40, w4 (rank none)
    # national keep: 95, 90, 80, 80, 80, 70, 40 → competition 1 2 3 3 3 6 7, e5 after them 8;
    #                                            dense 1 2 3 3 3 4 5, e5 after the highest (5): 6
    # 东部 keep: 95, 80, 80, 70 → 1 2 2 4 / 1 2 2 3, e5 5 / 4; 西部: 90, 80, 40 → 1 2 3
    units = [unit("e1", 95), unit("e2", 80), unit("e3", 80), unit("e4", 70),
             unit("e5", 99, vetoes=(veto("last", "last"),)),
             unit("w1", 90, "西部"), unit("w2", 80, "西部"), unit("w3", 40, "西部"),
             unit("w4", 100, "西部", vetoes=(veto("none", "last"),)),
             unit("m1", None, "中部", status=UnitStatus.MISSING),
             unit("n1", None, "中部", status=UnitStatus.NOT_SCORED)]
    assign_ranks(units, ties)
    got = {u.code: (u.rank, u.rank_in_region) for u in units}
    assert got == {**expected, "m1": (None, None), "n1": (None, None)}


def test_a_region_with_one_unit_ranks_it_first_there() -> None:
    # 东部 a 50, b 60; 东北 c 40 alone: last nationally, first in its region
    units = [unit("a", 50), unit("b", 60), unit("c", 40, "东北")]
    assign_ranks(units, "competition")
    assert [(u.rank, u.rank_in_region) for u in units] == [(2, 2), (1, 1), (3, 1)]


# -- tiers ----------------------------------------------------------------------------------------

SHARES: dict[str, Any] = {
    "method": "rank_share", "max_points": 10,
    "tiers": [{"name": "第一档", "up_to_share": 0.3, "points": 10},
              {"name": "第二档", "up_to_share": 0.7, "points": 8},
              {"name": "第三档", "up_to_share": 0.9, "points": 6},
              {"name": "第四档", "up_to_share": 1, "points": 4}],
    "grade_limits": [{"grade": "不合格", "best": "第四档"}, {"grade": "优秀", "worst": "第二档"}],
}


def test_rank_shares_are_counted_over_the_units_that_hold_a_slot() -> None:
    table = TierTable.model_validate(SHARES)
    # ten slot units; positions 1 + (slot units with a higher total), whatever the tie rule:
    #   total    100  95  95  90  85  80  75  70  65  60
    #   position   1   2   2   4   5   6   7   8   9  10   share = position / 10
    #   tier       1   1   1   2   2   2   2   3   3   4   (≤ 0.3, ≤ 0.7, ≤ 0.9, ≤ 1)
    # b2 is 不合格 (a grade cap that keeps rank and tier): still holds its slot, but at best 第四档;
    # h (65) is 优秀: 第三档 by its share, but 优秀 allows at worst 第二档.
    # v (99, rank last, tier 第四档) and n (100, unranked, last tier) take no slot: were they
    # counted, d (90) would be at 5 of 12 and fall to 第二档.
    # k has a veto that keeps rank and tier (like a zeroed section): it holds slot 4 as usual.
    slots = [unit("a", 100), unit("b1", 95), unit("b2", 95, grade="不合格"), unit("k", 90, vetoes=(veto(),)),
             unit("e", 85), unit("f", 80), unit("g", 75), unit("g2", 70), unit("h", 65, grade="优秀"),
             unit("i", 60)]
    others = [unit("v", 99, grade="不合格", vetoes=(veto("last", "第四档", "不合格"),)),
              unit("n", 100, grade="不合格", vetoes=(veto("none", "last"),)),
              unit("m", None, status=UnitStatus.MISSING)]
    units = slots + others
    assign_tiers(units, table)
    tiers = {u.code: (u.tier, u.tier_points) for u in units}
    assert tiers == {
        "a": ("第一档", 10), "b1": ("第一档", 10), "b2": ("第四档", 4), "k": ("第二档", 8),
        "e": ("第二档", 8), "f": ("第二档", 8), "g": ("第二档", 8), "g2": ("第三档", 6),
        "h": ("第二档", 8), "i": ("第四档", 4), "v": ("第四档", 4), "n": ("第四档", 4),
        "m": (None, None)}


def test_a_tie_on_the_share_boundary_keeps_both_units_in_the_better_tier() -> None:
    table = TierTable.model_validate({**SHARES, "grade_limits": []})
    # 10 units: positions 1, 2, 3, 3, 5, …: 3 / 10 = 0.3 exactly, so both tied units are 第一档;
    # the next unit is at position 5 (not 4): 0.5 → 第二档
    units = [unit(c, t) for c, t in zip("abcdefghij", [100, 99, 98, 98, 97, 96, 95, 94, 93, 92],
                                         strict=True)]
    assign_tiers(units, table)
    assert [u.tier for u in units] == ["第一档"] * 4 + ["第二档"] * 3 + ["第三档"] * 2 + ["第四档"]


def test_a_tie_on_the_share_boundary_together_in_the_worse_tier() -> None:
    table = TierTable.model_validate({**SHARES, "grade_limits": [], "boundary_ties": "together_in_worse"})
    # the same 10 units: the tied pair now takes the position of its last, 4: 0.4 → both 第二档,
    # so 第一档 holds 2 units (short of its 3); the rest as before (5 / 10 = 0.5 → 第二档)
    units = [unit(c, t) for c, t in zip("abcdefghij", [100, 99, 98, 98, 97, 96, 95, 94, 93, 92],
                                         strict=True)]
    assign_tiers(units, table)
    assert [u.tier for u in units] == ["第一档"] * 2 + ["第二档"] * 5 + ["第三档"] * 2 + ["第四档"]


def test_a_demoted_unit_keeps_or_releases_its_slot() -> None:
    # 10 slot units at 100, 99, …, 91; b, c, d are 不合格 (at best 第四档).
    #   keep:    positions 1–10 of 10 → 1 1 1 2 2 2 2 3 3 4, then b, c, d moved to 第四档: 第一档
    #            holds a alone (its 3 slots are b, c, d's) and 第二档 d's slot empty
    #   release: b, c, d hold no slot; a e f g h i j at 1–7 of 7: 1/7, 2/7 ≤ 0.3 → 第一档,
    #            3/7, 4/7 → 第二档, 5/7 = 0.71, 6/7 → 第三档, 7/7 → 第四档
    grades = {"b": "不合格", "c": "不合格", "d": "不合格"}
    expected = {"keep": "1444222334", "release": "1444122334"}
    for slot, tiers in expected.items():
        table = TierTable.model_validate({**SHARES, "demoted_slot": slot})
        units = [unit(c, 100 - k, grade=grades.get(c, "合格")) for k, c in enumerate("abcdefghij")]
        assign_tiers(units, table)
        assert "".join(str(1 + (table.index(u.tier or "") or 0)) for u in units) == tiers, slot


def test_released_slots_are_counted_again_until_no_unit_moves() -> None:
    # 优秀 is at worst 第二档, 不合格 at best 第四档. 5 slot units; by release:
    #   round 1: a 不合格 at 1/5 → moved (第四档); e 优秀 at 5/5 → moved (第二档)
    #   round 2: b c d at 1/3, 2/3, 3/3 → 第二档, 第二档, 第四档; nobody moved
    # by keep: a 第四档, b 2/5 → 第二档, c 3/5 → 第二档, d 4/5 → 第三档, e 5/5 → 第二档 (its worst)
    units = [unit("a", 99, grade="不合格"), unit("b", 90), unit("c", 80), unit("d", 70),
             unit("e", 60, grade="优秀")]
    for slot, tiers in {"keep": "42232", "release": "42242"}.items():
        table = TierTable.model_validate({**SHARES, "demoted_slot": slot})
        assign_tiers(units, table)
        assert "".join(str(1 + (table.index(u.tier or "") or 0)) for u in units) == tiers, slot


def test_a_veto_sets_the_worst_tier_it_names() -> None:
    table = TierTable.model_validate({**SHARES, "grade_limits": []})
    units = [unit("a", 90), unit("b", 80, vetoes=(veto("keep", "第二档"),)),
             unit("c", 95, vetoes=(veto("keep", "第三档"), veto("keep", "第二档"))),
             unit("d", 99, vetoes=(veto("keep", "第二档"), veto("keep", "last"))),
             unit("e", 50)]
    assign_tiers(units, table)
    # a and e are the only slot units: 1 / 2 = 0.5 → 第二档, 2 / 2 = 1 → 第四档
    assert [u.tier for u in units] == ["第二档", "第二档", "第三档", "第四档", "第四档"]


def test_tiers_by_grade_and_by_score() -> None:
    by_grade = TierTable.model_validate({
        "method": "grade", "max_points": 10,
        "tiers": [{"name": "甲", "grades": ["优秀"], "points": 10},
                  {"name": "乙", "grades": ["合格", "基本合格"], "points": 6},
                  {"name": "丙", "grades": ["不合格"], "points": 2}],
        "grade_limits": [{"grade": "合格", "best": "丙"}]})
    units = [unit("a", 10, grade="优秀"), unit("b", 99, grade="基本合格"), unit("c", 99, grade="不合格"),
             unit("d", 99, grade=None), unit("e", 1, grade="优秀", vetoes=(veto("keep", "乙"),)),
             unit("f", 80, grade="合格")]
    assign_tiers(units, by_grade)
    # a 优秀 → 甲 whatever its total; d has no grade → the last tier; e's veto sets 乙;
    # f 合格 would be 乙, but the limit says 合格 is at best 丙
    assert [(u.tier, u.tier_points) for u in units] == [("甲", 10), ("乙", 6), ("丙", 2), ("丙", 2),
                                                        ("乙", 6), ("丙", 2)]
    by_score = TierTable.model_validate({
        "method": "score", "max_points": 10,
        "tiers": [{"name": "甲", "at_least": 90, "points": 10},
                  {"name": "乙", "at_least": 60, "below": 90, "points": 6}],
        "grade_limits": [{"grade": "不合格", "worst": "乙"}]})
    units = [unit("a", 90), unit("b", 89.99), unit("c", 60), unit("d", 59.99), unit("e", 95, grade="不合格")]
    assign_tiers(units, by_score)
    # 90 is 甲 (at_least), 89.99 and 60 乙, 59.99 is in no band: the last tier; a 不合格 unit
    # stays within 乙 (its worst), so e at 95 keeps 甲
    assert [u.tier for u in units] == ["甲", "乙", "乙", "乙", "甲"]


def test_listing_order() -> None:
    units = [unit("m2", None, status=UnitStatus.MISSING), unit("n1", None, status=UnitStatus.NOT_SCORED),
             unit("c", 80), unit("a", 80), unit("z", 99, vetoes=(veto("none", "last"),)),
             unit("y", 98, vetoes=(veto("none", "last"),)), unit("b", 90),
             unit("m1", None, status=UnitStatus.MISSING), unit("y0", 0.0, vetoes=(veto("none", "last"),)),
             unit("y1", 0.5, vetoes=(veto("none", "last"),))]
    assign_ranks(units, "competition")
    # ranked by rank (ties by code), then scored but unranked by total (0 is a total like any
    # other), then not scored, then missing
    assert [u.code for u in listing_order(units)] == ["b", "a", "c", "z", "y", "y1", "y0", "n1", "m1", "m2"]


def test_three_regions_and_a_total_of_zero() -> None:
    # 东部 a 0.5, b 0; 西部 c 3, d 2; 中部 e 1 → nationally c 3, d 2, e 1, a 0.5, b 0 (0 is a total)
    units = [unit("a", 0.5), unit("b", 0.0), unit("c", 3, "西部"), unit("d", 2, "西部"), unit("e", 1, "中部")]
    assign_ranks(units, "competition")
    assert [(u.code, u.rank, u.rank_in_region) for u in units] == [
        ("a", 4, 1), ("b", 5, 2), ("c", 1, 1), ("d", 2, 2), ("e", 3, 1)]


def test_grade_limits_naming_the_first_tier_or_no_tier() -> None:
    table = TierTable.model_validate({**SHARES, "grade_limits": [
        {"grade": "优秀", "best": "第一档"}, {"grade": "良好", "best": "无此档"},
        {"grade": "合格", "worst": "无此档"}]})
    # 4 slot units: shares 1/4, 2/4, 3/4, 4/4 → 第一档, 第二档, 第三档, 第四档; a limit that names the
    # first tier, or no tier at all, changes nothing
    units = [unit("a", 90, grade="优秀"), unit("b", 80, grade="良好"), unit("c", 70, grade="合格"),
             unit("d", 60, grade="合格")]
    assign_tiers(units, table)
    assert [u.tier for u in units] == ["第一档", "第二档", "第三档", "第四档"]


def test_a_unit_whose_veto_sets_its_tier_holds_no_slot() -> None:
    table = TierTable.model_validate({"method": "rank_share", "max_points": 10, "tiers": [
        {"name": "甲", "up_to_share": 0.5, "points": 10}, {"name": "乙", "points": 4}]})
    # w keeps its rank but its veto sets 乙: slots are a and b only, a at 1/2 → 甲, b at 2/2 → no
    # share reaches 1, so the last tier. A total of 0 is the lowest total, not a missing one.
    units = [unit("a", 0.5), unit("w", 99, vetoes=(veto("keep", "乙"),)), unit("b", 0.0)]
    assign_tiers(units, table)
    assert [(u.code, u.tier, u.tier_points) for u in units] == [
        ("a", "甲", 10), ("w", "乙", 4), ("b", "乙", 4)]


def test_a_share_no_tier_reaches_falls_to_the_last_of_three() -> None:
    # 甲 up to 1/4, 乙 up to 1/2, 丙 open-ended: c at 3/4 and d at 4/4 reach no share, so 丙
    # (the last tier, not the second)
    table = TierTable.model_validate({"method": "rank_share", "max_points": 10, "tiers": [
        {"name": "甲", "up_to_share": 0.25, "points": 10}, {"name": "乙", "up_to_share": 0.5, "points": 7},
        {"name": "丙", "points": 4}]})
    units = [unit("a", 90), unit("b", 80), unit("c", 70), unit("d", 60)]
    assign_tiers(units, table)
    assert [(u.tier, u.tier_points) for u in units] == [("甲", 10), ("乙", 7), ("丙", 4), ("丙", 4)]


def test_tiers_by_score_for_a_total_of_zero() -> None:
    table = TierTable.model_validate({"method": "score", "max_points": 10, "tiers": [
        {"name": "甲", "at_least": 1, "points": 10}, {"name": "乙", "below": 1, "points": 4}]})
    units = [unit("a", 0.0), unit("b", 1.0)]
    assign_tiers(units, table)
    assert [u.tier for u in units] == ["乙", "甲"]
