"""``linear``: points per unit of a count or amount, up to a cap (e.g. 每移送 1 件得 0.5 分，最高 5 分).

Points = min(sum(items) / per × points_per, cap or max). Monotone increasing in every item.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field

from scoring.indicators.items import QUANTITY_KINDS, DataItem, ItemKind
from scoring.indicators.rules.base import (
    LintContext,
    RuleBase,
    RuleContext,
    RuleFinding,
    RuleOutcome,
    clamp,
    fmt,
    missing_outcome,
    upper_bound,
)
from scoring.indicators.rules.words import Advice, RuleWords, with_unit
from scoring.problems import Severity


class LinearRule(RuleBase):
    """Linear per unit with a cap."""

    kind: Literal["linear"]
    items: list[str] = Field(min_length=1, description="相加的数据项")
    per: float = Field(default=1.0, gt=0, description="每多少单位")
    points_per: float = Field(gt=0, description="得多少分")
    cap: float | None = Field(default=None, ge=0, description="封顶分（默认为指标满分）")
    label: ClassVar[str] = "按量计分（封顶）"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: points per unit and the cap."""
        names = " + ".join(words.name_of(c) for c in self.items)
        cap = "指标满分" if self.cap is None else f" {fmt(self.cap)} 分"
        unit = words.unit_of(self.items[0]) or "个"
        return f"{names}每 {fmt(self.per)} {unit}得 {fmt(self.points_per)} 分，最高为{cap}"

    def advice(self, words: RuleWords) -> Advice:
        """Points per unit, and how many more bring full points."""
        names = "、".join(words.name_of(c) for c in self.items)
        unit = words.unit_of(self.items[0], "个")
        cap = words.points if self.cap is None else min(self.cap, words.points)
        needed = math.ceil(cap / self.points_per * self.per - 1e-9)
        action = f"{names}达到 {with_unit(needed, unit)}即得满分"
        fig = words.figures
        if fig is not None and fig.own < needed:
            action = (f"本单位{names}为 {with_unit(fig.own, unit)}，再增加 "
                      f"{with_unit(needed - fig.own, unit)}（达到 {with_unit(needed, unit)}）即得满分")
        rewards = f"{names}：每 {with_unit(self.per, unit)}得 {fmt(self.points_per)} 分，最高 {fmt(cap)} 分"
        return Advice(rewards, action)

    def _cap(self, max_points: float) -> float:
        return max_points if self.cap is None else min(self.cap, max_points)

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Sum the items, scale, cap."""
        blanks = [c for c in self.items if ctx.number(c) is None]
        if blanks:
            return missing_outcome(ctx, blanks, self.items)
        total = sum(ctx.number(c) or 0.0 for c in self.items)
        raw = total / self.per * self.points_per
        cap = self._cap(ctx.max_points)
        points = clamp(min(raw, cap), ctx.max_points)
        names = " + ".join(ctx.label(c) for c in self.items)
        shown = ctx.show(self.items[0], total)
        head = f"{names} {shown}" if len(self.items) == 1 else f"{names} = {shown}"
        per = "" if self.per == 1 else f" / {fmt(self.per)}"
        text = f"{head}，{fmt(total)}{per} × {fmt(self.points_per)} = {fmt(raw)}"
        text += f"，封顶 {fmt(cap)} 分，得 {fmt(points)} 分" if raw > cap else f"，得 {fmt(points)} 分"
        return RuleOutcome(points=points, max_points=ctx.max_points, items=tuple(self.items),
                           explanation=text)

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """The cap, unless the items' upper bounds stop short of it."""
        cap = self._cap(max_points)
        bound = upper_bound(items, self.items)
        if bound is None:
            return clamp(cap, max_points)
        return clamp(min(cap, bound / self.per * self.points_per), max_points)

    def referenced_items(self) -> list[str]:
        """The summed items."""
        return list(self.items)

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """Counts or amounts."""
        return {c: QUANTITY_KINDS for c in self.items}

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """A cap above the maximum is clipped."""
        if self.cap is not None and self.cap > ctx.max_points:
            return [RuleFinding("rule-exceeds-max", Severity.WARNING,
                                f"封顶分 {fmt(self.cap)} 超过指标满分 {fmt(ctx.max_points)}，将按满分截断",
                                ("cap",))]
        return []
