"""Whole-unit properties of scoring on the 2022 indicator set, with random units (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.indicators.models import SectionKind
from scoring.indicators.rounding import round_half_up
from scoring.indicators.rules.base import TaskStatus
from scoring.scores.engine import UnitInputs, YearScorer
from scoring.scores.models import UnitScore
from scoring.scores.ranking import assign_ranks, assign_tiers
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import ItemValue, Submission, TaskReport
from scoring.workbook.years import load_year_config

CODES = ("110000", "120000", "130000", "440000", "540000")


def config() -> YearConfig:
    loaded = load_year_config(2022)
    assert loaded is not None
    return loaded


CONFIG = config()
ITEMS = CONFIG.indicator_set.items
TASK_IDS = [t.id for t in CONFIG.source.assessed_tasks()]


def value_strategy(code: str) -> st.SearchStrategy[object]:
    item = next(i for i in ITEMS if i.code == code)
    if item.kind.value == "date":
        return st.integers(-20, 20).map(lambda d: date(2023, 1, 15) + timedelta(days=d))
    if item.kind.value == "yes_no":
        return st.booleans()
    if item.kind.value == "ratio":
        return st.floats(0, 100, allow_nan=False)
    if item.kind.value == "amount":
        return st.floats(0, 1e6, allow_nan=False)
    return st.integers(0, 50_000)


unit_values = st.fixed_dictionaries({i.code: st.one_of(st.none(), value_strategy(i.code)) for i in ITEMS})
unit_tasks = st.lists(st.tuples(st.sampled_from(list(TaskStatus)), st.booleans()),
                      min_size=len(TASK_IDS), max_size=len(TASK_IDS))


def inputs(values: dict[str, object], tasks: list[tuple[TaskStatus, bool]], code: str) -> UnitInputs:
    province = {c: ItemValue(code=c, value=v, sheet="工作数据", cell="D2")  # type: ignore[arg-type]
                for c, v in values.items() if CONFIG.indicator_set.item(c).source.value == "province"}  # type: ignore[union-attr]
    central = {c: ItemValue(code=c, value=v, sheet="中央记录", cell="C3")  # type: ignore[arg-type]
               for c, v in values.items() if CONFIG.indicator_set.item(c).source.value == "central"}  # type: ignore[union-attr]
    reports = {tid: TaskReport(task_id=tid, status=s, evidence="材料" if e else None, sheet="任务落实",
                               cell="D2") for tid, (s, e) in zip(TASK_IDS, tasks, strict=True)}
    submission = Submission(file=f"{code}.xlsx", sha256="0" * 64, size=1, values=province, tasks=reports)
    return UnitInputs(CONFIG.units[code], submission, central)


UnitData = tuple[dict[str, object], list[tuple[TaskStatus, bool]]]


def score_all(units: list[UnitData]) -> dict[str, UnitScore]:
    scorer = YearScorer(CONFIG, {code: inputs(v, t, code)
                                 for code, (v, t) in zip(CODES, units, strict=False)})
    scored = scorer.score_all()
    assign_ranks(scored, "competition")
    assign_tiers(scored, CONFIG.indicator_set.tiers)
    return {u.code: u for u in scored}


fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(st.lists(st.tuples(unit_values, unit_tasks), min_size=2, max_size=5))
def test_points_stay_in_bounds_and_total_is_the_sum_of_parts(units: list) -> None:  # type: ignore[type-arg]
    indicator_set = CONFIG.indicator_set
    for unit in score_all(units).values():
        for score in unit.indicators.values():
            assert 0.0 <= score.points <= score.max + 1e-9
        sections = {s.id: s for s in indicator_set.sections}
        for sid, points in unit.sections.items():
            section = sections[sid]
            adjusting = section.kind in (SectionKind.BONUS, SectionKind.DEDUCTION)
            limit = section.cap if adjusting else section.points
            assert 0.0 <= points <= (limit or 0) + 1e-9
        sign = {SectionKind.SCORE: 1, SectionKind.BONUS: 1, SectionKind.DEDUCTION: -1}
        signed = sum(points * sign[sections[sid].kind] for sid, points in unit.sections.items())
        zeroed = any(v.zero_total for v in unit.vetoes)
        expected = 0.0 if zeroed else min(max(signed, 0.0), 100.0)
        assert abs((unit.total_exact or 0.0) - expected) <= 1e-9  # exact sections add up exactly
        assert unit.total == round_half_up(unit.total_exact or 0.0, 2)  # rounded once, at the end


@fast
@given(st.lists(st.tuples(unit_values, unit_tasks), min_size=2, max_size=4),
       st.sampled_from(["cases_transferred_police", "police_cases_cracked"]), st.integers(1, 5_000))
def test_more_of_a_more_is_better_item_never_lowers_a_total(units: list, item: str,  # type: ignore[type-arg]
                                                            extra: int) -> None:
    before = score_all(units)["110000"].total or 0.0
    values, tasks = units[0]
    bumped = dict(values)
    bumped[item] = (values.get(item) or 0) + extra  # type: ignore[operator]
    after = score_all([(bumped, tasks), *units[1:]])["110000"].total or 0.0
    assert after >= before - 1e-9


@fast
@given(st.lists(st.tuples(unit_values, unit_tasks), min_size=2, max_size=4))
def test_vetoes_and_deduction_caps_do_what_the_config_says(units: list) -> None:  # type: ignore[type-arg]
    values, tasks = units[0]
    vetoed = dict(values, major_incident=True, notified_count=40, interviewed_count=10, supervised_count=10)
    unit = score_all([(vetoed, tasks), *units[1:]])["110000"]
    assert unit.grade == "不合格"
    assert unit.tier == CONFIG.indicator_set.tiers.tiers[-1].name
    others = [u for u in score_all([(vetoed, tasks), *units[1:]]).values() if u.code != "110000"]
    unvetoed = [u for u in others if not u.vetoes]
    assert all((unit.rank or 0) > (u.rank or 0) for u in unvetoed)  # F1 says rank: last
    deduction = next(s for s in CONFIG.indicator_set.sections if s.kind is SectionKind.DEDUCTION)
    assert unit.sections[deduction.id] == deduction.cap


@fast
@given(st.dictionaries(st.sampled_from([f"{i:06d}" for i in range(100000, 100030)]),
                       st.one_of(st.none(), st.integers(0, 1000)), min_size=1, max_size=30),
       st.sampled_from(["higher_better", "lower_better"]), st.sampled_from(["none", "population"]))
def test_shared_peer_lookups_give_the_same_points(peers: dict[str, int | None], direction: str,
                                                   how: str) -> None:
    from scoring.indicators.rules import GoalpostsRule, RankRule, RuleContext
    from scoring.indicators.rules.base import ReferenceFigures
    from scoring.indicators.rules.normalise import PeerStats

    references = {code: ReferenceFigures(population_10k=float(int(code) % 7 + 1), gdp_100m_yuan=1.0)
                  for code in peers}
    table = {"x": peers}
    stats = PeerStats(table, references)
    rules = [GoalpostsRule(kind="goalposts", item="x", normalise=how, direction=direction),  # type: ignore[arg-type]
             RankRule(kind="rank", item="x", normalise=how, direction=direction)]  # type: ignore[arg-type]
    for code, value in peers.items():
        plain = RuleContext(max_points=10, values={"x": value}, peers=table, unit=code,
                            reference=references[code], references=references)
        shared = RuleContext(max_points=10, values={"x": value}, peers=table, unit=code,
                             reference=references[code], references=references, stats=stats)
        for rule in rules:
            assert rule.evaluate(shared) == rule.evaluate(plain)
