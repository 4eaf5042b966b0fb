"""Scorecards and the summary carry real text: names, totals, every indicator, and why a unit
was not scored."""

from __future__ import annotations

import re
import subprocess

from conftest import pdf_text, squeeze
from reportdata import MISSING, NOT_SCORED, SCORED, Rendered

from scoring.report.render import scorecard_file


def test_every_unit_gets_a_card_named_code_name(rendered_reports: Rendered) -> None:
    r = rendered_reports
    expected = [r.out_dir / "summary.docx", r.out_dir / "summary.pdf", r.out_dir / "technical.pdf"]
    expected += [scorecard_file(r.out_dir, u) for u in r.report.units]
    assert r.paths == expected
    assert all(p.is_file() and p.read_bytes().startswith(b"%PDF-") for p in expected[1:])
    assert expected[0].read_bytes().startswith(b"PK")  # the .docx is a zip
    assert (r.out_dir / "scorecards" / "110000-北京市.pdf") in expected


def test_scorecard_text_has_unit_total_and_every_indicator(rendered_reports: Rendered) -> None:
    r = rendered_reports
    for code in SCORED:
        unit = next(u for u in r.report.units if u.code == code)
        text = pdf_text(r.card(code))
        flat = squeeze(text)
        assert unit.name in flat and f"{r.report.year}年度" in flat
        assert f"{unit.total:.2f}" in text and unit.grade is not None and unit.grade in flat
        assert f"第{unit.rank}名/共{len(r.report.scored())}个单位" in flat
        for _, indicator in r.indicator_set.indicators():
            assert squeeze(indicator.name) in flat, indicator.name
        for score in unit.indicators.values():
            for ref in score.inputs:
                if ref.sheet and ref.cell:
                    assert f"{ref.sheet}!{ref.cell}" in flat
        assert r.report.config_sha256 in flat
        assert unit.submission is not None and unit.submission.sha256 in flat
        assert "第1页共" in flat  # the footer: 第 x 页 共 y 页


_TASK_CODE = re.compile(r"20\d\d-\d+(?:\.\d+)+")
# words an official would not sign, and the rank intervals, which belong to the internal 技术说明 only
_NOT_ON_CARDS = ("中央记录", "触发", "稳健区间", "随机种子", "百分位", "生成于", "极差法", "标记待核")


def _codes_in(text: str, ids: list[str]) -> list[str]:
    """Indicator ids standing as words in ``text`` (a cell reference such as 工作数据!D2 is not one)."""
    return [i for i in ids if re.search(rf"(?<![!A-Za-z0-9]){re.escape(i)}(?![0-9])", text)]


def test_no_card_shows_codes_tool_words_or_intervals(rendered_reports: Rendered) -> None:
    r = rendered_reports
    ids = [indicator.id for _, indicator in r.indicator_set.indicators()]
    for unit in r.report.units:
        flat = squeeze(pdf_text(r.card(unit.code)))
        assert [w for w in _NOT_ON_CARDS if w in flat] == [], unit.name
        assert _codes_in(flat, ids) == [], unit.name
        assert _TASK_CODE.findall(flat) == [], unit.name
    technical = squeeze(pdf_text(r.out_dir / "technical.pdf"))
    assert "稳健区间" in technical and "生成于" in technical  # the internal annex keeps them


def test_scorecard_shows_vetoes_tasks_findings_and_trend(rendered_reports: Rendered) -> None:
    tibet = squeeze(pdf_text(rendered_reports.card("540000")))
    assert "效果：等次不高于“不合格”" in tibet and "待核" in tibet
    canton = squeeze(pdf_text(rendered_reports.card("440000")))
    assert "聚焦重点领域治理" in canton and "已完成" in canton and "未开展" in canton
    assert "办结案件数大于查处案件数" in canton and "工作数据!C3" in canton
    assert "与2021年度比较：2021年度总分" in canton
    assert "各部分得分率" in canton and "全国平均" in canton  # the chart's text is text


def test_units_not_scored_get_a_card_saying_why(rendered_reports: Rendered) -> None:
    corps = squeeze(pdf_text(rendered_reports.card(NOT_SCORED)))
    assert "新疆生产建设兵团" in corps and "未评分" in corps and "工作数据!C6" in corps
    assert "移送公安机关案件数不能大于行政执法部门查处案件数" in corps
    from scoring.report.notice_config import load_notice_config

    notice = load_notice_config(2022)  # the effect on 平安建设 and the resubmission date, from the config
    assert f"影响：{notice.unscored_effect}" in corps and "重新报送" in corps
    hainan = squeeze(pdf_text(rendered_reports.card(MISSING)))
    assert "海南省" in hainan and "未收到报送工作簿" in hainan


def test_summary_ranks_every_unit_and_explains_the_method(rendered_reports: Rendered) -> None:
    r = rendered_reports
    text = pdf_text(r.summary)
    # the content-stream order keeps each table cell's lines together (columns never interleave)
    flat = squeeze(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(r.summary), "-"], check=True,
                                  capture_output=True, text=True).stdout)
    for unit in r.report.units:
        assert unit.name in flat
    for unit in r.report.scored():
        assert f"{unit.total:.2f}" in text
    assert "未收到报送工作簿" in flat and "未评分" in flat
    assert "各部分全国平均与领先单位" in flat and "各单位总分" in flat
    assert "同分同名次，其后名次顺延" in flat
    for _, indicator in r.indicator_set.indicators():
        assert squeeze(indicator.name) in flat
        for citation in indicator.basis:
            assert squeeze(citation.text)[:20] in flat
        if indicator.rule_text and indicator.rule.kind != "veto":  # a veto states its published basis
            assert squeeze(indicator.rule_text)[:20] in flat
    assert "每移送1件得0.25分" in flat or "每1个单位得0.25分" in flat
    assert "2023年1月15日" in flat and "2023-01-15" not in flat
