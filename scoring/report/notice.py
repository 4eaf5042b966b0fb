"""The facts the national summary states as a 通报: who was assessed, the national and regional
averages and spread, tier and grade counts, changes since the previous assessed year, and the
units vetoed, not scored or missing, with why."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from scoring.indicators.models import IndicatorSet
from scoring.report.formatting import change, chinese_dates, fixed, rank_change
from scoring.scores.models import ScoreReport, UnitScore, UnitStatus, VetoApplied

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
    """A numbered paragraph of the notice: its heading (may be empty) and its text."""

    head: str
    text: str


_NUMERALS = "一二三四五六七八九十"


def _names(units: list[UnitScore]) -> str:
    return "、".join(u.name for u in units)


def _overall(f: NoticeFacts, decimals: int) -> str:
    parts = [f"{f.assessed}个单位中，{len(f.scored)}个单位完成评分"]
    if f.not_scored:
        parts.append(f"{len(f.not_scored)}个单位未评分")
    if f.missing:
        parts.append(f"{len(f.missing)}个单位未报送")
    text = "，".join(parts) + "。"
    if f.average is None or f.spread is None:
        return text
    high, low = fixed(f.highest[0].total, decimals), fixed(f.lowest[0].total, decimals)
    text += (f"全国平均{fixed(f.average, decimals)}分；最高{_names(f.highest)}{high}分，"
             f"最低{_names(f.lowest)}{low}分，相差{fixed(f.spread, decimals)}分。")
    grades = "、".join(f"{name}{n}个" for name, n in f.grade_counts.items())
    tiers = "、".join(f"{name}{n}个" for name, n in f.tier_counts.items())
    regions = "，".join(f"{r.name}地区平均{fixed(r.average, decimals)}分" for r in f.regions)
    return text + f"等次：{grades}；平安建设考核档次：{tiers}。分地区看，{regions}。"


def _moves(units: list[UnitScore], decimals: int) -> str:
    return "、".join(f"{u.name}（{rank_change(t.rank_change)}，总分{change(t.total_change, decimals)}分）"
                    for u in units if (t := u.trend) is not None)


def _compared(f: NoticeFacts, decimals: int) -> str:
    text = (f"同时参加{f.previous_year}年度考核的{f.compared}个单位，"
            f"总分平均变化{change(f.average_change, decimals)}分。")
    moves = []
    if f.risers:
        moves.append(f"名次上升较多的有{_moves(f.risers, decimals)}")
    if f.fallers:
        moves.append(f"名次下降较多的有{_moves(f.fallers, decimals)}")
    return text + ("；".join(moves) + "。" if moves else "")


def _exceptions(f: NoticeFacts) -> str:
    lines = [f"{v.unit.name}触发一票否决（{v.veto.indicator} {v.veto.name}）：{v.veto.effect}。"
             for v in f.vetoes]
    lines += [f"{u.name}未评分：{chinese_dates(u.reason or '未说明').rstrip('。')}。" for u in f.not_scored]
    lines += [f"{u.name}未报送：{(u.reason or '未收到报送工作簿').rstrip('。')}。" for u in f.missing]
    if not lines:
        return "本年度无单位被一票否决，全部单位均已评分。"
    return "".join(lines) + "未评分和未报送的单位不参加排名，不给予0分。" * bool(f.not_scored or f.missing)


def notice_paragraphs(f: NoticeFacts, issuer: str, plan: str, config_title: str, year: int,
                      decimals: int) -> list[Paragraph]:
    """The notice's narrative: opening, overall results, change since the previous assessed year,
    vetoes and units not scored, and what the units are asked to do."""
    body = [("总体情况", _overall(f, decimals))]
    if f.previous_year is not None:
        body.append((f"与{f.previous_year}年度比较", _compared(f, decimals)))
    body.append(("一票否决和未评分的单位", _exceptions(f)))
    body.append(("有关要求", "各单位要对照本单位成绩单中的“存在问题与整改建议”，认真分析失分原因，"
                          "制定整改措施，抓好落实。考核结果按规定纳入平安建设考核。"))
    opening = (f"根据{plan}和《{config_title}》，{issuer}对{f.assessed}个省级单位{year}年度"
               f"打击侵权假冒工作进行了绩效考核。现将考核结果通报如下。")
    return [Paragraph("", opening)] + [Paragraph(f"{_NUMERALS[i]}、{head}。", text)
                                       for i, (head, text) in enumerate(body)]
