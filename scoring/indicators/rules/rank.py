"""``rank``: points by a unit's rank among all units (ties share the better rank: 1, 2, 2, 4).

``linear``: max × (n − rank) / (n − 1). ``shares``: the first band whose ``up_to_share`` ≥ rank / n
(e.g. the top 20 % get 10 points). Optionally per 万人 or per 亿元 GDP; ``lower_better`` reverses.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from typing import ClassVar, Literal

from pydantic import Field

from scoring.indicators.items import NUMERIC_KINDS, DataItem, ItemKind, Strict
from scoring.indicators.rules.base import (
    LintContext,
    Relative,
    RuleBase,
    RuleContext,
    RuleFinding,
    RuleOutcome,
    clamp,
    fmt,
    fmt_sig,
    missing_outcome,
)
from scoring.indicators.rules.normalise import NORMALISE_LABELS, Normalise, peer_values, scaled
from scoring.indicators.rules.words import Advice, RuleWords, direction_words, relative_advice
from scoring.problems import Severity


def better_than(x: float, values: Iterable[float], direction: str) -> int:
    """How many of ``values`` are strictly better than ``x`` (a unit's rank is one more: ties share
    the better rank)."""
    higher = direction == "higher_better"
    return sum(1 for v in values if (v > x if higher else v < x))


class RankShare(Strict):
    """Units ranked within the top ``up_to_share`` (0–1] of all units earn ``points``."""

    up_to_share: float = Field(gt=0, le=1)
    points: float = Field(ge=0)


class RankRule(RuleBase):
    """Points by rank."""

    kind: Literal["rank"]
    item: str
    normalise: Normalise = "none"
    direction: Literal["higher_better", "lower_better"] = "higher_better"
    method: Literal["linear", "shares"] = "linear"
    shares: list[RankShare] = Field(default_factory=list)
    label: ClassVar[str] = "排名计分"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: what is ranked and what each place earns."""
        what = f"{words.name_of(self.item)}{NORMALISE_LABELS[self.normalise]}"
        head = f"按{what}（{direction_words(self.direction)}）排名"
        if self.method == "linear":
            return f"{head}，满分 × (单位数 − 名次) / (单位数 − 1)，并列取较前名次"
        shares = "；".join(f"前 {fmt(s.up_to_share * 100)}% 得 {fmt(s.points)} 分" for s in self.shares)
        return f"{head}：{shares}"

    def advice(self, words: RuleWords) -> Advice:
        """The unit's figure beside the national median and best."""
        return relative_advice(words, self.item, self.normalise, self.direction, "的排名")

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Rank the unit among all units with a value."""
        x = scaled(ctx.values.get(self.item), ctx.reference, self.normalise)
        if x is None:
            return missing_outcome(ctx, [self.item], [self.item])
        if ctx.stats is not None:  # the unit's own value is x: never strictly better than itself
            ordered = ctx.stats.ordered(self.item, self.normalise)
            others_count = len(ordered) - (ctx.unit in ctx.stats.values(self.item, self.normalise))
            better = (len(ordered) - bisect_right(ordered, x) if self.direction == "higher_better"
                      else bisect_left(ordered, x))
        else:
            peers = peer_values(ctx.peers.get(self.item, {}), ctx.references, self.normalise)
            others = [v for unit, v in peers.items() if unit != ctx.unit]
            better = better_than(x, others, self.direction)
            others_count = len(others)
        rank, n = better + 1, others_count + 1
        name = f"{ctx.label(self.item)}{NORMALISE_LABELS[self.normalise]}"
        if self.method == "linear":
            share = 1.0 if n == 1 else (n - rank) / (n - 1)
            points = clamp(ctx.max_points * share, ctx.max_points)
            text = (f"{name} {fmt_sig(x)}，在 {n} 个单位中排第 {rank} 名，"
                    f"{fmt(ctx.max_points)} × ({n} − {rank}) / ({n} − 1) = {fmt(points)} 分")
        else:
            band = next((s for s in sorted(self.shares, key=lambda s: s.up_to_share)
                         if rank / n <= s.up_to_share), None)
            points = clamp(band.points if band else 0.0, ctx.max_points)
            where = f"前 {fmt(band.up_to_share * 100)}%" if band else "未进入任何档次"
            text = f"{name} {fmt_sig(x)}，在 {n} 个单位中排第 {rank} 名（{where}），得 {fmt(points)} 分"
        return RuleOutcome(points=points, max_points=ctx.max_points, items=(self.item,),
                           explanation=text)

    def relative(self) -> Relative:
        """Rank among the units compared; equal values share the better rank."""
        better = "高于" if self.direction == "higher_better" else "低于"
        place = f"名次 = 折算值{better}本单位的单位数 + 1"
        if self.method == "linear":
            formula = f"{place}；得分 = 满分 × (单位数 − 名次) / (单位数 − 1)"
        else:
            bands = "；".join(f"名次 / 单位数 ≤ {fmt(s.up_to_share * 100)}% 得 {fmt(s.points)} 分"
                              for s in sorted(self.shares, key=lambda s: s.up_to_share))
            formula = f"{place}；按第一个满足的档次计分：{bands}；其后不得分"
        return Relative(item=self.item, normalise=self.normalise, direction=self.direction,
                        formula=f"{formula}（得分不超过满分）", ranked=True,
                        ties="折算值相同的单位并列，取较前名次，下一名次顺延（1、2、2、4）")

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """First place: full under ``linear``, the best share's points under ``shares``."""
        if self.method == "linear":
            return clamp(max_points, max_points)
        return clamp(max((s.points for s in self.shares), default=0.0), max_points)

    def referenced_items(self) -> list[str]:
        """The one item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """A numeric item."""
        return {self.item: NUMERIC_KINDS}

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """``shares`` needs bands that reach 100 % and fall in points as the share grows."""
        if self.method != "shares":
            return []
        if not self.shares:
            return [RuleFinding("rank-shares-missing", Severity.ERROR,
                                "method 为 shares 时必须给出 shares 档次", ("shares",))]
        findings: list[RuleFinding] = []
        ordered = sorted(self.shares, key=lambda s: s.up_to_share)
        if any(a.points < b.points for a, b in zip(ordered, ordered[1:], strict=False)):
            findings.append(RuleFinding("rule-not-monotone", Severity.WARNING,
                                        "排名越靠后得分不应越高", ("shares",)))
        if ordered[-1].up_to_share < 1:
            findings.append(RuleFinding(
                "band-gap", Severity.WARNING,
                f"排名在前 {fmt(ordered[-1].up_to_share * 100)}% 之后的单位未被任何档次覆盖（得 0 分）",
                ("shares",)))
        return findings
