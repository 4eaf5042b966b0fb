"""scores.json and ranking.xlsx as published (scoring/scores/outputs.py), for a report built by hand.

Three units: 北京 scored (rank 1, interval 1–2), 天津 scored but vetoed (rank 2, interval 2–2), 河北 not
scored with a reason, 上海 missing. Sections A (score, 60), B (score, 40), D (deduction, cap 5) and
the veto section V, which gets neither a column nor a sheet.
"""

from __future__ import annotations

import io
import json
from datetime import date

from openpyxl import load_workbook

from scoring.scores.models import (
    IndicatorScore,
    Robustness,
    ScoreReport,
    SectionInfo,
    Trend,
    UnitScore,
    UnitStatus,
    VetoApplied,
)
from scoring.scores.outputs import ranking_xlsx, scores_json


def _indicators(a1: float, b1: float, d1: float) -> dict[str, IndicatorScore]:
    return {"A1": IndicatorScore(section="A", name="任务完成情况", points=a1, max=60, explanation="…"),
            "B1": IndicatorScore(section="B", name="报送及时性", points=b1, max=40, explanation="…"),
            "D1": IndicatorScore(section="D", name="被通报", points=d1, max=5, explanation="…"),
            "V1": IndicatorScore(section="V", name="重大事件", points=0, max=0, explanation="…")}


def report() -> ScoreReport:
    def interval(lo: int, hi: int) -> Robustness:
        return Robustness(median_rank=lo, p05=lo, p95=hi, leave_one_out_min=lo, leave_one_out_max=hi)

    veto = VetoApplied(indicator="V1", name="重大事件", effect="等次最高为不合格", explanation="…")
    units = [
        UnitScore(code="110000", name="北京市", short_name="北京", region="东部", status=UnitStatus.SCORED,
                  total=86.5, grade="合格", tier="第一档", tier_points=10.0, rank=1, rank_in_region=1,
                  sections={"A": 50.5, "B": 39, "D": 3}, indicators=_indicators(50.5, 39, 3),
                  robustness=interval(1, 2)),
        UnitScore(code="120000", name="天津市", short_name="天津", region="东部", status=UnitStatus.SCORED,
                  total=49, grade="不合格", tier="第二档", tier_points=5, rank=2, rank_in_region=2,
                  sections={"A": 30, "B": 24, "D": 5}, indicators=_indicators(30, 24, 5), vetoes=[veto, veto],
                  robustness=interval(2, 2)),
        UnitScore(code="130000", name="河北省", short_name="河北", region="东部",
                  status=UnitStatus.NOT_SCORED, reason="报送工作簿有 1 个错误"),
        UnitScore(code="310000", name="上海市", short_name="上海", region="东部", status=UnitStatus.MISSING,
                  reason="未收到报送工作簿"),
    ]
    return ScoreReport(
        year=2030, title="测试", config_sha256="0" * 64, engine_version="x", total_points=100,
        total_decimals=2, rank_ties="competition", units=units,
        sections=[SectionInfo(id="A", name="日常工作成效", kind="score", max=60),
                  SectionInfo(id="B", name="报送信息数据", kind="score", max=40),
                  SectionInfo(id="D", name="扣分项目", kind="deduction", max=5),
                  SectionInfo(id="V", name="一票否决", kind="veto", max=0)])


def test_scores_json_is_indented_utf8_with_a_final_newline() -> None:
    data = scores_json(report())
    text = data.decode("utf-8")
    assert text.endswith("}\n") and "北京市" in text  # Chinese as is, not \\u escapes
    assert '\n  "year": 2030,\n' in text  # two-space indent
    assert json.loads(text) == json.loads(report().model_dump_json())


def test_scored_and_ranked_units() -> None:
    scored = report()
    assert [u.code for u in scored.scored()] == [u.code for u in scored.ranked()] == ["110000", "120000"]
    scored.units[1].rank = None  # a veto that leaves the unit unranked
    assert [u.code for u in scored.ranked()] == ["110000"] and len(scored.scored()) == 2


def test_ranking_summary_sheet() -> None:
    wb = load_workbook(io.BytesIO(ranking_xlsx(report())))
    assert wb.sheetnames == ["总表", "A 日常工作成效", "B 报送信息数据", "D 扣分项目"]
    assert wb.properties.title == "2030 年度打击侵权假冒工作考核排名"
    ws = wb["总表"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    # a printed title and a note on how to read the table above the header row
    assert rows[0] == ["2030年度各省（区、市）打击侵权假冒工作绩效考核结果排名", *[None] * 14]
    assert rows[1][0].startswith("总分保留 2 位小数；扣分项目记为负数，各部分得分相加即为总分")
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:O1", "A2:O2"}
    assert rows[2] == ["名次", "单位代码", "单位", "地区", "区内名次", "总分", "等次", "档次", "平安建设得分",
                       "A 日常工作成效（满分 60）", "B 报送信息数据（满分 40）", "D 扣分项目（上限 5）",
                       "名次稳健区间（5%–95%）", "状态", "说明"]
    # deductions are negative so the sections add up to the total: 50.5 + 39 − 3 = 86.5
    veto = "一票否决：V1 重大事件——等次最高为不合格"
    assert rows[3:] == [
        [1, "110000", "北京市", "东部", 1, 86.5, "合格", "第一档", 10, 50.5, 39, -3, "1–2", "已评分", None],
        [2, "120000", "天津市", "东部", 2, 49, "不合格", "第二档", 5, 30, 24, -5, "2", "已评分",
         f"{veto}；{veto}"],
        [None, "130000", "河北省", "东部", None, None, None, None, None, None, None, None, None, "未评分",
         "报送工作簿有 1 个错误"],
        [None, "310000", "上海市", "东部", None, None, None, None, None, None, None, None, None, "未报送",
         "未收到报送工作簿"]]
    for row in rows[3:5]:
        assert row[5] == row[9] + row[10] + row[11]
    widths = [ws.column_dimensions[chr(ord("A") + k)].width for k in range(15)]
    assert widths == [7, 11, 18, 7, 8, 9, 8, 8, 9, 11, 11, 11, 12, 8, 36]
    assert ws.freeze_panes == "D4" and ws.print_title_rows == "$3:$3"
    assert (ws.row_dimensions[1].height, ws.row_dimensions[3].height) == (26, 42)
    assert ws["A1"].font.bold and ws["A1"].font.sz == 14
    for cell in ws[3]:
        assert cell.font.bold and cell.fill.fgColor.rgb == "00DDEBF7"
        assert (cell.alignment.horizontal, cell.alignment.vertical, cell.alignment.wrap_text) == (
            "center", "center", True)
    assert ws["F4"].number_format == "0.00;-0.00;0.00" and ws["J4"].number_format == "0.00;-0.00;0.00"
    assert ws["A4"].number_format == "General"  # ranks are whole numbers


def test_ranking_section_sheets() -> None:
    wb = load_workbook(io.BytesIO(ranking_xlsx(report())))
    a = wb["A 日常工作成效"]
    rows = [[c.value for c in row] for row in a.iter_rows()]
    assert rows[0][0] == "2030年度各省（区、市）打击侵权假冒工作绩效考核分项得分：A 日常工作成效"
    assert rows[2:] == [
        ["名次", "单位代码", "单位", "本部分得分", "A1 任务完成情况（满分 60）"],
        [1, "110000", "北京市", 50.5, 50.5], [2, "120000", "天津市", 30, 30]]
    assert [a.column_dimensions[c].width for c in "ABCDE"] == [7, 11, 20, 11, 13]
    assert a["D4"].number_format == "0.00;-0.00;0.00" and a.freeze_panes == "D4"
    d = [[c.value for c in row] for row in wb["D 扣分项目"].iter_rows()]
    assert d[1][0] == "扣分记为负数；得分按精确值计算，显示保留 2 位小数。"
    # the note says the decimals the cells show
    one = load_workbook(io.BytesIO(ranking_xlsx(report().model_copy(update={"total_decimals": 1}))))
    assert one["A 日常工作成效"]["A2"].value == "得分按精确值计算，显示保留 1 位小数。"
    assert one["A 日常工作成效"]["D4"].number_format == "0.0;-0.0;0.0"
    assert d[2:] == [["名次", "单位代码", "单位", "本部分得分", "D1 被通报（上限 5）"],
                     [1, "110000", "北京市", -3, -3], [2, "120000", "天津市", -5, -5]]


def test_a_long_section_name_is_cut_to_excels_31_characters() -> None:
    long = report()
    long.sections[0] = SectionInfo(id="A", name="日" * 40, kind="score", max=60)
    wb = load_workbook(io.BytesIO(ranking_xlsx(long)))
    assert wb.sheetnames[1] == "A " + "日" * 29 and len(wb.sheetnames[1]) == 31


def test_ranking_cells_are_set_in_a_chinese_face_and_rows_grow_for_long_notes() -> None:
    whole = report()
    whole.total_decimals = 0
    ws = load_workbook(io.BytesIO(ranking_xlsx(whole)))["总表"]
    assert ws["F4"].number_format == "0;-0;0"  # no decimals: no decimal point either
    # every cell in 宋体 with the GB2312 character set, so WPS and LibreOffice keep a Chinese face
    for ref in ("A1", "A2", "A3", "C4", "O5"):
        assert (ws[ref].font.name, ws[ref].font.charset) == ("宋体", 134), ref
    assert (ws["A1"].alignment.horizontal, ws["A1"].alignment.vertical) == ("center", "center")
    assert (ws["A2"].font.sz, ws["A2"].font.color.rgb) == (9, "00555555")  # the note: small and grey
    # a unit under a veto is written in red; the others in the default colour
    assert ws["C5"].font.color.rgb == "00B00020" and ws["C4"].font.color is None
    assert (ws["C4"].font.sz, ws["C4"].font.bold) == (10, False)  # body cells: 10 pt, not bold
    # 天津's note, the veto twice: 39 + 2 + 39 = 80 half-width places (CJK and full-width count
    # 2) in a 36-wide column (34 usable) take 3 lines of 14 points; 北京 has no note: height unset
    assert ws.row_dimensions[5].height == 42 and ws.row_dimensions[4].height is None


def test_ranking_sheets_print_on_a4_landscape_with_title_and_note_on_every_page() -> None:
    wb = load_workbook(io.BytesIO(ranking_xlsx(report())))
    for ws in wb.worksheets:
        title, note = ws["A1"].value, ws["A2"].value
        assert (ws["A2"].alignment.wrap_text, ws["A2"].alignment.vertical) == (True, "top")
        assert ws.row_dimensions[2].height == 28
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.scale, setup.pageOrder) == (
            "landscape", 9, 90, "overThenDown")  # paper 9: A4
        assert not ws.sheet_properties.pageSetUpPr.fitToPage  # 90 %, continued on further pages
        assert (ws.print_title_rows, ws.print_title_cols) == ("$3:$3", "$A:$C")
        margins = ws.page_margins
        assert (margins.left, margins.right, margins.top, margins.bottom) == (0.4, 0.4, 0.7, 0.9)
        header, footer = ws.oddHeader, ws.oddFooter
        assert (header.center.text, header.center.size, header.center.font) == (title, 12, "宋体,Bold")
        assert (header.right.text, header.right.size) == ("第 &P 页 共 &N 页", 10)
        assert (footer.center.text, footer.center.size) == (note, 10)


def test_ranking_body_cells_are_aligned_to_the_top_and_only_the_note_wraps() -> None:
    wb = load_workbook(io.BytesIO(ranking_xlsx(report())))
    ws = wb["总表"]
    centred = {1, 2, 4, 5, 7, 8}  # rank, code, region, rank in region, grade, tier
    for col in range(1, 16):
        alignment = ws.cell(4, col).alignment
        assert alignment.horizontal == ("center" if col in centred else None), col
        assert alignment.vertical == "top" and alignment.wrap_text is (col == 15 or None), col
    # headings that fit on two lines of their columns still get the 30-point minimum
    assert wb["D 扣分项目"].row_dimensions[3].height == 30


def test_the_ranking_shows_the_change_since_last_year_and_the_deadline_the_data_stand_at() -> None:
    trended = report()
    trended.deadline = date(2031, 1, 15)
    beijing, tianjin, hebei, _ = trended.units
    beijing.trend = Trend(previous_year=2029, previous_total=85, previous_rank=2, total_change=1.5,
                          rank_change=1)
    tianjin.trend = Trend(previous_year=2029, previous_total=49, previous_rank=2, total_change=0,
                          rank_change=0)
    hebei.reason = "报送工作簿有 3 个错误，未评分：封面未填写联系人"  # 47 half-width places: 2 lines
    wb = load_workbook(io.BytesIO(ranking_xlsx(trended)))
    ws = wb["总表"]
    assert ws["A1"].value == ("2030年度各省（区、市）打击侵权假冒工作绩效考核结果排名"
                              "（报送截止日期：2031年1月15日）")
    assert ws["A2"].value == ("总分保留 2 位小数；扣分项目记为负数，各部分得分相加即为总分；"
                              "一票否决的单位在“说明”栏写明所触发的否决及其效果；"
                              "未评分、未报送的单位不排名，不给予 0 分。")
    # after the three sections: the change in total (signed) and in rank, 11 wide each
    assert [ws.cell(3, col).value for col in (13, 14)] == [
        "总分变化（较2029年度）", "名次变化（较2029年度）"]
    assert [ws.column_dimensions[c].width for c in "MN"] == [11, 11]
    assert [ws.cell(row, 13).value for row in (4, 5, 6)] == [1.5, 0, None]
    assert [ws.cell(row, 14).value for row in (4, 5, 6)] == ["上升 1 位", "持平", None]
    assert ws["M4"].number_format == "+0.00;-0.00;0.00" and ws["I4"].number_format == "0"
    assert ws.row_dimensions[6].height == 28  # 河北's reason wraps onto a second line
    # wide from U+2E80 (the CJK radicals) on: 18 of them are 36 places, past the 34 of one line
    hebei.reason = "\u2e80" * 18
    assert load_workbook(io.BytesIO(ranking_xlsx(trended)))["总表"].row_dimensions[6].height == 28
    assert ws.print_area == "'总表'!$A$3:$Q$7"  # the grid from the header row down, every column
    moved = report()
    moved.units[0].trend = Trend(previous_year=2029, previous_total=90, previous_rank=1,
                                 total_change=-3.5, rank_change=-1)
    moved.units[1].trend = Trend(previous_year=2029, previous_total=None, previous_rank=None,
                                 total_change=None, rank_change=None)  # not ranked last year
    summary = load_workbook(io.BytesIO(ranking_xlsx(moved)))["总表"]
    assert [summary.cell(row, 14).value for row in (4, 5)] == ["下降 1 位", None]
    # a score section's sheet: its note, whole-number ranks, the vetoed unit in red
    a = wb["A 日常工作成效"]
    assert a["A2"].value == "得分按精确值计算，显示保留 2 位小数。"
    assert a["A4"].number_format == "General" and a["D4"].number_format == "0.00;-0.00;0.00"
    assert a["C5"].font.color.rgb == "00B00020" and a["C4"].font.color is None
    # rank and code centred, the unit's name and the scores not
    horizontal = [a.cell(4, col).alignment.horizontal for col in range(1, 6)]
    assert horizontal == ["center", "center", None, None, None]
