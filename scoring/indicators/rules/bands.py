"""``bands``: points by the band an item's value falls in (e.g. 结案率 ≥ 90% 满分, ≥ 80% 低一档).

Bands are half-open ``[at_least, below)``; a value in no band earns 0. The audit reports gaps and
overlaps over the item's bounds, and a top band worth less than the indicator's maximum.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field

from scoring.indicators.intervals import band_issues, contains
from scoring.indicators.items import NUMERIC_KINDS, DataItem, ItemKind, Strict
from scoring.indicators.rules.base import (
    LintContext,
    RuleBase,
    RuleContext,
    RuleFinding,
    RuleOutcome,
    clamp,
    fmt,
    missing_outcome,
)
from scoring.indicators.rules.words import Advice, RuleWords, gap_words, with_unit
from scoring.problems import Severity


class PointBand(Strict):
    """One band: ``at_least ≤ value < below`` earns ``points``."""

    at_least: float | None = None
    below: float | None = None
    points: float = Field(ge=0)

    def describe(self, unit: str) -> str:
        """``≥ 90%`` / ``在 80%–90% 之间`` / ``< 80%``."""
        if self.at_least is not None and self.below is not None:
            return f"在 {fmt(self.at_least)}{unit}–{fmt(self.below)}{unit} 之间"
        if self.at_least is not None:
            return f"≥ {fmt(self.at_least)}{unit}"
        if self.below is not None:
            return f"< {fmt(self.below)}{unit}"
        return "任意值"


class BandsRule(RuleBase):
    """Threshold bands on one numeric item."""

    kind: Literal["bands"]
    item: str
    bands: list[PointBand] = Field(min_length=1)
    label: ClassVar[str] = "分档计分"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: every band and its points."""
        unit = words.unit_of(self.item)
        parts = [f"{b.describe(unit)} 得 {fmt(b.points)} 分" for b in self.bands]
        return f"按{words.name_of(self.item)}分档：{'；'.join(parts)}"

    def advice(self, words: RuleWords) -> Advice:
        """The top band, and how far the unit's figure is from it."""
        unit = words.unit_of(self.item)
        top = max(self.bands, key=lambda b: b.points)
        shown = unit if unit == "%" else f" {unit}" if unit else ""
        name = words.name_of(self.item)
        action = f"{name}达到满分档（{top.describe(shown)}）"
        fig = words.figures
        if fig is not None and top.at_least is not None and fig.own < top.at_least:
            more = gap_words(top.at_least - fig.own, unit)
            action = (f"本单位{name}为 {with_unit(fig.own, unit)}，再{more}"
                      f"即达到满分档（{top.describe(shown)}）")
        return Advice(f"{name} {top.describe(shown)}得满分", action)

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """The points of the band the value falls in."""
        value = ctx.number(self.item)
        if value is None:
            return missing_outcome(ctx, [self.item], [self.item])
        band = next((b for b in self.bands if contains(b, value)), None)
        unit = ctx.unit_of(self.item).strip()
        shown = ctx.show(self.item, value, [x for b in self.bands for x in (b.at_least, b.below)])
        if band is None:
            text = f"{ctx.label(self.item)} {shown} 不在任何档次内，得 0 分"
            return RuleOutcome(points=0.0, max_points=ctx.max_points, items=(self.item,),
                               explanation=text)
        points = clamp(band.points, ctx.max_points)
        full = "，得满分" if points >= ctx.max_points else "，得"
        text = (f"{ctx.label(self.item)} {shown} {band.describe(unit)}"
                f"{full} {fmt(points)} 分")
        return RuleOutcome(points=points, max_points=ctx.max_points, items=(self.item,),
                           explanation=text)

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """The best band whose range meets the item's bounds."""
        item = items.get(self.item)
        lo = item.min if item is not None else None
        hi = item.max if item is not None else None
        reachable = [b.points for b in self.bands
                     if (hi is None or b.at_least is None or b.at_least <= hi)
                     and (lo is None or b.below is None or b.below > lo)]
        return clamp(max(reachable, default=0.0), max_points)

    def referenced_items(self) -> list[str]:
        """The one item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """A numeric item."""
        return {self.item: NUMERIC_KINDS}

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """Gaps, overlaps and bands worth more than the maximum."""
        item = ctx.items.get(self.item)
        findings: list[RuleFinding] = []
        for issue in band_issues(self.bands, item.min if item else None, item.max if item else None):
            code = "band-gap" if issue.kind == "gap" else "band-overlap"
            what = "未被任何档次覆盖" if issue.kind == "gap" else "被多个档次重复覆盖"
            findings.append(RuleFinding(code, Severity.ERROR, f"区间 {issue.describe()} {what}",
                                        ("bands", issue.index)))
        for index, band in enumerate(self.bands):
            if band.points > ctx.max_points:
                findings.append(RuleFinding(
                    "rule-exceeds-max", Severity.WARNING,
                    f"档次分值 {fmt(band.points)} 超过指标满分 {fmt(ctx.max_points)}，将按满分截断",
                    ("bands", index, "points")))
        return findings
