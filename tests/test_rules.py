"""Rule kinds: property tests (points within [0, max], monotone where promised, caps kept) and examples."""

from __future__ import annotations

import typing
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from scoring.indicators.rounding import round_half_up, round_points
from scoring.indicators.rules import (
    RULE_CLASSES,
    BandsRule,
    DeductionsRule,
    GoalpostsRule,
    LinearRule,
    RankRule,
    RatioTargetRule,
    ReferenceFigures,
    Rule,
    RuleContext,
    TaskCompletionRule,
    TaskState,
    TaskStatus,
    TimelinessRule,
    VetoRule,
)

settings.register_profile("rules", max_examples=60, deadline=None)
settings.load_profile("rules")

MAX = st.sampled_from([0.0, 1.0, 2.5, 3.0, 5.0, 8.0, 10.0, 12.5])
COUNT = st.integers(min_value=0, max_value=10_000)
PERCENT = st.floats(min_value=0, max_value=100, allow_nan=False)
STATUS = st.sampled_from(list(TaskStatus))


def rule(data: dict[str, object]) -> typing.Any:
    """A rule from its YAML-shaped dict, through the discriminated union."""
    return TypeAdapter(Rule).validate_python(data)


def within(points: float, max_points: float) -> bool:
    """Points inside [0, max] (exact: rules never round, only the total is rounded)."""
    return 0.0 <= points <= max_points


# -- the registry -----------------------------------------------------------------------------

def test_registry_and_union_list_the_same_kinds() -> None:
    union = typing.get_args(typing.get_args(Rule)[0])
    assert {cls.model_fields["kind"].annotation.__args__[0] for cls in union} == set(RULE_CLASSES)
    assert set(RULE_CLASSES.values()) == set(union)


def test_unknown_kind_and_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        rule({"kind": "formula", "expr": "a + b"})
    with pytest.raises(ValidationError):
        rule({"kind": "linear", "items": ["a"], "points_per": 1, "eval": "1"})


def test_rounding_is_half_up_to_two_decimals() -> None:
    assert round_points(2.675) == 2.68
    assert round_points(0.125) == 0.13
    assert round_points(1.0049) == 1.0
    assert round_points(-0.0) == 0.0


# -- task_completion ----------------------------------------------------------------------------

@given(MAX, st.lists(st.tuples(STATUS, st.booleans()), min_size=1, max_size=8))
def test_task_completion_is_bounded(max_points: float, states: list[tuple[TaskStatus, bool]]) -> None:
    ids = tuple(f"2030-{i:02d}" for i in range(len(states)))
    tasks = {i: TaskState(s, e) for i, (s, e) in zip(ids, states, strict=True)}
    outcome = TaskCompletionRule(kind="task_completion").evaluate(
        RuleContext(max_points=max_points, tasks=tasks, task_ids=ids))
    assert within(outcome.points, max_points)
    applicable = [s for s, _ in states if s is not TaskStatus.NOT_APPLICABLE]
    assert outcome.not_applicable == (not applicable)


@given(MAX, st.lists(STATUS.filter(lambda s: s is not TaskStatus.DONE), min_size=1, max_size=6))
def test_task_completion_is_monotone_in_status(max_points: float, statuses: list[TaskStatus]) -> None:
    ids = tuple(f"2030-{i:02d}" for i in range(len(statuses)))
    r = TaskCompletionRule(kind="task_completion")
    states = {i: TaskState(s, True) for i, s in zip(ids, statuses, strict=True)}
    before = r.evaluate(RuleContext(max_points=max_points, task_ids=ids, tasks=states))
    improved = dict(zip(ids, statuses, strict=True))
    improved[ids[0]] = TaskStatus.DONE
    after = r.evaluate(RuleContext(max_points=max_points, task_ids=ids,
                                   tasks={i: TaskState(s, True) for i, s in improved.items()}))
    if statuses[0] is not TaskStatus.NOT_APPLICABLE:
        assert after.points >= before.points


def test_task_completion_rules() -> None:
    r = TaskCompletionRule(kind="task_completion")
    ids = ("2030-01", "2030-02", "2030-03")
    ctx = RuleContext(max_points=6, task_ids=ids, tasks={
        "2030-01": TaskState(TaskStatus.DONE, evidence=True),
        "2030-02": TaskState(TaskStatus.PARTLY, evidence=True),
        "2030-03": TaskState(TaskStatus.NOT_APPLICABLE),
    })
    outcome = r.evaluate(ctx)
    assert outcome.points == 4.5  # (1 + 0.5) / 2 applicable tasks × 6
    assert "不适用" in outcome.explanation
    no_evidence = r.evaluate(RuleContext(max_points=6, task_ids=("2030-01",),
                                         tasks={"2030-01": TaskState(TaskStatus.DONE, evidence=False)}))
    assert no_evidence.points == 3.0
    missing = r.evaluate(RuleContext(max_points=6, task_ids=("2030-01",)))
    assert missing.missing == ("2030-01",) and missing.points == 0


# -- bands --------------------------------------------------------------------------------------

BANDS = BandsRule(kind="bands", item="rate", bands=[
    {"at_least": 95, "points": 8}, {"at_least": 85, "below": 95, "points": 5},
    {"at_least": 60, "below": 85, "points": 2}, {"below": 60, "points": 0},
])


@given(MAX, PERCENT, PERCENT)
def test_bands_are_bounded_and_monotone_when_points_rise(max_points: float, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    low = BANDS.evaluate(RuleContext(max_points=max_points, values={"rate": lo}))
    high = BANDS.evaluate(RuleContext(max_points=max_points, values={"rate": hi}))
    assert within(low.points, max_points) and within(high.points, max_points)
    assert high.points >= low.points


def test_bands_explain_with_the_value_label() -> None:
    ctx = RuleContext(max_points=8, values={"rate": 96.2}, labels={"rate": "案件信息公开率"},
                      units={"rate": "%"})
    assert BANDS.evaluate(ctx).explanation == "案件信息公开率 96.2% ≥ 95%，得满分 8 分"
    hooked = RuleContext(max_points=8, values={"rate": 96.2}, units={"rate": "%"},
                         label_hook=lambda code: f"公开率（B12）[{code}]")
    assert BANDS.evaluate(hooked).explanation.startswith("公开率（B12）[rate] 96.2%")


def test_blank_is_not_zero() -> None:
    blank = BANDS.evaluate(RuleContext(max_points=8, values={"rate": None}))
    zero = BANDS.evaluate(RuleContext(max_points=8, values={"rate": 0}))
    assert blank.missing == ("rate",) and zero.missing == ()
    assert blank.points == zero.points == 0


# -- linear -------------------------------------------------------------------------------------

@given(MAX, COUNT, COUNT, st.floats(min_value=0.01, max_value=5), st.one_of(st.none(), MAX))
def test_linear_is_bounded_monotone_and_capped(max_points: float, a: int, b: int, per_point: float,
                                               cap: float | None) -> None:
    r = LinearRule(kind="linear", items=["n"], points_per=per_point, cap=cap)
    lo, hi = sorted((a, b))
    low = r.evaluate(RuleContext(max_points=max_points, values={"n": lo}))
    high = r.evaluate(RuleContext(max_points=max_points, values={"n": hi}))
    assert within(low.points, max_points) and within(high.points, max_points)
    assert high.points >= low.points
    if cap is not None:
        assert high.points <= cap


def test_linear_explains_the_cap() -> None:
    r = LinearRule(kind="linear", items=["n"], points_per=0.25)
    outcome = r.evaluate(RuleContext(max_points=5, values={"n": 40}, labels={"n": "移送案件数"}))
    assert outcome.points == 5 and "封顶 5 分" in outcome.explanation


# -- ratio_target -------------------------------------------------------------------------------

@given(MAX, COUNT, COUNT, COUNT)
def test_ratio_target_is_bounded_and_monotone(max_points: float, num: int, extra: int, den: int) -> None:
    r = RatioTargetRule(kind="ratio_target", numerator=["a"], denominator=["b"], target=95, floor=60)
    low = r.evaluate(RuleContext(max_points=max_points, values={"a": num, "b": den}))
    high = r.evaluate(RuleContext(max_points=max_points, values={"a": num + extra, "b": den}))
    assert within(low.points, max_points) and within(high.points, max_points)
    assert high.points >= low.points


def test_ratio_target_example_and_nothing_due() -> None:
    r = RatioTargetRule(kind="ratio_target", item="rate", target=95)
    ctx = RuleContext(max_points=8, values={"rate": 96.2}, labels={"rate": "案件信息公开率"})
    assert r.evaluate(ctx).explanation == "案件信息公开率 96.2% ≥ 95%，得满分 8 分"
    counts = RatioTargetRule(kind="ratio_target", numerator=["a"], denominator=["b"], target=90)
    assert counts.evaluate(RuleContext(max_points=4, values={"a": 0, "b": 0})).points == 4
    assert counts.evaluate(RuleContext(max_points=4, values={"a": 45, "b": 100})).points == 2
    with pytest.raises(ValidationError):
        RatioTargetRule(kind="ratio_target", item="rate", numerator=["a"], denominator=["b"], target=90)


# -- goalposts and rank -------------------------------------------------------------------------

PEERS = st.dictionaries(st.sampled_from([f"{i:02d}0000" for i in range(11, 43)]), COUNT,
                        min_size=1, max_size=32)


@given(MAX, PEERS, st.sampled_from(["none", "population", "gdp"]),
       st.sampled_from(["higher_better", "lower_better"]))
def test_goalposts_are_bounded_and_best_unit_gets_full(max_points: float, peers: dict[str, int],
                                                       normalise: str, direction: str) -> None:
    r = GoalpostsRule(kind="goalposts", item="n", normalise=normalise, direction=direction)
    refs = {u: ReferenceFigures(population_10k=100 + int(u[:2]), gdp_100m_yuan=1000 + int(u[:2]))
            for u in peers}
    results = {u: r.evaluate(RuleContext(max_points=max_points, values={"n": v}, peers={"n": peers},
                                         unit=u, reference=refs[u], references=refs)).points
               for u, v in peers.items()}
    assert all(within(p, max_points) for p in results.values())
    assert max(results.values()) == max_points


@given(MAX, PEERS, st.integers(min_value=0, max_value=100))
def test_goalposts_and_rank_are_monotone(max_points: float, peers: dict[str, int], bump: int) -> None:
    unit = next(iter(peers))
    for r in (GoalpostsRule(kind="goalposts", item="n"), RankRule(kind="rank", item="n"),
              RankRule(kind="rank", item="n", method="shares",
                       shares=[{"up_to_share": 0.5, "points": max_points}, {"up_to_share": 1, "points": 0}])):
        before = r.evaluate(RuleContext(max_points=max_points, values={"n": peers[unit]},
                                        peers={"n": peers}, unit=unit))
        better = {**peers, unit: peers[unit] + bump}
        after = r.evaluate(RuleContext(max_points=max_points, values={"n": better[unit]},
                                       peers={"n": better}, unit=unit))
        assert within(before.points, max_points) and within(after.points, max_points)
        assert after.points >= before.points


def test_rank_ties_share_the_better_rank() -> None:
    peers = {"110000": 10, "120000": 10, "130000": 5}
    r = RankRule(kind="rank", item="n")
    outcome = r.evaluate(RuleContext(max_points=4, values={"n": 10}, peers={"n": peers}, unit="120000"))
    assert outcome.points == 4 and "第 1 名" in outcome.explanation


# -- timeliness ---------------------------------------------------------------------------------

@given(MAX, st.integers(min_value=-30, max_value=60), st.integers(min_value=0, max_value=30),
       st.floats(min_value=0.1, max_value=3), st.floats(min_value=0, max_value=2))
def test_timeliness_is_bounded_decreasing_and_floored(max_points: float, late: int, more: int,
                                                      per_day: float, floor: float) -> None:
    deadline = date(2023, 1, 15)
    r = TimelinessRule(kind="timeliness", item="d", deadline=deadline, per_day=per_day, floor=floor)
    early = r.evaluate(RuleContext(max_points=max_points, values={"d": deadline + timedelta(days=late)}))
    later = r.evaluate(RuleContext(max_points=max_points,
                                   values={"d": deadline + timedelta(days=late + more)}))
    assert within(early.points, max_points) and within(later.points, max_points)
    assert later.points <= early.points
    assert later.points >= min(floor, max_points)
    if late <= 0:
        assert early.points == max_points


# -- deductions ---------------------------------------------------------------------------------

@given(MAX, COUNT, COUNT, COUNT, st.one_of(st.none(), MAX.filter(lambda x: x > 0)))
def test_deductions_are_bounded_capped_and_monotone(max_points: float, a: int, b: int, fixed: int,
                                                    cap: float | None) -> None:
    events = [{"item": "n", "points": 2, "fixed_item": "f", "fixed_points": 1}]
    lo, hi = sorted((a, b))
    for mode in ("from_max", "tally"):
        r = DeductionsRule(kind="deductions", mode=mode, events=events, cap=cap)
        low = r.evaluate(RuleContext(max_points=max_points, values={"n": lo, "f": min(fixed, lo)}))
        high = r.evaluate(RuleContext(max_points=max_points, values={"n": hi, "f": min(fixed, lo)}))
        assert within(low.points, max_points) and within(high.points, max_points)
        if mode == "tally":
            assert high.points >= low.points
            assert cap is None or high.points <= cap
        else:
            assert high.points <= low.points
            assert cap is None or high.points >= max_points - cap - 1e-9


def test_fixed_on_time_halves_the_deduction() -> None:
    r = DeductionsRule(kind="deductions", mode="tally",
                       events=[{"item": "n", "points": 2, "fixed_item": "f", "fixed_points": 1}])
    outcome = r.evaluate(RuleContext(max_points=10, values={"n": 3, "f": 2}, labels={"n": "被通报"}))
    assert outcome.points == 4  # 1 × 2 + 2 × 1
    assert outcome.explanation == "被通报 3（其中按期整改 2）：1 × 2 + 2 × 1 = 4 分"


# -- veto ---------------------------------------------------------------------------------------

@given(st.one_of(st.booleans(), COUNT))
def test_veto_never_gives_points(value: bool | int) -> None:
    r = VetoRule.model_validate({"kind": "veto", "item": "x", "effects": {
        "grade": "不合格", "tier": "last", "sections": [], "total": "keep", "rank": "last"}})
    outcome = r.evaluate(RuleContext(max_points=0, values={"x": value}))
    assert outcome.points == 0
    assert (outcome.veto is not None) == bool(value)
    if outcome.veto is not None:
        assert outcome.veto.grade_cap == "不合格"
        assert outcome.veto.tier == "last" and outcome.veto.rank == "last"
        assert "名次列于所有未被否决的单位之后" in outcome.explanation


def test_veto_states_every_effect() -> None:
    effects = {"grade": "keep", "tier": "keep", "sections": ["C"], "total": "keep", "rank": "keep"}
    for missing in effects:
        with pytest.raises(ValidationError):
            VetoRule.model_validate({"kind": "veto", "item": "x",
                                     "effects": {k: v for k, v in effects.items() if k != missing}})
    with pytest.raises(ValidationError, match="须规定 tier"):  # an unranked unit cannot take a slot
        VetoRule.model_validate({"kind": "veto", "item": "x", "effects": {**effects, "rank": "last"}})
    r = VetoRule.model_validate({"kind": "veto", "item": "x", "effects": effects})
    outcome = r.evaluate(RuleContext(max_points=0, values={"x": True}))
    assert outcome.veto is not None and outcome.veto.zero_sections == ("C",)
    assert outcome.veto.grade_cap is None and outcome.veto.tier is None and outcome.veto.rank == "keep"


def test_round_half_up_is_the_same_for_numbers_and_arrays() -> None:
    import numpy as np

    values = [2.675, 1.005, 79.695, 79.6954, 79.6983, 0.125, -2.675, 0.0049999, 99.99499999]
    expected = [2.68, 1.01, 79.70, 79.70, 79.70, 0.13, -2.68, 0.0, 99.99]
    assert [round_half_up(v, 2) for v in values] == expected
    assert list(round_half_up(np.array(values), 2)) == expected
    assert round_half_up(79.6954, 3) == 79.695 and round_half_up(12.5, 0) == 13.0
