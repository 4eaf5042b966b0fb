"""``timeliness``: a date against a deadline, a deduction per calendar day late, down to a floor.

Points = max(max − per_day × max(days late − grace_days, 0), floor). On or before the deadline:
full points. Monotone decreasing in the date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from scoring.indicators.items import DataItem, ItemKind
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
from scoring.indicators.rules.words import Advice, RuleWords, chinese_date
from scoring.problems import Severity


class TimelinessRule(RuleBase):
    """Deadline, deduction per day late, floor."""

    kind: Literal["timeliness"]
    item: str
    deadline: date
    per_day: float = Field(gt=0, description="每逾期 1 日扣分")
    grace_days: int = Field(default=0, ge=0)
    floor: float = Field(default=0.0, ge=0, description="最低得分")
    label: ClassVar[str] = "报送及时性"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: deadline, per-day deduction, grace and floor."""
        grace = f"，宽限 {self.grace_days} 日" if self.grace_days else ""
        return (f"{words.name_of(self.item)}不晚于 {chinese_date(self.deadline)}得满分；每逾期 1 日扣 "
                f"{fmt(self.per_day)} 分{grace}，最低 {fmt(self.floor)} 分")

    def advice(self, words: RuleWords) -> Advice:
        """The deadline and what a day late costs."""
        day = chinese_date(self.deadline)
        grace = f"（宽限 {self.grace_days} 日）" if self.grace_days else ""
        what = words.name_of(self.item).removesuffix("日期").removesuffix("报送")  # …及数据报送日期
        return Advice(f"在 {day}前报送{grace}，逾期每日扣 {fmt(self.per_day)} 分",
                      f"在 {day}前报送{what}，每提前 1 日减少扣分 {fmt(self.per_day)} 分")

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Full on time; minus per day late; never below the floor."""
        raw = ctx.values.get(self.item)
        if not isinstance(raw, date):
            return missing_outcome(ctx, [self.item], [self.item])
        late = (raw - self.deadline).days
        counted = max(late - self.grace_days, 0)
        floor = min(self.floor, ctx.max_points)
        points = clamp(max(ctx.max_points - self.per_day * counted, floor), ctx.max_points)
        name = ctx.label(self.item)
        if late <= 0:
            text = (f"{name} {raw.isoformat()}，未超过截止日期 {self.deadline.isoformat()}，"
                    f"得满分 {fmt(points)} 分")
        else:
            grace = f"（宽限 {self.grace_days} 日）" if self.grace_days else ""
            text = (f"{name} {raw.isoformat()}，逾期 {late} 日{grace}，{fmt(ctx.max_points)} − "
                    f"{fmt(self.per_day)} × {counted} = {fmt(ctx.max_points - self.per_day * counted)}")
            below = ctx.max_points - self.per_day * counted < floor
            text += f"，低于最低分，按 {fmt(points)} 分计" if below else f"，得 {fmt(points)} 分"
        return RuleOutcome(points=points, max_points=ctx.max_points, items=(self.item,),
                           explanation=text)

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """On time gives full points."""
        return clamp(max_points, max_points)

    def referenced_items(self) -> list[str]:
        """The date item."""
        return [self.item]

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """A date."""
        return {self.item: frozenset({ItemKind.DATE})}

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """A floor above the maximum would make lateness cost nothing."""
        if self.floor >= ctx.max_points:
            return [RuleFinding("rule-exceeds-max", Severity.WARNING,
                                f"最低得分 {fmt(self.floor)} 不低于指标满分，逾期不扣分", ("floor",))]
        return []
