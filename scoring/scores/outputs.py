"""A year's results as bytes: scores.json and ranking.xlsx.

Both depend only on the inputs and the configuration (byte for byte); the pipeline writes them,
with the manifest (``scoring/pipeline/manifest.py``), into the output set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scoring.indicators.rules.words import chinese_date
from scoring.scores.models import ScoreReport, UnitScore, UnitStatus
from scoring.workbook.template import fixed_properties, workbook_bytes

STATUS_LABELS = {UnitStatus.SCORED: "已评分", UnitStatus.NOT_SCORED: "未评分", UnitStatus.MISSING: "未报送"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def scores_json(report: ScoreReport) -> bytes:
    """The report as UTF-8 JSON (stable field order, two-space indent, trailing newline)."""
    return (report.model_dump_json(indent=2) + "\n").encode("utf-8")


CELL_FONT = "宋体"  # a Chinese face, so LibreOffice and WPS do not fall back to a Japanese one
GB2312 = 134  # the font's character set: tells Excel and WPS the face is meant for Chinese
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
NOTE_WIDTH = 36


def _font(*, bold: bool = False, size: float = 10, colour: str | None = None) -> Font:
    return Font(name=CELL_FONT, charset=GB2312, size=size, bold=bold, color=colour)


def _score_format(decimals: int) -> str:
    zeros = "0." + "0" * decimals if decimals else "0"
    return f"{zeros};-{zeros};{zeros}"


def _signed(value: float | None, kind: str) -> float | None:
    """Points as they count towards the total: deductions negative (as in the PDFs)."""
    if value is None:
        return None
    return -value if kind == "deduction" and value else value


def _interval(unit: UnitScore) -> str:
    r = unit.robustness
    if r is None:
        return ""
    return str(r.p05) if r.p05 == r.p95 else f"{r.p05}–{r.p95}"


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide (CJK counts double)."""
    size = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return max(1, math.ceil(size / max(width - 2, 1)))


def _note(unit: UnitScore) -> str:
    """Why a unit stands where it does: the reason it was not scored, or each veto and its effect."""
    if unit.reason:
        return unit.reason
    return "；".join(f"一票否决：{v.indicator} {v.name}——{v.effect}" for v in unit.vetoes)


PRINT_SCALE = 90  # 10 pt cells print at 9 pt, the smallest an official reads on A4


def _page_setup(ws: Worksheet, columns: int, title: str, note: str) -> None:
    """A title row and a note above the header row; printed on A4 landscape at 90 % (never below
    9 pt): a sheet wider than the page continues on further pages that repeat the header row and
    the rank, code and unit columns, with the title in the page header and the note in the footer
    (so neither is cut where a page ends)."""
    last = get_column_letter(columns)
    ws.cell(TITLE_ROW, 1, title).font = _font(bold=True, size=14)
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 26
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.cell(NOTE_ROW, 1, note).font = _font(size=9, colour="555555")
    ws.merge_cells(f"A{NOTE_ROW}:{last}{NOTE_ROW}")
    ws.cell(NOTE_ROW, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[NOTE_ROW].height = 28
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = PRINT_SCALE
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.pageOrder = "overThenDown"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = "A:C"
    # the grid prints from the header row; title and note go to the page header and footer, so no
    # merged cell is cut where a wide sheet continues on the next page
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.9
    ws.oddHeader.center.text = title
    ws.oddHeader.center.size = 12
    ws.oddHeader.center.font = f"{CELL_FONT},Bold"
    ws.oddHeader.right.text = "第 &P 页 共 &N 页"
    ws.oddHeader.right.size = 10
    ws.oddFooter.center.text = note
    ws.oddFooter.center.size = 10


def _header(ws: Worksheet, headers: list[str], widths: Sequence[float], freeze: str) -> None:
    """The header row: bold on the header fill, wrapped, tall enough for the longest heading."""
    lines = max(_lines(text, width) for text, width in zip(headers, widths, strict=True))
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = freeze
    ws.row_dimensions[HEADER_ROW].height = max(30, 14 * lines)


def _write_row(ws: Worksheet, row: int, values: Sequence[object], formats: dict[int, str],
               centred: set[int], wrapped: set[int], colour: str | None = None) -> None:
    for col, value in enumerate(values, 1):
        cell = ws.cell(row, col, value)
        cell.font = _font(colour=colour)
        if col in formats and isinstance(value, float | int) and not isinstance(value, bool):
            cell.number_format = formats[col]
        cell.alignment = Alignment(horizontal="center" if col in centred else None, vertical="top",
                                   wrap_text=col in wrapped)


def _title(report: ScoreReport, what: str) -> str:
    """The sheet's title with the date the data stand at (the year's submission deadline): a
    fixed date of the assessment, so the same results always give the same workbook."""
    title = f"{report.year}年度各省（区、市）打击侵权假冒工作绩效考核{what}"
    when = report.deadline
    return title if when is None else f"{title}（报送截止日期：{chinese_date(when)}）"


def _summary(wb: Workbook, report: ScoreReport) -> None:
    ws = wb.active
    ws.title = "总表"
    sections = [s for s in report.sections if s.kind != "veto"]
    previous = next((u.trend.previous_year for u in report.units if u.trend is not None), None)
    trend = [f"总分变化（较{previous}年度）", f"名次变化（较{previous}年度）"] if previous else []
    headers = ["名次", "单位代码", "单位", "地区", "区内名次", "总分", "等次", "档次", "平安建设得分",
               *[f"{s.id} {s.name}（{'上限' if s.kind != 'score' else '满分'} {s.max:g}）" for s in sections],
               *trend, "名次稳健区间（5%–95%）", "状态", "说明"]
    widths = [7, 11, 18, 7, 8, 9, 8, 8, 9, *[11] * len(sections), *[11] * len(trend), 12, 8, NOTE_WIDTH]
    _page_setup(ws, len(headers), _title(report, "结果排名"),
                f"总分保留 {report.total_decimals} 位小数；扣分项目记为负数，各部分得分相加即为总分；"
                "一票否决的单位在“说明”栏写明所触发的否决及其效果；未评分、未报送的单位不排名，不给予 0 分。")
    _header(ws, headers, widths, "D4")
    score = _score_format(report.total_decimals)
    first_section = 10
    formats = {6: score, 9: "0", **{first_section + i: score for i in range(len(sections))}}
    if trend:
        formats[first_section + len(sections)] = "+" + score
    centred = {1, 2, 4, 5, 7, 8}
    wrapped = {len(headers)}
    for row, unit in enumerate(report.units, HEADER_ROW + 1):
        changes: list[object] = []
        if trend:
            t = unit.trend
            changes = [None if t is None else t.total_change,
                       None if t is None or t.rank_change is None else
                       (f"上升 {t.rank_change} 位" if t.rank_change > 0 else
                        f"下降 {-t.rank_change} 位" if t.rank_change < 0 else "持平")]
        values = [unit.rank, unit.code, unit.name, unit.region, unit.rank_in_region, unit.total,
                  unit.grade, unit.tier, unit.tier_points,
                  *[_signed(unit.sections.get(s.id), s.kind) for s in sections], *changes,
                  _interval(unit), STATUS_LABELS[unit.status], _note(unit)]
        _write_row(ws, row, values, formats, centred, wrapped, "B00020" if unit.vetoes else None)
        lines = _lines(_note(unit), NOTE_WIDTH)
        if lines > 1:  # spreadsheet programs do not grow a row for wrapped text on opening
            ws.row_dimensions[row].height = 14 * lines


def _section_sheet(wb: Workbook, report: ScoreReport, section_id: str, name: str, kind: str) -> None:
    ws = wb.create_sheet(f"{section_id} {name}"[:31])
    scored = [u for u in report.units if u.status is UnitStatus.SCORED]
    ids = [i for i, score in (scored[0].indicators.items() if scored else []) if score.section == section_id]
    labels = [f"{i} {scored[0].indicators[i].name}（{'上限' if kind != 'score' else '满分'} "
              f"{scored[0].indicators[i].max:g}）" for i in ids]
    headers = ["名次", "单位代码", "单位", "本部分得分", *labels]
    _page_setup(ws, len(headers), _title(report, f"分项得分：{section_id} {name}"),
                f"{'扣分记为负数；' if kind == 'deduction' else ''}得分按精确值计算，"
                f"显示保留 {report.total_decimals} 位小数。")
    _header(ws, headers, [7, 11, 20, 11, *[13] * len(ids)], "D4")
    score = _score_format(report.total_decimals)
    formats = {col: score for col in range(4, len(headers) + 1)}
    for row, unit in enumerate(scored, HEADER_ROW + 1):
        values = [unit.rank, unit.code, unit.name, _signed(unit.sections.get(section_id), kind),
                  *[_signed(unit.indicators[i].points, kind) for i in ids]]
        _write_row(ws, row, values, formats, {1, 2}, set(), "B00020" if unit.vetoes else None)


def ranking_xlsx(report: ScoreReport) -> bytes:
    """The ranking workbook: a summary sheet, then one sheet per section (veto sections aside);
    each prints A4 landscape at 9 pt or more, its title in the page header, header row and unit
    columns repeated."""
    wb = Workbook()
    _summary(wb, report)
    for section in report.sections:
        if section.kind != "veto":
            _section_sheet(wb, report, section.id, section.name, section.kind)
    for ws in wb.worksheets:
        ws.print_area = f"A{HEADER_ROW}:{get_column_letter(ws.max_column)}{ws.max_row}"
    fixed_properties(wb, report.year, "打击侵权假冒工作考核排名")
    return workbook_bytes(wb)
