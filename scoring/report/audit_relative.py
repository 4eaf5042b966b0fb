"""The audit report's 复算 part (``scoring audit YEAR --scores DIR``): for every indicator whose points
depend on the other units' values (goalposts, rank), each unit's raw value, reference figure
(population or GDP, with its year and source as units.yaml states them), normalised value, rank
and points, the formula and tie rule in words, and which units take part in the comparison.

An auditor recomputes each unit's points from the table with the stated formula. The report does it
too: every unit's points are recomputed from the scores' inputs and the reference figures with the
rule itself, and any difference from the published points is listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from scoring.indicators.evaluate import evaluate_indicator
from scoring.indicators.items import Value
from scoring.indicators.models import Indicator, IndicatorSet, Section
from scoring.indicators.rules.base import ReferenceFigures, Relative, RuleContext, fmt, fmt_sig
from scoring.indicators.rules.normalise import peer_values
from scoring.indicators.rules.rank import better_than
from scoring.indicators.rules.words import RuleWords, direction_words, unit_after
from scoring.indicators.units import UnitList
from scoring.report.audit import SOURCE_LABELS
from scoring.report.formatting import beijing_time, fixed
from scoring.report.methodology import MISSING_LABELS
from scoring.scores.models import IndicatorScore, ScoreReport, UnitScore, UnitStatus

NORMALISED_DIGITS = 6
"""Significant digits of a printed normalised value: enough to recompute points to the cent."""
SCALE_FIELDS = {"population": "population_10k", "gdp": "gdp_100m_yuan"}
SCALE_PER = {"population": "每万人", "gdp": "每亿元地区生产总值"}


@dataclass(frozen=True)
class RelativeRow:
    """One unit's figures under one relative indicator."""

    code: str
    name: str
    raw: str
    reference: str
    normalised: str
    rank: str
    points: str
    note: str


@dataclass(frozen=True)
class RelativeTable:
    """A relative indicator: what it compares, how, and every unit's figures."""

    id: str
    name: str
    points: float
    kind_label: str
    words: str
    item: str
    scale: str
    normalised_label: str
    formula: str
    ties: str
    peers: str
    range_text: str
    ranked: bool
    rows: list[RelativeRow]
    recheck: str
    mismatches: list[str]


@dataclass(frozen=True)
class RunEvidence:
    """The run the tables come from, and the tables."""

    scores_file: str
    scores_sha256: str
    run_time: str
    units_file: str
    units_sha256: str
    scored: int
    left_out: str
    tables: list[RelativeTable]


def exact(value: float) -> str:
    """``value`` as written (``41610.9``, ``2189.31``, ``12``): no digit lost, no trailing zeros."""
    text = fmt(value)
    if float(text) == float(value):
        return text
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _number(value: Value | None) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _raw_values(scored: list[UnitScore], indicator: Indicator, item: str) -> dict[str, Value | None]:
    """Each scored unit's value of ``item`` as the scores record it (the indicator's inputs)."""
    out: dict[str, Value | None] = {}
    for unit in scored:
        score = unit.indicators.get(indicator.id)
        ref = next((i for i in score.inputs if i.item == item), None) if score is not None else None
        out[unit.code] = ref.value if ref is not None else None
    return out


def _where(scored: list[UnitScore], indicator: Indicator, code: str) -> str:
    """Where the raw values come from: the workbook cell the scores record when it is the same for every
    unit (a unit's own workbook), else the sheet with one row per unit (the central records)."""
    cells = {(i.sheet or "", i.cell) for u in scored if (s := u.indicators.get(indicator.id)) is not None
             for i in s.inputs if i.item == code and i.cell}
    if len(cells) == 1:
        ((sheet, cell),) = cells
        return f"{sheet}!{cell}"
    sheets = sorted({sheet for sheet, _ in cells})
    return f"{'、'.join(sheets)} 工作表中各单位所在行" if sheets else ""


def _scale_text(how: str, units: UnitList) -> str:
    if how == "none":
        return "不折算（直接比较原始值）"
    source = units.figures.get(SCALE_FIELDS[how])  # type: ignore[call-overload]
    if source is None:
        return f"按{SCALE_PER[how]}折算（units.yaml 未注明参考数据的来源）"
    return (f"原始值 ÷ {source.name}（{source.unit}）；{source.name}为 {source.year} 年数据，"
            f"来源：{source.source}")


def _peers_text(indicator: Indicator, compared: int, scored: int) -> str:
    missing = MISSING_LABELS[indicator.missing]
    return (f"参与比较的是本次已评分的 {scored} 个单位中填报了该数据项的 {compared} 个单位；"
            f"未评分（工作簿有错误）和未报送的单位不参与比较，也不计 0 分；"
            f"该数据项未填报的单位不参与比较，{missing}")


def _ranks(values: Mapping[str, float], direction: str) -> dict[str, int]:
    """Each unit's rank as the rule counts it: 1 + the units strictly better (ties share the better rank)."""
    return {code: 1 + better_than(x, values.values(), direction) for code, x in values.items()}


def _range_text(values: Mapping[str, float], names: Mapping[str, str]) -> str:
    if not values:
        return "没有单位填报该数据项"
    low, high = min(values.values()), max(values.values())

    def holders(target: float) -> str:
        return "、".join(names[c] for c, v in sorted(values.items()) if v == target)

    return (f"参与比较的 {len(values)} 个单位中，折算值最低 {fmt_sig(low, NORMALISED_DIGITS)}"
            f"（{holders(low)}），最高 {fmt_sig(high, NORMALISED_DIGITS)}（{holders(high)}）")


def _note(score: IndicatorScore | None) -> str:
    if score is None:
        return "评分结果中没有本项"
    if score.excluded:
        return "数据缺失，本项不计入，所在部分按其余指标折算"
    if score.flagged:
        return "数据缺失，计 0 分并标记待核"
    return ""


def _table(section: Section, indicator: Indicator, relative: Relative, indicator_set: IndicatorSet,
           report: ScoreReport, units: UnitList) -> RelativeTable:
    scored = report.scored()
    items = indicator_set.item_map()
    item = items.get(relative.item)
    unit_of = item.unit if item is not None else None
    how = relative.normalise
    by_code = units.by_code()
    references = {code: u.reference() for code, u in by_code.items()}
    raw = _raw_values(scored, indicator, relative.item)
    values = peer_values(raw, references, how)  # type: ignore[arg-type]
    ranks = _ranks(values, relative.direction)
    names = {u.code: u.short_name for u in scored}
    decimals = indicator_set.rounding.decimals
    reference_unit = units.figures[SCALE_FIELDS[how]].unit if how != "none" else ""  # type: ignore[index]
    rows: list[RelativeRow] = []
    mismatches: list[str] = []
    higher = relative.direction == "higher_better"
    order = sorted(scored, key=lambda u: (u.code not in values,
                                          -values.get(u.code, 0.0) if higher else values.get(u.code, 0.0),
                                          u.code))
    for unit in order:
        score = unit.indicators.get(indicator.id)
        value = _number(raw.get(unit.code))
        size = getattr(references.get(unit.code, ReferenceFigures()), SCALE_FIELDS.get(how, ""), None)
        x = values.get(unit.code)
        rows.append(RelativeRow(
            code=unit.code, name=unit.short_name,
            raw="未填报" if value is None else unit_after(exact(value), unit_of),
            reference="—" if how == "none" else ("缺少参考数据" if size is None
                                                 else unit_after(exact(size), reference_unit)),
            normalised="—" if x is None else fmt_sig(x, NORMALISED_DIGITS),
            rank=f"{ranks[unit.code]}" if x is not None and relative.ranked else "—",
            points="" if score is None else fixed(score.points, decimals),
            note=_note(score)))
        if score is None:
            continue
        again = _recomputed(indicator, indicator_set, unit.code, raw, references)
        if abs(again - score.points) > 1e-9:
            mismatches.append(f"{unit.short_name}：评分结果 {fixed(score.points, decimals)} 分，"
                              f"按上表数字复算 {fixed(again, decimals)} 分")
    recheck = (f"已按上表的原始值和参考数据、用本指标的规则逐一复算 {len(scored)} 个单位的得分，"
               f"与评分结果{'一致' if not mismatches else f'有 {len(mismatches)} 处不同（见下）'}")
    where = _where(scored, indicator, relative.item)
    per = SCALE_PER.get(how, "")
    label = f"{per}{item.name if item is not None else relative.item}" if per else "原始值"
    return RelativeTable(
        id=indicator.id, name=indicator.name, points=indicator.points, kind_label=indicator.rule.label,
        words=indicator.rule.method_text(RuleWords(items, section=section.kind.value)),
        item=(f"{item.name if item is not None else relative.item}（{relative.item}"
              f"{'，' + unit_of if unit_of else ''}），{direction_words(relative.direction)}；"
              f"原始值{'由' + SOURCE_LABELS[item.source] if item is not None else ''}，"
              f"取自评分结果记录的各单位数值{'（' + where + '）' if where else ''}"),
        scale=_scale_text(how, units), normalised_label=label,
        formula=relative.formula, ties=relative.ties, peers=_peers_text(indicator, len(values), len(scored)),
        range_text=_range_text(values, names), ranked=relative.ranked, rows=rows, recheck=recheck,
        mismatches=mismatches)


def _recomputed(indicator: Indicator, indicator_set: IndicatorSet, code: str,
                raw: Mapping[str, Value | None], references: Mapping[str, ReferenceFigures]) -> float:
    """The unit's points recomputed by the rule from the recorded values and the reference figures."""
    item = indicator.rule.referenced_items()
    ctx = RuleContext(max_points=indicator.points, values={c: raw.get(code) for c in item},
                      peers={c: dict(raw) for c in item}, unit=code,
                      reference=references.get(code, ReferenceFigures()), references=references)
    return evaluate_indicator(indicator, ctx, indicator_set.rounding.part_decimals).points


def _left_out(report: ScoreReport) -> str:
    labels = {UnitStatus.NOT_SCORED: "未评分", UnitStatus.MISSING: "未报送"}
    out = [f"{u.short_name}（{labels[u.status]}）" for u in report.units if u.status is not UnitStatus.SCORED]
    return "、".join(out) if out else "无"


def run_evidence(indicator_set: IndicatorSet, report: ScoreReport, units: UnitList, *, scores_file: str,
                 scores_sha256: str, units_file: str, units_sha256: str,
                 generated_at: datetime | None) -> RunEvidence:
    """The 复算 tables of every relative indicator of ``indicator_set`` from the run's ``report``."""
    tables = []
    for section, indicator in indicator_set.indicators():
        relative = indicator.rule.relative()
        if relative is not None:
            tables.append(_table(section, indicator, relative, indicator_set, report, units))
    return RunEvidence(scores_file=scores_file, scores_sha256=scores_sha256,
                       run_time="清单未记录" if generated_at is None else beijing_time(generated_at),
                       units_file=units_file, units_sha256=units_sha256, scored=len(report.scored()),
                       left_out=_left_out(report), tables=tables)
