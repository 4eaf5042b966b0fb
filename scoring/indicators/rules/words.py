"""The Chinese wording rule kinds share when they describe themselves (method annex) and give advice
(scorecard): item names and units, directions, dates, and the figures a unit's advice is set beside.

The report layer calls ``rule.method_text`` and ``rule.advice`` with these contexts; rules never
import the report layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.rules.base import fmt, fmt_sig

Section = Literal["score", "bonus", "deduction", "veto"]
SCALE_WORDS = {"none": "", "population": "按人口折算（每万人）的",
               "gdp": "按经济规模折算（每亿元地区生产总值）的"}
NORMALISE_UNITS = {"population": "每万人", "gdp": "每亿元GDP"}
Unscorable = Literal["full", "zero", "exclude", "missing"]
"""What a rule gives when there is nothing to score by (a ratio's denominator is 0, every task is
不适用): full points, none, the indicator left out (its section re-weighted), or scored as missing."""
UNSCORABLE_WORDS: dict[str, str] = {"full": "得满分", "zero": "得 0 分",
                                    "exclude": "本项不计入，按本部分其余指标折算", "missing": "按缺失处理"}


def with_unit(number: float, unit: str | None) -> str:
    """``5863 件``, ``89.3%``; a bare number when there is no unit."""
    return unit_after(fmt(number), unit)


def unit_after(text: str, unit: str | None) -> str:
    """A number already written, followed by its unit: ``41610.9 亿元``, ``89.3%``."""
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def gap_words(amount: float, unit: str | None, more: bool = True) -> str:
    """How far a figure has to move: ``提高 7.5 个百分点`` for a percentage (a difference of two
    percentages is in points, not per cent), ``增加 3 件`` / ``减少 2 件`` for anything else."""
    if unit == "%":
        return f"{'提高' if more else '降低'} {fmt(amount)} 个百分点"
    return f"{'增加' if more else '减少'} {with_unit(amount, unit)}"


def chinese_date(day: date) -> str:
    """``2023年1月15日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def direction_words(direction: str) -> str:
    """``越高越好`` / ``越低越好``."""
    return "越高越好" if direction == "higher_better" else "越低越好"


@dataclass(frozen=True)
class Advice:
    """What the indicator rewards, and what to do to gain its points."""

    rewards: str
    action: str


@dataclass(frozen=True)
class Figures:
    """A unit's own figure for a rule's item beside the national median and best (as the rule
    compares them: scaled per 万人 or per 亿元 when it normalises)."""

    own: float
    median: float
    best: float
    size: float = 1.0
    """The unit's population (万人) or GDP (亿元) the figures were divided by; 1 when not scaled."""


@dataclass(frozen=True)
class RuleWords:
    """What a rule needs to put itself into words: the items by code (names, units), the kind of
    its section (``None``: a score section) and, for advice, the indicator's points, name, number
    of tasks and the unit's figures (``None`` when not known or not comparable)."""

    items: Mapping[str, DataItem]
    section: Section | None = None
    points: float = 0.0
    name: str = ""
    task_count: int = 0
    figures: Figures | None = None

    def name_of(self, code: str) -> str:
        """The item's name, else its code."""
        item = self.items.get(code)
        return item.name if item is not None else code

    def unit_of(self, code: str, default: str = "") -> str:
        """The item's unit of measure (``件``, ``%``), else ``default``."""
        item = self.items.get(code)
        return (item.unit or default) if item is not None else default

    def show(self, code: str, value: float) -> str:
        """A value of the item with its unit."""
        return with_unit(value, self.unit_of(code))


def relative_advice(words: RuleWords, code: str, normalise: str, direction: str,
                    measure: str) -> Advice:
    """Advice for a rule that compares units (goalposts, rank): the unit's figure beside the
    national median and best, and which way it has to move to gain points."""
    higher = direction == "higher_better"
    what = f"{SCALE_WORDS[normalise]}{words.name_of(code)}"
    rewards = f"{what}在全国{measure}，数值{'越高' if higher else '越低'}得分越高"
    fig = words.figures
    if fig is None:
        return Advice(rewards, f"{'提高' if higher else '降低'}{what}，向全国最好水平靠拢")
    unit = words.unit_of(code)
    per = NORMALISE_UNITS.get(normalise, "")
    if per:
        def sig(v: float) -> str:
            return f"{fmt_sig(v)}{unit}" if unit in ("", "%") else f"{fmt_sig(v)} {unit}"
        beside = (f"本单位为 {with_unit(fig.own * fig.size, unit)}（折合{per} {sig(fig.own)}），"
                  f"全国中位数为{per} {sig(fig.median)}、最好为{per} {sig(fig.best)}")
    else:
        beside = (f"本单位为 {with_unit(fig.own, unit)}，全国中位数 {with_unit(fig.median, unit)}、"
                  f"最好 {with_unit(fig.best, unit)}")
    if fig.own == fig.best:
        return Advice(rewards, f"{beside}；已是全国最好，保持现有水平即可")
    behind = fig.own < fig.median if higher else fig.own > fig.median
    target = fig.median if behind else fig.best
    gap = abs(target - fig.own) * fig.size
    item = words.items.get(code)
    whole = item is not None and item.kind is ItemKind.COUNT  # counted things come in whole numbers
    move = gap_words(math.ceil(gap - 1e-9) if whole else gap, unit, more=higher)
    aim = "达到全国中位数" if behind else "达到全国最好水平"
    if per:  # 增加约 3 件
        verb, amount = move.split(" ", 1)
        move = f"{verb}约 {amount}"
    space = " " if move[-1].isdigit() else ""  # 增加 2.7 即可, as 增加 3 件即可
    return Advice(rewards, f"{beside}；{move}{space}即可{aim}，得分随之提高")
