"""The national summary as a 通报: the notice on page 1 (issuer, document number, narrative), then
the ranking with each unit's change and the veto marked, regional averages, the distribution, the
section table, units not scored, the methodology appendix, and the technical record at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.indicators.models import IndicatorSet
from scoring.report import gongwen
from scoring.report.charts import Bar, distribution_chart
from scoring.report.formatting import chinese_date, chinese_dates, counted, plain_text
from scoring.report.methodology import (
    MISSING_LABELS,
    intake_text,
    methodology,
    rounding_text,
    tier_rule_text,
)
from scoring.report.notice import notice_facts, notice_paragraphs, veto_sentence
from scoring.report.notice_config import NoticeConfig, load_notice_config
from scoring.report.views import (
    STATUS_LABELS,
    compared_with,
    interval_text,
    page_meta,
    report_environment,
    section_figures,
    svg_markup,
)
from scoring.scores.models import ScoreReport, UnitScore

TIE_RULES = {"competition": "同分同名次，其后名次顺延（如 1、2、2、4）",
             "dense": "同分同名次，其后名次连续（如 1、2、2、3）"}
VETO_MARK = "※"
BLANK_DATE = "　　年　月　日"


@dataclass(frozen=True)
class RankRow:
    """A scored unit in the ranking table, with its change and the veto mark."""

    unit: UnitScore
    sections: list[float | None]
    interval: str
    vetoed: bool


@dataclass(frozen=True)
class UnscoredRow:
    """A unit without a score, and why."""

    unit: UnitScore
    status: str
    reason: str
    errors: int


def _threshold_lines(indicator_set: IndicatorSet) -> list[tuple[str, float]]:
    return [(g.name, g.at_least) for g in indicator_set.grades if g.at_least is not None]


@dataclass(frozen=True)
class Annex:
    """An attachment of the notice: its number, title and the partial that sets it."""

    number: int
    title: str
    partial: str


def annexes(has_unscored: bool) -> list[Annex]:
    """The notice's attachments, numbered in order; an empty one is left out."""
    parts = [("考核结果排名", "_notice_ranking.html"), ("各部分得分", "_notice_sections.html")]
    if has_unscored:
        parts.append(("未评分和未报送的单位", "_notice_unscored.html"))
    parts.append(("计分方法", "_notice_method.html"))
    return [Annex(i + 1, title, partial) for i, (title, partial) in enumerate(parts)]


def geometry() -> dict[str, float]:
    """GB/T 9704-2012's page numbers for the template (mm and pt)."""
    names = ("TOP_MM", "BOTTOM_MM", "INNER_MM", "OUTER_MM", "BODY_PT", "LINE_PT", "TYPE_WIDTH_MM",
             "TYPE_HEIGHT_MM")
    out = {n.lower(): float(getattr(gongwen, n)) for n in names}
    out["char_pt"] = round(gongwen.CHAR_PT, 3)
    out["letter_spacing_pt"] = out["char_pt"] - gongwen.BODY_PT
    return out


def masthead_size(text: str) -> float:
    """The 发文机关标志's size in pt: as large as fits one line of the 版心, at most 初号 (42 pt)."""
    width_pt = gongwen.TYPE_WIDTH_MM / gongwen.MM_PER_PT
    return min(42.0, int(width_pt / max(len(text), 1) * 10) / 10)


def notice_context(year: int, notice: NoticeConfig) -> dict[str, Any]:
    """The notice's own elements: 发文机关标志, 文号, dates, 主送, 抄送, 印发, faces."""
    signed = chinese_date(notice.date) if notice.date else BLANK_DATE
    printed = notice.print_date or notice.date
    return {
        "notice": notice,
        "masthead": notice.masthead or f"{notice.issuer}文件",
        "doc_number": notice.doc_number(year),
        "signed_date": signed,
        "print_date": chinese_date(printed) if printed else BLANK_DATE,
        "printer": notice.printer or notice.issuer,
        "faces": gongwen.resolve_faces(notice.fonts),
        "g": geometry(),
    }


def summary_context(report: ScoreReport, indicator_set: IndicatorSet,
                    generated_at: datetime) -> dict[str, Any]:
    """Everything ``summary.html`` reads."""
    scored = report.scored()
    columns = [s for s in report.sections if s.kind != "veto"]
    rows = [RankRow(unit=u, sections=[None if s.id not in u.sections else counted(u.sections[s.id], s.kind)
                                      for s in columns],
                    interval=interval_text(u.robustness), vetoed=bool(u.vetoes)) for u in scored]
    unscored = [UnscoredRow(unit=u, status=STATUS_LABELS[u.status],
                            reason=plain_text(chinese_dates(u.reason or "未说明")),
                            errors=sum(p.severity.value == "error" for p in u.findings))
                for u in report.units if u.status.value != "scored"]
    chart = ""
    if scored:
        bars = [Bar(u.short_name, u.total or 0.0, u.grade or "—", bool(u.vetoes)) for u in scored]
        chart = distribution_chart(bars, [g.name for g in indicator_set.grades],
                                   _threshold_lines(indicator_set), title="各单位总分（按名次）")
    facts = notice_facts(report, indicator_set)
    basis = indicator_set.basis
    plan = f"《{basis.plan_title}》" + (f"（{basis.doc_number}）" if basis.doc_number else "")
    notice = load_notice_config(report.year)
    issuer = notice.issuer
    title_lines = [f"关于{report.year}年度各省、自治区、直辖市和", "新疆生产建设兵团打击侵权假冒工作",
                   "绩效考核结果的通报"]
    bases = {k: v.basis for k, v in notice.vetoes.items()}
    names = {s.id: s.name for s in report.sections}
    caveat = notice.comparison_caveat if facts.previous_year is not None else None
    return {
        **page_meta(generated_at),
        **notice_context(report.year, notice),
        "annexes": annexes(bool(unscored)),
        "masthead_pt": masthead_size(notice.masthead or f"{issuer}文件"),
        "veto_lines": [veto_sentence(v, bases, names) for v in facts.vetoes],
        "title": "".join(title_lines),
        "title_lines": title_lines,
        "paragraphs": notice_paragraphs(facts, issuer, plan, indicator_set.title, report.year,
                                        report.total_decimals, caveat=caveat, veto_bases=bases,
                                        section_names=names,
                                        objections=report.objections.all if report.objections else None),
        "publication": indicator_set.publication,
        "decimals": report.total_decimals,
        "tie_rule": TIE_RULES.get(report.rank_ties, report.rank_ties),
        "report": report,
        "indicator_set": indicator_set,
        "facts": facts,
        "compared": compared_with(facts.previous_year) if facts.previous_year else "",
        "veto_mark": VETO_MARK,
        "scored": scored,
        "columns": columns,
        "rows": rows,
        "unscored": unscored,
        "chart": svg_markup(chart) if chart else "",
        "figures": [f for f in section_figures(report) if f.info.kind != "veto"],
        "methodology": methodology(indicator_set),
        "rounding_text": rounding_text(indicator_set),
        "tier_rule_text": tier_rule_text(indicator_set),
        "intake_text": intake_text(indicator_set),
        "missing_labels": list(MISSING_LABELS.values()),
    }


def summary_html(report: ScoreReport, indicator_set: IndicatorSet, generated_at: datetime, *,
                 colophon_numbered: bool = True) -> str:
    """The national summary as HTML. ``colophon_numbered=False``: the 版记 page without a page
    number, as GB/T 9704-2012 7.5.1 wants when a blank page comes before it."""
    context = summary_context(report, indicator_set, generated_at)
    return report_environment().get_template("summary.html").render(
        **context, colophon_numbered=colophon_numbered)


def technical_html(report: ScoreReport, indicator_set: IndicatorSet, generated_at: datetime) -> str:
    """The 技术说明 (fingerprints, versions, rank intervals) as HTML."""
    context = summary_context(report, indicator_set, generated_at)
    context["notice_title"] = context["title"]
    context["title"] = f"{report.year}年度考核结果通报技术说明"
    context["face_labels"] = {"xiaobiaosong": "发文机关标志、标题（小标宋）",
                              "fangsong": "文号、正文、版记（仿宋）", "heiti": "一级标题、附件标签（黑体）",
                              "kaiti": "二级标题（楷体）", "songti": "页码（宋体）"}
    return report_environment().get_template("technical.html").render(**context)
