"""The facts the national summary states as a 通报: who was assessed, the national and regional
averages and spread, tier and grade counts, changes since the previous assessed year, and the
units vetoed, not scored or missing, with why."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from scoring.indicators.models import IndicatorSet
from scoring.report.formatting import change, chinese_dates, fixed, plain_text, rank_change
from scoring.scores.models import ObjectionTally, ScoreReport, UnitScore, UnitStatus, VetoApplied

REGION_ORDER = ("东部", "中部", "西部", "东北")
NOTABLE = 3  # units named for the largest rises and falls


@dataclass(frozen=True)
class RegionRow:
    """A region's scored units: count, average total, best and lowest unit, average change."""

    name: str
    count: int
    average: float
    best: UnitScore
    lowest: UnitScore
    average_change: float | None
    compared: int


@dataclass(frozen=True)
class VetoLine:
    """A vetoed unit and the veto that applied."""

    unit: UnitScore
    veto: VetoApplied


@dataclass(frozen=True)
class NoticeFacts:
    """Everything the 通报's narrative states."""

    assessed: int
    scored: list[UnitScore]
    not_scored: list[UnitScore]
    missing: list[UnitScore]
    average: float | None
    highest: list[UnitScore]
    lowest: list[UnitScore]
    spread: float | None
    grade_counts: dict[str, int]
    tier_counts: dict[str, int]
    regions: list[RegionRow]
    previous_year: int | None
    compared: int
    average_change: float | None
    risers: list[UnitScore]
    fallers: list[UnitScore]
    vetoes: list[VetoLine]


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


def _changes(units: list[UnitScore]) -> list[float]:
    return [u.trend.total_change for u in units if u.trend is not None and u.trend.total_change is not None]


def region_rows(scored: list[UnitScore]) -> list[RegionRow]:
    """Each region's figures, 东部/中部/西部/东北 first, then any other region in order of appearance."""
    names = [r for r in REGION_ORDER if any(u.region == r for u in scored)]
    names += [u.region for u in scored if u.region not in names and u.region not in REGION_ORDER]
    rows = []
    for name in dict.fromkeys(names):
        members = [u for u in scored if u.region == name]
        totals = [u.total or 0.0 for u in members]
        changes = _changes(members)
        rows.append(RegionRow(name=name, count=len(members), average=fmean(totals),
                              best=max(members, key=lambda u: u.total or 0.0),
                              lowest=min(members, key=lambda u: u.total or 0.0),
                              average_change=_mean(changes), compared=len(changes)))
    return rows


def _moved(units: list[UnitScore], rising: bool) -> list[UnitScore]:
    moved = [u for u in units if u.trend is not None and u.trend.rank_change
             and (u.trend.rank_change > 0) == rising and not u.vetoes]
    moved.sort(key=lambda u: (-abs(u.trend.rank_change or 0) if u.trend else 0,
                              -abs(u.trend.total_change or 0.0) if u.trend else 0.0, u.code))
    return moved[:NOTABLE]


def notice_facts(report: ScoreReport, indicator_set: IndicatorSet) -> NoticeFacts:
    """The facts of the year's 通报, from the scores alone."""
    scored = report.scored()
    totals = [u.total or 0.0 for u in scored]
    top = max(totals) if totals else None
    bottom = min(totals) if totals else None
    previous = next((u.trend.previous_year for u in scored if u.trend is not None), None)
    changes = _changes(scored)
    return NoticeFacts(
        assessed=len(report.units), scored=scored,
        not_scored=[u for u in report.units if u.status is UnitStatus.NOT_SCORED],
        missing=[u for u in report.units if u.status is UnitStatus.MISSING],
        average=_mean(totals),
        highest=[u for u in scored if u.total == top], lowest=[u for u in scored if u.total == bottom],
        spread=None if top is None or bottom is None else top - bottom,
        grade_counts={g.name: sum(1 for u in scored if u.grade == g.name) for g in indicator_set.grades},
        tier_counts={t.name: sum(1 for u in scored if u.tier == t.name) for t in indicator_set.tiers.tiers},
        regions=region_rows(scored), previous_year=previous, compared=len(changes),
        average_change=_mean(changes), risers=_moved(scored, True), fallers=_moved(scored, False),
        vetoes=[VetoLine(unit=u, veto=v) for u in scored for v in u.vetoes],
    )


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the notice: a 一级标题 (``level`` 1, its own line), or body text with an
    optional run-in 二级标题 (``head``, level 2)."""

    head: str
    text: str
    level: int = 2


_NUMERALS = "一二三四五六七八九十"


def _names(units: list[UnitScore]) -> str:
    return "、".join(u.name for u in units)


def _overall(f: NoticeFacts, decimals: int) -> list[tuple[str, str]]:
    parts = [f"{f.assessed}个单位中，{len(f.scored)}个单位完成评分"]
    if f.not_scored:
        parts.append(f"{len(f.not_scored)}个单位未评分")
    if f.missing:
        parts.append(f"{len(f.missing)}个单位未报送")
    text = "，".join(parts) + "。"
    if f.average is None or f.spread is None:
        return [("评分情况", text)]
    high, low = fixed(f.highest[0].total, decimals), fixed(f.lowest[0].total, decimals)
    text += (f"全国平均{fixed(f.average, decimals)}分；最高{_names(f.highest)}{high}分，"
             f"最低{_names(f.lowest)}{low}分，相差{fixed(f.spread, decimals)}分。")
    grades = "、".join(f"{name}{n}个" for name, n in f.grade_counts.items())
    tiers = "、".join(f"{name}{n}个" for name, n in f.tier_counts.items())
    regions = "，".join(f"{r.name}地区平均{fixed(r.average, decimals)}分" for r in f.regions)
    return [("评分情况", text), ("等次和档次", f"等次：{grades}；平安建设考核档次：{tiers}。"),
            ("分地区情况", f"{regions}。")]


def _moves(units: list[UnitScore], decimals: int) -> str:
    return "、".join(f"{u.name}（{rank_change(t.rank_change)}，总分{change(t.total_change, decimals)}分）"
                    for u in units if (t := u.trend) is not None)


def _compared(f: NoticeFacts, decimals: int, caveat: str | None) -> str:
    text = (f"同时参加{f.previous_year}年度考核的{f.compared}个单位，"
            f"总分平均变化{change(f.average_change, decimals)}分。")
    moves = []
    if f.risers:
        moves.append(f"名次上升较多的有{_moves(f.risers, decimals)}")
    if f.fallers:
        moves.append(f"名次下降较多的有{_moves(f.fallers, decimals)}")
    text += "；".join(moves) + "。" if moves else ""
    return text + (caveat.rstrip("。") + "。" if caveat else "")


def veto_effect(veto: VetoApplied, section_names: dict[str, str] | None = None) -> str:
    """What a veto does, in the words of a notice: ``考核等次为不合格，列第四档，名次列于……之后``."""
    names = section_names or {}
    said = []
    if veto.grade_cap:
        said.append(f"考核等次为{veto.grade_cap}")
    if veto.zero_total:
        said.append("总分计为0分")
    if veto.zero_sections:
        said.append("、".join(names.get(s, s) for s in veto.zero_sections) + "部分不得分")
    if veto.tier:
        said.append(f"列{veto.tier}")
    if veto.rank == "last":
        said.append("名次列于全部未被否决的单位之后")
    elif veto.rank == "none":
        said.append("不参加排名")
    return "，".join(said)


def veto_sentence(line: VetoLine, bases: dict[str, str], section_names: dict[str, str] | None = None) -> str:
    """The veto as a fact with its basis: ``上海市经全国双打办认定发生区域性、系统性重大事件，依据……，
    考核等次为不合格……。``"""
    basis = bases.get(line.veto.indicator)
    said = f"依据{basis.rstrip('。')}，" if basis else ""
    effect = veto_effect(line.veto, section_names)
    return f"{line.unit.name}经全国双打办认定，存在{line.veto.name}的情形，{said}{effect}。"


def _exceptions(f: NoticeFacts, bases: dict[str, str], names: dict[str, str]) -> str:
    lines = [veto_sentence(v, bases, names) for v in f.vetoes]
    lines += [f"{u.name}未评分：{plain_text(chinese_dates(u.reason or '未说明')).rstrip('。')}。"
              for u in f.not_scored]
    lines += [f"{u.name}未报送：{(u.reason or '未收到报送工作簿').rstrip('。')}。" for u in f.missing]
    if not lines:
        return "本年度无单位被一票否决，全部单位均已评分。"
    return "".join(lines) + "未评分和未报送的单位不参加排名，不给予0分。" * bool(f.not_scored or f.missing)


def _objections(tally: ObjectionTally) -> str:
    if not tally.total:
        return "考核结果初稿已反馈各单位征求意见，各单位均未提出异议。"
    waiting = f"，尚有{tally.lodged}条待答复" if tally.lodged else ""
    return (f"考核结果初稿已反馈各单位征求意见。各单位共提出异议{tally.total}条，经逐条核实答复，"
            f"采纳{tally.accepted}条，不予采纳{tally.rejected}条，提出单位撤回{tally.withdrawn}条{waiting}。")


def notice_paragraphs(f: NoticeFacts, issuer: str, plan: str, config_title: str, year: int,
                      decimals: int, *, caveat: str | None = None,
                      veto_bases: dict[str, str] | None = None,
                      section_names: dict[str, str] | None = None,
                      objections: ObjectionTally | None = None) -> list[Paragraph]:
    """The notice's narrative: opening, overall results, change since the previous assessed year,
    vetoes and units not scored, the objections of the feedback period (when results were fed
    back), and what the units are asked to do."""
    body: list[tuple[str, list[tuple[str, str]]]] = [("总体情况", _overall(f, decimals))]
    if f.previous_year is not None:
        body.append((f"与{f.previous_year}年度比较", [("", _compared(f, decimals, caveat))]))
    body.append(("一票否决和未评分的单位", [("", _exceptions(f, veto_bases or {}, section_names or {}))]))
    if objections is not None:
        body.append(("征求意见情况", [("", _objections(objections))]))
    body.append(("有关要求", [("", "各单位要对照本单位成绩单中的“存在问题与整改建议”，认真分析失分原因，"
                                "制定整改措施，抓好落实。考核结果按规定纳入平安建设考核。")]))
    opening = (f"根据{plan}和《{config_title}》，{issuer}对{f.assessed}个省级单位{year}年度"
               f"打击侵权假冒工作进行了绩效考核。现将考核结果通报如下。")
    out = [Paragraph("", opening)]
    for i, (head, parts) in enumerate(body):
        out.append(Paragraph(f"{_NUMERALS[i]}、{head}", "", level=1))
        numbered = len(parts) > 1
        out += [Paragraph(f"（{_NUMERALS[j]}）{sub}。" if numbered else "", text)
                for j, (sub, text) in enumerate(parts)]
    return out
