"""Every rule kind carries its label, its method-annex sentence and its scorecard advice, and a new
kind needs only its class and its line in the ``Rule`` union."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal, get_args

import pytest
from pydantic import Field, TypeAdapter
from reportdata import sample_report

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.models import Indicator, SectionKind
from scoring.indicators.rules import RULE_CLASSES, RULE_KIND_LABELS, Rule, RuleBase, rule_classes
from scoring.indicators.rules.base import ReferenceFigures, RuleContext, RuleOutcome
from scoring.indicators.rules.words import Advice, RuleWords
from scoring.indicators.store import load_indicator_set
from scoring.report.advice import Figures, advice, unit_figures
from scoring.report.gaps import indicator_averages, unit_gaps
from scoring.report.methodology import describe_rule, methodology
from scoring.scores.models import IndicatorScore, InputRef

CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{1,2}(?![0-9])|20\d\d-\d")
BOILERPLATE = ("加大工作力度", "查明原因、落实整改")


def test_registry_is_read_off_the_union() -> None:
    assert set(RULE_CLASSES.values()) == set(get_args(get_args(Rule)[0]))
    assert all(RULE_KIND_LABELS[kind] == cls.label for kind, cls in RULE_CLASSES.items())
    assert len(set(RULE_KIND_LABELS.values())) == len(RULE_CLASSES)


@pytest.mark.parametrize("year", ["2020", "2022"])
def test_every_kind_is_labelled_described_and_advised(year: str) -> None:
    indicator_set = load_indicator_set(year)
    items = indicator_set.item_map()
    rows = {r.id: r for s in methodology(indicator_set) for r in s.rows}
    seen = set()
    for section, ind in indicator_set.indicators():
        seen.add(ind.rule.kind)
        assert rows[ind.id].kind_label == RULE_CLASSES[ind.rule.kind].label
        assert rows[ind.id].rule == describe_rule(ind, items, section.kind) != ""
        words = advice(ind, section.kind, items)
        assert words.rewards and words.action, ind.id
        for text in (words.rewards, words.action):
            assert not CODE.search(text), (ind.id, text)
            assert not any(b in text for b in BOILERPLATE), (ind.id, text)
    assert seen == set(RULE_CLASSES)


def test_relative_advice_sets_the_unit_beside_median_and_best() -> None:
    s = load_indicator_set("2022")
    section, scaled = next((sec, i) for sec, i in s.indicators() if i.rule.kind == "goalposts")
    ind = scaled.model_copy(update={"rule": scaled.rule.model_copy(update={"normalise": "none"})})
    unit = s.item_map()[ind.rule.referenced_items()[0]].unit or ""
    words = advice(ind, section.kind, s.item_map(), Figures(own=30, median=50, best=90))
    assert "本单位为 30" in words.action and "中位数 50" in words.action and "最好 90" in words.action
    gap = {"%": "20 个百分点", "": "20 "}.get(unit, f"20 {unit}")
    assert f" {gap}即可达到全国中位数" in words.action
    above = advice(ind, section.kind, s.item_map(), Figures(own=60, median=50, best=90))
    assert "即可达到全国最好水平" in above.action and "30" in above.action
    best = advice(ind, section.kind, s.item_map(), Figures(own=90, median=50, best=90))
    assert "已是全国最好" in best.action


def test_scorecard_gaps_carry_the_units_own_figures() -> None:
    report = sample_report()
    s = load_indicator_set("2022")
    relative = {i.id for _, i in s.indicators() if i.rule.kind in ("goalposts", "rank")}
    checked = 0
    for unit in report.scored():
        for gap in unit_gaps(report, s, unit, indicator_averages(report)).rows:
            if gap.id not in relative or "未填报" in gap.figure:
                continue
            own = gap.figure.rsplit(" ", 2)[-2:]  # "… 354 件" → the unit's figure as reported
            assert f"本单位为 {' '.join(own)}" in gap.action, (unit.code, gap.id, gap.action)
            assert "全国中位数" in gap.action and "最好" in gap.action
            assert "即可达到全国" in gap.action or "已是全国最好" in gap.action
            checked += 1
    assert checked >= 5
    figures = unit_figures(*_scaled_example())
    assert figures is not None and figures.size == 2.0 and (figures.own, figures.median, figures.best) == (
        5.0, 10.0, 10.0)


def _scaled_example() -> tuple[Indicator, str, dict[str, IndicatorScore], dict[str, ReferenceFigures]]:
    s = load_indicator_set("2022")
    ind = next(i for _, i in s.indicators() if i.rule.kind == "rank"
               and getattr(i.rule, "normalise", "") == "population")
    item = ind.rule.referenced_items()[0]

    def score(value: float) -> IndicatorScore:
        ref = InputRef(item=item, name="x", value=value, sheet=None, cell=None)
        return IndicatorScore(section="A", name=ind.name, points=0, max=1, inputs=[ref], explanation="")

    scores = {"a": score(10), "b": score(50), "c": score(20)}
    sizes = {"a": 2.0, "b": 5.0, "c": 2.0}
    return ind, "a", scores, {k: ReferenceFigures(population_10k=v) for k, v in sizes.items()}


class CountdownRule(RuleBase):
    """A throw-away kind: full points when the count is zero, nothing otherwise."""

    kind: Literal["countdown"]
    item: str
    label: ClassVar[str] = "清零计分"

    def method_text(self, words: RuleWords) -> str:
        """Its sentence."""
        return f"{words.name_of(self.item)}为 0 得满分"

    def advice(self, words: RuleWords) -> Advice:
        """Its advice."""
        return Advice(f"{words.name_of(self.item)}为 0", f"消除全部{words.name_of(self.item)}")

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Full points at zero."""
        points = ctx.max_points if ctx.number(self.item) == 0 else 0.0
        return RuleOutcome(points, ctx.max_points, (self.item,), "")

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """Full points."""
        return max_points

    def referenced_items(self) -> list[str]:
        """The item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """A count."""
        return {self.item: frozenset({ItemKind.COUNT})}


def test_a_new_kind_needs_only_its_class_and_the_union_line() -> None:
    extended = Annotated[get_args(Rule)[0] | CountdownRule, Field(discriminator="kind")]
    registry = rule_classes(extended)
    assert registry["countdown"] is CountdownRule and set(RULE_CLASSES) < set(registry)
    rule = TypeAdapter(extended).validate_python({"kind": "countdown", "item": "c1"})
    ind = Indicator.model_construct(id="Z1", name="清零", points=5.0, tasks=[], rule=rule)
    items = {"c1": DataItem.model_validate({"code": "c1", "name": "重大事件", "kind": "count"})}
    assert describe_rule(ind, items) == "重大事件为 0 得满分"
    assert advice(ind, SectionKind.SCORE, items).action == "消除全部重大事件"


def test_a_kind_without_its_words_cannot_be_made() -> None:
    class Mute(RuleBase):
        kind: Literal["mute"]

    with pytest.raises(TypeError):
        Mute(kind="mute")
