"""The methodology appendix: every indicator's rule in words, from the rule model's own fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scoring.indicators.items import DataItem
from scoring.indicators.models import (
    Citation,
    Indicator,
    IndicatorSet,
    MissingPolicy,
    Section,
    SectionKind,
)
from scoring.indicators.rules import (
    RULE_KIND_LABELS,
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
from scoring.indicators.rules.normalise import NORMALISE_LABELS
from scoring.report.formatting import chinese_date

SECTION_KIND_LABELS = {"score": "计分", "bonus": "加分", "deduction": "扣分", "veto": "一票否决"}
MISSING_LABELS = {
    MissingPolicy.ZERO: "数据缺失时本项计 0 分",
    MissingPolicy.EXCLUDE: "数据缺失时本项不计入，其分值按比例分摊到本部分其余指标",
    MissingPolicy.FLAG: "数据缺失时本项计 0 分并标记待核",
}


@dataclass(frozen=True)
class MethodRow:
    """One indicator as the appendix shows it."""

    id: str
    name: str
    kind_label: str
    points: float
    rule: str
    rule_text: str | None
    basis: list[Citation]
    tasks: str
    missing: str


@dataclass(frozen=True)
class MethodSection:
    """A section of the appendix."""

    id: str
    name: str
    kind_label: str
    points: float
    cap: float | None
    rows: list[MethodRow]


Names = Mapping[str, DataItem]


def _name(items: Names, code: str) -> str:
    item = items.get(code)
    return item.name if item is not None else code


def _unit(items: Names, code: str) -> str:
    item = items.get(code)
    return (item.unit or "") if item is not None else ""


def _task_completion(rule: TaskCompletionRule, items: Names) -> str:
    c = rule.credit
    text = (f"所涉任务按报送状态计完成度：已完成 {fmt(c.done)}、部分完成 {fmt(c.partly)}、"
            f"未开展 {fmt(c.not_started)}，不适用的任务不计入；满分 × 平均完成度")
    if rule.evidence_required:
        text += (f"；无佐证材料的任务完成度最高按 {fmt(rule.without_evidence * 100)}% 计"
                 "（佐证材料只填“无”“/”“—”“暂无”“0”等占位文字或显示错误值的，按无佐证材料计）")
    return text


def _bands(rule: BandsRule, items: Names) -> str:
    unit = _unit(items, rule.item)
    parts = [f"{b.describe(unit)} 得 {fmt(b.points)} 分" for b in rule.bands]
    return f"按{_name(items, rule.item)}分档：{'；'.join(parts)}"


def _linear(rule: LinearRule, items: Names) -> str:
    names = " + ".join(_name(items, c) for c in rule.items)
    cap = "指标满分" if rule.cap is None else f"{fmt(rule.cap)} 分"
    unit = _unit(items, rule.items[0]) or "个"
    return f"{names}每 {fmt(rule.per)} {unit}得 {fmt(rule.points_per)} 分，最高为{cap}"


def _ratio(rule: RatioTargetRule, items: Names) -> str:
    if rule.item is not None:
        ratio = _name(items, rule.item)
    else:
        ratio = (f"（{' + '.join(_name(items, c) for c in rule.numerator)}）÷"
                 f"（{' + '.join(_name(items, c) for c in rule.denominator)}）× 100%")
    nothing = {"full": "得满分", "zero": "得 0 分", "missing": "按缺失处理"}[rule.when_nothing_due]
    text = (f"比率 = {ratio}；达到 {fmt(rule.target)}% 得满分，不高于 {fmt(rule.floor)}% 得 0 分，"
            f"其间按比例计分")
    return text + (f"；分母为 0 时{nothing}" if rule.item is None else "")


def _direction(direction: str) -> str:
    return "越高越好" if direction == "higher_better" else "越低越好"


def _goalposts(rule: GoalpostsRule, items: Names) -> str:
    return (f"{_name(items, rule.item)}{NORMALISE_LABELS[rule.normalise]}（{_direction(rule.direction)}）"
            f"在全部单位最低值与最高值之间的位置 × 满分（全国极差法）")


def _rank(rule: RankRule, items: Names) -> str:
    what = f"{_name(items, rule.item)}{NORMALISE_LABELS[rule.normalise]}"
    head = f"按{what}（{_direction(rule.direction)}）排名"
    if rule.method == "linear":
        return f"{head}，满分 × (单位数 − 名次) / (单位数 − 1)，并列取较前名次"
    shares = "；".join(f"前 {fmt(s.up_to_share * 100)}% 得 {fmt(s.points)} 分" for s in rule.shares)
    return f"{head}：{shares}"


def _timeliness(rule: TimelinessRule, items: Names) -> str:
    grace = f"，宽限 {rule.grace_days} 日" if rule.grace_days else ""
    return (f"{_name(items, rule.item)}不晚于 {chinese_date(rule.deadline)}得满分；每逾期 1 日扣 "
            f"{fmt(rule.per_day)} 分{grace}，最低 {fmt(rule.floor)} 分")


def _deductions(rule: DeductionsRule, items: Names, kind: SectionKind | None = None) -> str:
    parts = []
    for event in rule.events:
        each = f"每 1 {_unit(items, event.item) or '次'}"
        text = f"{_name(items, event.item)}{each} {fmt(event.points)} 分"
        if event.fixed_item is not None and event.fixed_points is not None:
            text += f"（其中{_name(items, event.fixed_item)}{each} {fmt(event.fixed_points)} 分）"
        if event.cap is not None:
            text += f"，本类最多 {fmt(event.cap)} 分"
        parts.append(text)
    cap = "" if rule.cap is None else f"，合计最多 {fmt(rule.cap)} 分"
    tally = {SectionKind.BONUS: "累计加分", SectionKind.DEDUCTION: "累计扣分"}.get(kind or SectionKind.SCORE,
                                                                                "累计计分")
    how = "从满分中扣减，最低 0 分" if rule.mode == "from_max" else tally
    return f"{'；'.join(parts)}{cap}；{how}"


def _veto(rule: VetoRule, items: Names) -> str:
    item = items.get(rule.item)
    counted = item is not None and item.kind.value == "count"
    when = f"达到 {fmt(rule.at_least)}" if counted else "为“是”"
    return f"{_name(items, rule.item)}{when}即触发一票否决：{rule.effects.describe()}"


_DESCRIBERS: dict[type[Any], Callable[[Any, Names], str]] = {
    TaskCompletionRule: _task_completion, BandsRule: _bands, LinearRule: _linear,
    RatioTargetRule: _ratio, GoalpostsRule: _goalposts, RankRule: _rank,
    TimelinessRule: _timeliness, DeductionsRule: _deductions, VetoRule: _veto,
}


def describe_rule(indicator: Indicator, items: Names, kind: SectionKind | None = None) -> str:
    """The indicator's rule in one Chinese sentence (``kind``: its section's, for the sign of a tally)."""
    if isinstance(indicator.rule, DeductionsRule):
        return _deductions(indicator.rule, items, kind)
    return _DESCRIBERS[type(indicator.rule)](indicator.rule, items)


def methodology(indicator_set: IndicatorSet) -> list[MethodSection]:
    """Every section and indicator with its rule in words, points and the plan passage it rests on."""
    items = indicator_set.item_map()
    out: list[MethodSection] = []
    for section in indicator_set.sections:
        rows = [_row(section, ind, items) for ind in section.indicators]
        points = sum(i.points for i in section.indicators)
        out.append(MethodSection(id=section.id, name=section.name,
                                 kind_label=SECTION_KIND_LABELS[section.kind.value],
                                 points=points, cap=section.cap, rows=rows))
    return out


def _row(section: Section, indicator: Indicator, items: Names) -> MethodRow:
    missing = "" if section.kind is SectionKind.VETO else MISSING_LABELS[indicator.missing]
    return MethodRow(id=indicator.id, name=indicator.name,
                     kind_label=RULE_KIND_LABELS[indicator.rule.kind], points=indicator.points,
                     rule=describe_rule(indicator, items, section.kind), rule_text=indicator.rule_text,
                     basis=list(indicator.basis),
                     tasks="、".join(indicator.tasks), missing=missing)


def rounding_text(indicator_set: IndicatorSet) -> str:
    """How the total is rounded, in one sentence."""
    decimals = indicator_set.rounding.decimals
    return (f"各项指标按精确值计分，总分由精确值相加后四舍五入保留 {decimals} 位小数（只舍入一次）；"
            f"名次、并列、等次和档次均按公布的总分确定；各项指标和各部分得分的显示值仅为四舍五入后的展示，"
            f"其合计可能与总分相差不足 {fmt(len(indicator_set.indicators()) * 0.5 * 10 ** -decimals)} 分。")


def tier_rule_text(indicator_set: IndicatorSet) -> str:
    """How tiers are assigned and how they relate to grades, in words."""
    table = indicator_set.tiers
    how = {"rank_share": "档次按名次比例划分（比例只在未被一票否决改变名次或档次的单位中计算，"
                         "被否决的单位不占名额）",
           "score": "档次按总分划分",
           "grade": "档次由等次决定"}[table.method]
    limits = []
    for limit in table.grade_limits:
        if limit.best and limit.worst and limit.best == limit.worst:
            limits.append(f"{limit.grade}的单位列{limit.best}")
        else:
            parts = (([f"最高列{limit.best}"] if limit.best else [])
                     + ([f"最低列{limit.worst}"] if limit.worst else []))
            limits.append(f"{limit.grade}的单位{'、'.join(parts)}")
    relation = "；等次与档次的关系：" + "；".join(limits) if limits else ""
    return how + relation + "。"
