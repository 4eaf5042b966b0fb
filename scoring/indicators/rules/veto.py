"""``veto`` (一票否决): a major incident and everything it does, each effect stated in the YAML.

A veto indicator sits in a ``veto`` section with ``points: 0``; it never adds or takes points
itself. When its item is 是 (yes/no) or reaches ``at_least`` (count), the outcome carries a
``VetoEffect`` and the scoring layer applies exactly the effects written under ``effects``:

* ``sections``: these sections count 0 (``[]``: none);
* ``total``: ``zero`` sets the total to 0, ``keep`` leaves it;
* ``grade``: the grade is at best this one (``keep``: the grade is left as scored);
* ``rank``: ``keep`` ranks the unit with the others, ``last`` after every unit without such a
  veto, ``none`` leaves it unranked;
* ``tier``: a tier name, ``last`` (the last tier) or ``keep`` (placed like the others). A unit
  whose rank or tier a veto sets never takes a tier slot from another unit.

Every effect must be written out, so a reader of the YAML sees all a veto does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from scoring.indicators.items import DataItem, ItemKind, Strict
from scoring.indicators.rules.base import (
    RuleBase,
    RuleContext,
    RuleOutcome,
    VetoEffect,
    fmt,
    missing_outcome,
)
from scoring.indicators.rules.words import Advice, RuleWords, with_unit

KEEP = "keep"
LAST = "last"



class VetoEffects(Strict):
    """Everything a triggered veto does; no field has a default, so each is stated."""

    grade: str = Field(description="等次最高为（keep：不影响等次）")
    tier: str = Field(description="档次：档次名称、last（最后一档）或 keep（照常划档）")
    sections: list[str] = Field(description="得分清零的部分（[]：无）")
    total: Literal["keep", "zero"] = Field(description="zero：总分计 0")
    rank: Literal["keep", "last", "none"] = Field(
        description="keep：照常排名；last：列于所有未被否决单位之后；none：不排名")

    @model_validator(mode="after")
    def _ranked_or_placed(self) -> VetoEffects:
        if self.rank != KEEP and self.tier == KEEP:
            raise ValueError("名次列后（last）或不排名（none）的单位不占档次比例，须规定 tier")
        return self

    def describe(self) -> str:
        """The effects in Chinese, in the order they are applied."""
        parts: list[str] = []
        if self.sections:
            parts.append(f"{'、'.join(self.sections)} 部分得分清零")
        if self.total == "zero":
            parts.append("总分计 0 分")
        if self.grade != KEEP:
            parts.append(f"等次最高为{self.grade}")
        if self.rank == LAST:
            parts.append("名次列于所有未被否决的单位之后")
        elif self.rank == "none":
            parts.append("不参加排名")
        if self.tier == LAST:
            parts.append("列最后一档，不占档次比例")
        elif self.tier != KEEP:
            parts.append(f"列{self.tier}，不占档次比例")
        return "；".join(parts) or "无"

    def as_effect(self) -> VetoEffect:
        """The effect the scoring layer applies."""
        return VetoEffect(grade_cap=None if self.grade == KEEP else self.grade,
                          zero_sections=tuple(self.sections), zero_total=self.total == "zero",
                          tier=None if self.tier == KEEP else self.tier, rank=self.rank)


class VetoRule(RuleBase):
    """A triggering item and its effects."""

    kind: Literal["veto"]
    item: str
    at_least: float = Field(default=1, gt=0, description="计数项达到此值即触发")
    effects: VetoEffects
    label: ClassVar[str] = "一票否决"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: what triggers the veto and what it does."""
        return f"{words.name_of(self.item)}{self._when(words)}即触发一票否决：{self.effects.describe()}"

    def _when(self, words: RuleWords) -> str:
        """``达到 3 件`` for a count, ``为“是”`` for a yes/no item."""
        item = words.items.get(self.item)
        if item is not None and item.kind.value == "count":
            return f"达到 {with_unit(self.at_least, words.unit_of(self.item, '次'))}"
        return "为“是”"

    def advice(self, words: RuleWords) -> Advice:
        """What triggering costs; the action is to prevent the event."""
        name, effects = words.name_of(self.item), self.effects.describe()
        return Advice(f"{name}{self._when(words)}即触发一票否决：{effects}",
                      f"杜绝{name}：一旦发生，{effects}")

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Triggered or not; points are always 0."""
        raw = ctx.values.get(self.item)
        if raw is None:
            return missing_outcome(ctx, [self.item], [self.item])
        triggered = raw is True if isinstance(raw, bool) else (ctx.number(self.item) or 0.0) >= self.at_least
        name = ctx.label(self.item)
        if not triggered:
            return RuleOutcome(points=0.0, max_points=ctx.max_points, items=(self.item,),
                               explanation=f"{name}：无，不触发一票否决")
        shown = "是" if isinstance(raw, bool) else fmt(ctx.number(self.item) or 0.0)
        return RuleOutcome(points=0.0, max_points=ctx.max_points, items=(self.item,),
                           explanation=f"{name}：{shown}，触发一票否决：{self.effects.describe()}",
                           veto=self.effects.as_effect())

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """A veto gives no points."""
        return 0.0

    def referenced_items(self) -> list[str]:
        """The triggering item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """Yes/no or a count."""
        return {self.item: frozenset({ItemKind.YES_NO, ItemKind.COUNT})}
