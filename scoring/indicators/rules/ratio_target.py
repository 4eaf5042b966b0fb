"""``ratio_target``: a ratio against a target (e.g. 案件信息公开率 ≥ 95% 得满分).

The ratio is either a reported ``ratio`` item (in %) or ``numerator / denominator × 100`` from
counts. Points = max × clamp((ratio − floor) / (target − floor), 0, 1): full at or above the target,
nothing at or below the floor, linear between. A zero denominator means nothing was due (no
case to disclose, none to transfer): ``when_nothing_due`` decides. ``full`` (the default) gives
full points; ``zero`` none; ``exclude`` leaves the indicator out, its points spread over the rest
of its section as for 不适用 tasks; ``missing`` treats the denominator as not reported, so the
indicator's ``missing`` policy applies (0 points, left out, or 0 and flagged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from scoring.indicators.items import QUANTITY_KINDS, DataItem, ItemKind
from scoring.indicators.rules.base import (
    RuleBase,
    RuleContext,
    RuleOutcome,
    clamp,
    fmt,
    fmt_near,
    missing_outcome,
    unscorable_outcome,
)
from scoring.indicators.rules.words import UNSCORABLE_WORDS, Advice, RuleWords, Unscorable


class RatioTargetRule(RuleBase):
    """Ratio to a target, linear from a floor."""

    kind: Literal["ratio_target"]
    item: str | None = Field(default=None, description="直接填报的比率项（%）")
    numerator: list[str] = Field(default_factory=list)
    denominator: list[str] = Field(default_factory=list)
    target: float = Field(gt=0, description="目标值（%），达到即满分")
    floor: float = Field(default=0.0, ge=0, description="不高于此值（%）得 0 分")
    when_nothing_due: Unscorable = Field(
        default="full",
        description="分母为 0（无应完成事项）时：full（默认）得满分；zero 得 0 分；"
                    "exclude 本项不计入，分值在本部分其余指标间折算；"
                    "missing 按缺失处理（依指标的 missing 策略）")
    label: ClassVar[str] = "比率达标"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: the ratio, target and floor."""
        if self.item is not None:
            ratio = words.name_of(self.item)
        else:
            ratio = (f"（{' + '.join(words.name_of(c) for c in self.numerator)}）÷"
                     f"（{' + '.join(words.name_of(c) for c in self.denominator)}）× 100%")
        nothing = UNSCORABLE_WORDS[self.when_nothing_due]
        text = (f"比率 = {ratio}；达到 {fmt(self.target)}% 得满分，不高于 {fmt(self.floor)}% 得 0 分，"
                f"其间按比例计分")
        return text + (f"；分母为 0 时{nothing}" if self.item is None else "")

    def advice(self, words: RuleWords) -> Advice:
        """Target and floor, and how many percentage points the unit's ratio is short."""
        what = words.name_of(self.item) if self.item is not None else words.name
        action = f"将{what}提高到 {fmt(self.target)}% 以上"
        fig = words.figures
        if fig is not None and fig.own < self.target:
            per_point = words.points / (self.target - self.floor)
            action = (f"本单位{what}为 {fmt(fig.own)}%"
                      f"（全国中位数 {fmt(fig.median)}%、最好 {fmt(fig.best)}%），"
                      f"提高到 {fmt(self.target)}% 即得满分，在 {fmt(self.floor)}% 以上每提高 1 个百分点多得 "
                      f"{fmt(per_point)} 分")
        return Advice(f"{what}达到 {fmt(self.target)}% 得满分，不高于 {fmt(self.floor)}% 不得分", action)

    @model_validator(mode="after")
    def _one_source(self) -> RatioTargetRule:
        if (self.item is None) == (not self.numerator or not self.denominator):
            raise ValueError("给出 item，或同时给出 numerator 和 denominator（二者择一）")
        if self.floor >= self.target:
            raise ValueError("floor 应小于 target")
        return self

    def _codes(self) -> list[str]:
        return [self.item] if self.item is not None else [*self.numerator, *self.denominator]

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """The ratio, then the linear scale between floor and target."""
        codes = self._codes()
        blanks = [c for c in codes if ctx.number(c) is None]
        if blanks:
            return missing_outcome(ctx, blanks, codes)
        marks = (self.target, self.floor)
        if self.item is not None:
            ratio = ctx.number(self.item) or 0.0
            name = ctx.label(self.item)
            shown = f"{name} {fmt_near(ratio, marks)}%"
        else:
            num = sum(ctx.number(c) or 0.0 for c in self.numerator)
            den = sum(ctx.number(c) or 0.0 for c in self.denominator)
            label = "、".join(ctx.label(c) for c in self.denominator)
            if den == 0:
                return self._nothing_due(ctx, codes, label)
            ratio = num / den * 100
            shown = (f"{'+'.join(ctx.label(c) for c in self.numerator)} / {label} = "
                     f"{fmt(num)} / {fmt(den)} = {fmt_near(ratio, marks)}%")
        share = (ratio - self.floor) / (self.target - self.floor)
        points = clamp(ctx.max_points * min(max(share, 0.0), 1.0), ctx.max_points)
        if ratio >= self.target:
            text = f"{shown} ≥ {fmt(self.target)}%，得满分 {fmt(points)} 分"
        elif ratio <= self.floor:
            text = f"{shown} ≤ {fmt(self.floor)}%，得 0 分"
        else:
            text = (f"{shown}，{fmt(ctx.max_points)} × ({fmt_near(ratio, marks)} − {fmt(self.floor)}) / "
                    f"({fmt(self.target)} − {fmt(self.floor)}) = {fmt(points)} 分")
        return RuleOutcome(points=points, max_points=ctx.max_points, items=tuple(codes),
                           explanation=text)

    def _nothing_due(self, ctx: RuleContext, codes: list[str], label: str) -> RuleOutcome:
        # "missing": filled in, but scored as if the denominator were not
        return unscorable_outcome(self.when_nothing_due, ctx.max_points, tuple(codes),
                                  tuple(self.denominator), f"{label} 为 0，无应完成事项")

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """Full, unless a reported ratio's upper bound stays below the target."""
        if self.item is not None:
            item = items.get(self.item)
            if item is not None and item.max is not None and item.max < self.target:
                share = max(item.max - self.floor, 0.0) / (self.target - self.floor)
                return clamp(max_points * share, max_points)
        return clamp(max_points, max_points)

    def referenced_items(self) -> list[str]:
        """The ratio item, or numerator and denominator items."""
        return self._codes()

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """A ratio item, or counts/amounts."""
        if self.item is not None:
            return {self.item: frozenset({ItemKind.RATIO})}
        return {c: QUANTITY_KINDS for c in self._codes()}
