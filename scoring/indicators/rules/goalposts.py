"""``goalposts``: a unit's place between the lowest and highest of all units (min–max scaling).

Points = max × (x − min) / (max − min) over every unit that reported the item (the unit itself
included), optionally per 万人 or per 亿元 GDP; ``lower_better`` reverses it. When all units
report the same value everyone gets full points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from scoring.indicators.items import NUMERIC_KINDS, DataItem, ItemKind
from scoring.indicators.rules.base import (
    Relative,
    RuleBase,
    RuleContext,
    RuleOutcome,
    clamp,
    fmt,
    fmt_sig,
    missing_outcome,
)
from scoring.indicators.rules.normalise import NORMALISE_LABELS, Normalise, peer_values, scaled
from scoring.indicators.rules.words import Advice, RuleWords, direction_words, relative_advice


class GoalpostsRule(RuleBase):
    """Min–max across units."""

    kind: Literal["goalposts"]
    item: str
    normalise: Normalise = "none"
    direction: Literal["higher_better", "lower_better"] = "higher_better"
    label: ClassVar[str] = "全国极差法"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: place between the lowest and the highest unit."""
        what = f"{words.name_of(self.item)}{NORMALISE_LABELS[self.normalise]}"
        return (f"{what}（{direction_words(self.direction)}）"
                f"在全部单位最低值与最高值之间的位置 × 满分（全国极差法）")

    def advice(self, words: RuleWords) -> Advice:
        """The unit's figure beside the national median and best."""
        return relative_advice(words, self.item, self.normalise, self.direction, "最低与最高之间所处的位置")

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Scale between the lowest and highest unit."""
        x = scaled(ctx.values.get(self.item), ctx.reference, self.normalise)
        if x is None:
            return missing_outcome(ctx, [self.item], [self.item])
        if ctx.stats is not None:  # the unit's own peer value is x itself, so min/max agree
            ordered = ctx.stats.ordered(self.item, self.normalise)
            lo, hi = (min(ordered[0], x), max(ordered[-1], x)) if ordered else (x, x)
        else:
            peers = peer_values(ctx.peers.get(self.item, {}), ctx.references, self.normalise)
            values = [v for unit, v in peers.items() if unit != ctx.unit or ctx.unit is None] + [x]
            lo, hi = min(values), max(values)
        name = f"{ctx.label(self.item)}{NORMALISE_LABELS[self.normalise]}"
        if hi == lo:
            points = clamp(ctx.max_points, ctx.max_points)
            text = f"{name} {fmt_sig(x)}，各单位相同，得满分 {fmt(points)} 分"
        else:
            share = (x - lo) / (hi - lo) if self.direction == "higher_better" else (hi - x) / (hi - lo)
            points = clamp(ctx.max_points * share, ctx.max_points)
            top, bottom = (hi, lo) if self.direction == "higher_better" else (lo, hi)
            text = (f"{name} {fmt_sig(x)}，全部单位最低 {fmt_sig(lo)}、最高 {fmt_sig(hi)}，"
                    f"{fmt(ctx.max_points)} × ({fmt_sig(x)} − {fmt_sig(bottom)}) / "
                    f"({fmt_sig(top)} − {fmt_sig(bottom)}) = {fmt(points)} 分")
        return RuleOutcome(points=points, max_points=ctx.max_points, items=(self.item,),
                           explanation=text)

    def relative(self) -> Relative:
        """Min–max over the units compared; equal values, equal points."""
        share = ("(x − 最低值) / (最高值 − 最低值)" if self.direction == "higher_better"
                 else "(最高值 − x) / (最高值 − 最低值)")
        return Relative(item=self.item, normalise=self.normalise, direction=self.direction,
                        formula=f"得分 = 满分 × {share}，x 为本单位的折算值，"
                                f"最低值、最高值取参与比较的全部单位（含本单位）",
                        ties="折算值相同的单位得分相同；全部单位折算值相同时均得满分")

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """The best unit always gets full points."""
        return clamp(max_points, max_points)

    def referenced_items(self) -> list[str]:
        """The one item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """A numeric item."""
        return {self.item: NUMERIC_KINDS}
