"""``deductions``: count-based deductions or bonuses with caps (通报、约谈、挂牌督办、典型案例).

Each event item counts occurrences; each costs (or earns) ``points``; occurrences also counted in
``fixed_item`` (整改到位 on time) cost ``fixed_points`` instead. Each event may have its own cap;
the total is capped by ``cap`` (default: the indicator's maximum).

How adjustments apply (see also models.SectionKind):

* ``mode: from_max`` — the indicator starts at its maximum and the tally is taken off, floor 0
  (a scored indicator such as 「被通报每次扣 2 分」). Monotone decreasing in the counts.
* ``mode: tally`` — the points are the tally itself, within ``[0, max]``; the section's kind gives
  the sign: in a ``bonus`` section they are added to the score, in a ``deduction`` section they are
  subtracted, each section capped by its own ``cap``. Monotone increasing in the counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field

from scoring.indicators.items import DataItem, ItemKind, Strict
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
from scoring.indicators.rules.words import Advice, RuleWords
from scoring.problems import Severity

COUNT = frozenset({ItemKind.COUNT})



class Event(Strict):
    """One kind of event and what each occurrence is worth."""

    item: str
    points: float = Field(gt=0, description="每次分值")
    fixed_item: str | None = Field(default=None, description="其中按期整改到位的次数")
    fixed_points: float | None = Field(default=None, ge=0, description="按期整改到位的每次分值")
    cap: float | None = Field(default=None, gt=0, description="本类事件封顶")

    def tally(self, count: float, fixed: float) -> float:
        """What the occurrences are worth, capped."""
        fixed = min(max(fixed, 0.0), count)
        each_fixed = self.points if self.fixed_points is None else self.fixed_points
        total = (count - fixed) * self.points + fixed * each_fixed
        return total if self.cap is None else min(total, self.cap)


class DeductionsRule(RuleBase):
    """Counted events, each worth points, capped."""

    kind: Literal["deductions"]
    mode: Literal["from_max", "tally"]
    events: list[Event] = Field(min_length=1)
    cap: float | None = Field(default=None, gt=0, description="合计封顶（默认为指标满分）")
    label: ClassVar[str] = "计次扣分/加分"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: each event's points and caps, and how they apply."""
        parts = []
        for event in self.events:
            each = f"每 1 {words.unit_of(event.item) or '次'}"
            text = f"{words.name_of(event.item)}{each} {fmt(event.points)} 分"
            if event.fixed_item is not None and event.fixed_points is not None:
                text += f"（其中{words.name_of(event.fixed_item)}{each} {fmt(event.fixed_points)} 分）"
            if event.cap is not None:
                text += f"，本类最多 {fmt(event.cap)} 分"
            parts.append(text)
        cap = "" if self.cap is None else f"，合计最多 {fmt(self.cap)} 分"
        tally = {"bonus": "累计加分", "deduction": "累计扣分"}.get(words.section or "score", "累计计分")
        how = "从满分中扣减，最低 0 分" if self.mode == "from_max" else tally
        return f"{'；'.join(parts)}{cap}；{how}"

    def advice(self, words: RuleWords) -> Advice:
        """What each event is worth, and how to earn (bonus, or points of a score section) or avoid
        (taken off the maximum, or a deduction section) them."""
        names = "、".join(words.name_of(e.item) for e in self.events)
        each = "；".join(f"{words.name_of(e.item)}每 1 {words.unit_of(e.item, '次')} {fmt(e.points)} 分"
                         for e in self.events)
        if self.mode == "tally" and words.section != "deduction":
            earned = "加分" if words.section == "bonus" else "计分"
            return Advice(f"{earned}：{each}", f"争取更多{names}")
        action = f"每避免 1 次即少扣相应分值：{each}"
        for e in self.events:
            if e.fixed_item is not None and e.fixed_points is not None and e.fixed_points < e.points:
                saved = fmt(e.points - e.fixed_points)
                action += (f"；已发生的{words.name_of(e.item)}按期整改到位"
                           f"（计入{words.name_of(e.fixed_item)}），每次少扣 {saved} 分")
        if self.mode == "from_max":
            return Advice(f"{names}越少越好，从满分中扣减：{each}", action)
        return Advice(f"扣分：{each}", action)

    def _cap(self, max_points: float) -> float:
        return max_points if self.cap is None else min(self.cap, max_points)

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Tally the events; take it off the maximum or return it, per ``mode``."""
        codes = self.referenced_items()
        blanks = [e.item for e in self.events if ctx.number(e.item) is None]
        if blanks:
            return missing_outcome(ctx, blanks, codes)
        parts: list[str] = []
        total = 0.0
        for event in self.events:
            count = max(ctx.number(event.item) or 0.0, 0.0)
            fixed = min(max(ctx.number(event.fixed_item) or 0.0, 0.0), count) if event.fixed_item else 0.0
            worth = event.tally(count, fixed)
            total += worth
            if count:
                parts.append(self._describe(ctx, event, count, fixed, worth))
        cap = self._cap(ctx.max_points)
        tally = min(total, cap)
        listed = "；".join(parts) if parts else "无相关记录"
        capped = f"，合计 {fmt(total)} 分，封顶 {fmt(cap)} 分" if total > cap else ""
        if self.mode == "from_max":
            points = clamp(ctx.max_points - tally, ctx.max_points)
            text = f"{listed}{capped}；{fmt(ctx.max_points)} − {fmt(tally)} = {fmt(points)} 分"
        else:
            points = clamp(tally, ctx.max_points)
            single = len(parts) == 1 and not capped
            text = listed if single else f"{listed}{capped}；计 {fmt(points)} 分"
        return RuleOutcome(points=points, max_points=ctx.max_points, items=tuple(codes),
                           explanation=text)

    @staticmethod
    def _describe(ctx: RuleContext, event: Event, count: float, fixed: float, worth: float) -> str:
        """``被通报次数 2 次（其中按期整改 1 次）：1 × 2 + 1 × 1 = 3 分``."""
        head = f"{ctx.label(event.item)} {ctx.show(event.item, count)}"
        if fixed and event.fixed_points is not None:
            head += f"（其中按期整改 {ctx.show(event.fixed_item or event.item, fixed)}）"
            sums = f"{fmt(count - fixed)} × {fmt(event.points)} + {fmt(fixed)} × {fmt(event.fixed_points)}"
        else:
            sums = f"{fmt(count)} × {fmt(event.points)}"
        capped = f"，本类封顶 {fmt(event.cap)} 分" if event.cap is not None and worth >= event.cap else ""
        return f"{head}：{sums} = {fmt(worth)} 分{capped}"

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """``from_max``: full with no events; ``tally``: the cap, if the events can reach it."""
        if self.mode == "from_max":
            return clamp(max_points, max_points)
        reach = 0.0
        for event in self.events:
            item = items.get(event.item)
            if item is None or item.max is None:
                return clamp(self._cap(max_points), max_points)
            best = max(event.points, event.fixed_points or 0.0)
            reach += best * item.max if event.cap is None else min(best * item.max, event.cap)
        return clamp(min(reach, self._cap(max_points)), max_points)

    def referenced_items(self) -> list[str]:
        """Event counts and their fixed-on-time counts."""
        codes: list[str] = []
        for event in self.events:
            codes.append(event.item)
            if event.fixed_item:
                codes.append(event.fixed_item)
        return codes

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """Counts."""
        return {code: COUNT for code in self.referenced_items()}

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """Caps above the maximum; a reduced value larger than the full one."""
        findings: list[RuleFinding] = []
        if self.cap is not None and self.cap > ctx.max_points:
            findings.append(RuleFinding("rule-exceeds-max", Severity.WARNING,
                                        f"合计封顶 {fmt(self.cap)} 超过指标满分 {fmt(ctx.max_points)}",
                                        ("cap",)))
        for index, event in enumerate(self.events):
            if event.fixed_points is not None and event.fixed_points > event.points:
                findings.append(RuleFinding(
                    "rule-not-monotone", Severity.WARNING,
                    "按期整改到位的每次分值不应高于未整改的", ("events", index, "fixed_points")))
        return findings
