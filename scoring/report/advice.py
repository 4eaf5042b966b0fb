"""What an indicator rewards and what a unit can do about it, in plain words, from the rule's own fields.

Used by the scorecard's 存在问题与整改建议: a provincial office reads which figure or task an
indicator looks at and how to gain points, without the scoring formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scoring.indicators.items import DataItem
from scoring.indicators.models import Indicator, SectionKind
from scoring.indicators.rules import (
    BandsRule,
    DeductionsRule,
    GoalpostsRule,
    LinearRule,
    RankRule,
    RatioTargetRule,
    TaskCompletionRule,
    TimelinessRule,
    VetoRule,
)
from scoring.indicators.rules.base import fmt
from scoring.report.formatting import chinese_date, with_unit

Items = Mapping[str, DataItem]
SCALE_WORDS = {"none": "", "population": "按人口折算（每万人）的",
               "gdp": "按经济规模折算（每亿元地区生产总值）的"}


@dataclass(frozen=True)
class Advice:
    """What the indicator rewards, and what to do to gain its points."""

    rewards: str
    action: str


def _name(items: Items, code: str) -> str:
    item = items.get(code)
    return item.name if item is not None else code


def _unit(items: Items, code: str, default: str = "") -> str:
    item = items.get(code)
    return (item.unit or default) if item is not None else default


def _more(direction: str) -> tuple[str, str]:
    return ("越高得分越高", "提高") if direction == "higher_better" else ("越低得分越高", "降低")


def _tasks(ind: Indicator, rule: TaskCompletionRule, kind: SectionKind, items: Items) -> Advice:
    evidence = (f"；无佐证材料的最多计 {fmt(rule.without_evidence * 100)}%" if rule.evidence_required else "")
    rewards = (f"工作要点 {len(ind.tasks)} 项任务的落实：已完成计全分，部分完成计"
               f" {fmt(rule.credit.partly * 100)}%，未开展不计分{evidence}")
    action = "对部分完成、未开展的任务制定整改措施并按期落实"
    if rule.evidence_required:
        action += "；报送时为已完成的任务列明佐证材料"
    return Advice(rewards, action)


def _goalposts(ind: Indicator, rule: GoalpostsRule, kind: SectionKind, items: Items) -> Advice:
    words, verb = _more(rule.direction)
    what = f"{SCALE_WORDS[rule.normalise]}{_name(items, rule.item)}"
    return Advice(f"{what}在全国最低与最高之间所处的位置，{words}",
                  f"加大工作力度，{verb}{_name(items, rule.item)}")


def _rank(ind: Indicator, rule: RankRule, kind: SectionKind, items: Items) -> Advice:
    words, verb = _more(rule.direction)
    what = f"{SCALE_WORDS[rule.normalise]}{_name(items, rule.item)}"
    return Advice(f"{what}在全国的排名，{words}", f"加大工作力度，{verb}{_name(items, rule.item)}")


def _linear(ind: Indicator, rule: LinearRule, kind: SectionKind, items: Items) -> Advice:
    names = "、".join(_name(items, c) for c in rule.items)
    unit = _unit(items, rule.items[0], "个")
    cap = ind.points if rule.cap is None else min(rule.cap, ind.points)
    needed = math.ceil(cap / rule.points_per * rule.per - 1e-9)
    return Advice(f"{names}：每 {with_unit(rule.per, unit)}得 {fmt(rule.points_per)} 分，最高 {fmt(cap)} 分",
                  f"{names}达到 {with_unit(needed, unit)}即得满分")


def _ratio(ind: Indicator, rule: RatioTargetRule, kind: SectionKind, items: Items) -> Advice:
    what = _name(items, rule.item) if rule.item is not None else ind.name
    return Advice(f"{what}达到 {fmt(rule.target)}% 得满分，不高于 {fmt(rule.floor)}% 不得分",
                  f"将{what}提高到 {fmt(rule.target)}% 以上")


def _bands(ind: Indicator, rule: BandsRule, kind: SectionKind, items: Items) -> Advice:
    unit = _unit(items, rule.item)
    top = max(rule.bands, key=lambda b: b.points)
    shown = unit if unit == "%" else f" {unit}" if unit else ""
    return Advice(f"{_name(items, rule.item)} {top.describe(shown)}得满分",
                  f"{_name(items, rule.item)}达到满分档（{top.describe(shown)}）")


def _timeliness(ind: Indicator, rule: TimelinessRule, kind: SectionKind, items: Items) -> Advice:
    day = chinese_date(rule.deadline)
    return Advice(f"在 {day}前报送，逾期每日扣 {fmt(rule.per_day)} 分",
                  f"按时报送：截止日期为 {day}")


def _deductions(ind: Indicator, rule: DeductionsRule, kind: SectionKind, items: Items) -> Advice:
    names = "、".join(_name(items, e.item) for e in rule.events)
    each = "；".join(f"{_name(items, e.item)}每 1 {_unit(items, e.item, '次')} {fmt(e.points)} 分"
                     for e in rule.events)
    fixable = any(e.fixed_item is not None for e in rule.events)
    if kind is SectionKind.BONUS:
        return Advice(f"加分：{each}", f"争取更多{names}")
    if rule.mode == "from_max" or kind is SectionKind.SCORE:
        return Advice(f"{names}越少越好，{each}扣减", f"报送前逐项核对，减少{names}")
    action = f"避免发生{names}所涉问题"
    if fixable:
        action += "；已发生的按期整改到位，扣分减半"
    return Advice(f"扣分：{each}", action)


def _veto(ind: Indicator, rule: VetoRule, kind: SectionKind, items: Items) -> Advice:
    return Advice(f"{_name(items, rule.item)}即触发一票否决：{rule.effects.describe()}",
                  "查明原因、落实整改，杜绝再次发生")


_ADVISERS: dict[type[Any], Callable[[Indicator, Any, SectionKind, Items], Advice]] = {
    TaskCompletionRule: _tasks, GoalpostsRule: _goalposts, RankRule: _rank, LinearRule: _linear,
    RatioTargetRule: _ratio, BandsRule: _bands, TimelinessRule: _timeliness,
    DeductionsRule: _deductions, VetoRule: _veto,
}


def advice(indicator: Indicator, kind: SectionKind, items: Items) -> Advice:
    """What ``indicator`` rewards and how to gain its points (``kind``: its section's kind)."""
    return _ADVISERS[type(indicator.rule)](indicator, indicator.rule, kind, items)
