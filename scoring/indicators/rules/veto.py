"""``veto`` (一票否决): a major incident caps the grade, zeroes sections, or zeroes the total.

A veto indicator sits in a ``veto`` section with ``points: 0``; it never adds or takes points
itself. When its item is 是 (yes/no) or reaches ``at_least`` (count), the outcome carries a
``VetoEffect`` that the scoring layer applies after adding up: zeroed sections first, then the
total, then the grade is lowered to ``grade`` when it is better.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.rules.base import (
    RuleBase,
    RuleContext,
    RuleOutcome,
    VetoEffect,
    fmt,
    missing_outcome,
)


class VetoRule(RuleBase):
    """A triggering item and its effect."""

    kind: Literal["veto"]
    item: str
    at_least: float = Field(default=1, gt=0, description="计数项达到此值即触发")
    effect: Literal["grade_cap", "zero_sections", "zero_total"]
    grade: str | None = Field(default=None, description="grade_cap：最高只能评为此等次")
    sections: list[str] = Field(default_factory=list, description="zero_sections：清零的部分")
    monotone: ClassVar[Literal["increasing", "decreasing", "none"]] = "none"

    @model_validator(mode="after")
    def _effect_target(self) -> VetoRule:
        if self.effect == "grade_cap" and not self.grade:
            raise ValueError("effect 为 grade_cap 时须给出 grade")
        if self.effect == "zero_sections" and not self.sections:
            raise ValueError("effect 为 zero_sections 时须给出 sections")
        return self

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
        effect = VetoEffect(grade_cap=self.grade if self.effect == "grade_cap" else None,
                            zero_sections=tuple(self.sections) if self.effect == "zero_sections" else (),
                            zero_total=self.effect == "zero_total")
        shown = "是" if isinstance(raw, bool) else fmt(ctx.number(self.item) or 0.0)
        what = {"grade_cap": f"等次最高为{self.grade}",
                "zero_sections": f"{'、'.join(self.sections)} 部分得分清零",
                "zero_total": "总分清零"}[self.effect]
        return RuleOutcome(points=0.0, max_points=ctx.max_points, items=(self.item,),
                           explanation=f"{name}：{shown}，触发一票否决，{what}", veto=effect)

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """A veto gives no points."""
        return 0.0

    def referenced_items(self) -> list[str]:
        """The triggering item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """Yes/no or a count."""
        return {self.item: frozenset({ItemKind.YES_NO, ItemKind.COUNT})}
