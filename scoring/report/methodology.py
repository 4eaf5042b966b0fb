"""The methodology appendix: every indicator's rule in words, from the rule model's own fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.indicators.items import DataItem
from scoring.indicators.models import (
    Citation,
    Indicator,
    IndicatorSet,
    MissingPolicy,
    Section,
    SectionKind,
)
from scoring.indicators.rules.base import fmt
from scoring.indicators.rules.words import RuleWords
from scoring.report.formatting import official_text

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


def describe_rule(indicator: Indicator, items: Names, kind: SectionKind | None = None) -> str:
    """The indicator's rule in one Chinese sentence (``kind``: its section's, for the sign of a tally)."""
    return indicator.rule.method_text(RuleWords(items, section=kind.value if kind else None))


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
                     kind_label=indicator.rule.label, points=indicator.points,
                     rule=describe_rule(indicator, items, section.kind), rule_text=indicator.rule_text,
                     basis=list(indicator.basis),
                     tasks="、".join(indicator.tasks), missing=missing)


def rounding_text(indicator_set: IndicatorSet) -> str:
    """How the total is rounded, in one sentence."""
    decimals = indicator_set.rounding.decimals
    if indicator_set.rounding.method == "printed_parts":
        return (f"各项指标得分四舍五入保留 {decimals} 位小数；各部分得分为所含指标得分之和"
                f"（按其余指标折算的部分折算后再四舍五入），总分为各部分得分之和（扣分为负），所列数字逐级相加一致；"
                f"名次、并列、等次和档次均按公布的总分确定。")
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
    return how + _share_rules(indicator_set) + relation + "。"


def _share_rules(indicator_set: IndicatorSet) -> str:
    """The two rules of rank-share tiers (ties on a boundary, demoted units' slots); nothing for
    tiers by score or grade, where they do not apply."""
    table = indicator_set.tiers
    if table.method != "rank_share":
        return ""
    ties = "较高" if table.boundary_ties == "together_in_better" else "较低"
    slot = ("仍占其名次所在档的名额" if table.demoted_slot == "keep"
            else "不占名额，其余单位重新按名次比例划档")
    return (f"；总分相同的单位跨越档次界线时一起列入{ties}一档；因等次调整档次的单位{slot}")


def intake_text(indicator_set: IndicatorSet) -> str:
    """How submitted cells are read where the reading changes a score (percentage cells,
    placeholder evidence), in one sentence; what an indicator gives when all its tasks are 不适用
    is in its own rule's words."""
    intake = indicator_set.intake
    percent = "显示值（按格式的小数位四舍五入）" if intake.percent_cells == "displayed" else "存储值"
    shown = intake.evidence_placeholders[:5]
    placeholders = "”“".join(shown) + ("”等" if len(intake.evidence_placeholders) > len(shown) else "”")
    return official_text(f"百分比格式的单元格按其{percent}评分；佐证材料只填“{placeholders}占位文字的，"
                         "按无佐证材料计。")
