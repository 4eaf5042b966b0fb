"""A year's results as bytes: scores.json and ranking.xlsx (the pipeline writes them and the manifest).

Both depend only on the inputs and the configuration, byte for byte.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scoring.scores.models import ScoreReport, UnitScore, UnitStatus
from scoring.workbook.template import fixed_properties, workbook_bytes

STATUS_LABELS = {UnitStatus.SCORED: "已评分", UnitStatus.NOT_SCORED: "未评分", UnitStatus.MISSING: "未报送"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def scores_json(report: ScoreReport) -> bytes:
    """The report as UTF-8 JSON (stable field order, two-space indent, trailing newline)."""
    return (report.model_dump_json(indent=2) + "\n").encode("utf-8")


def _header(ws: Worksheet, headers: list[str], widths: list[int]) -> None:
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(1, col, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "D2"
    ws.row_dimensions[1].height = 32


def _interval(unit: UnitScore) -> str:
    r = unit.robustness
    return "" if r is None else f"{r.p05}–{r.p95}"


def _summary(wb: Workbook, report: ScoreReport) -> None:
    ws = wb.active
    ws.title = "总表"
    sections = [s for s in report.sections if s.kind != "veto"]
    headers = ["名次", "单位代码", "单位", "地区", "区内名次", "总分", "等次", "档次", "平安建设得分",
               *[f"{s.id} {s.name}（{s.max:g}）" for s in sections], "名次稳健区间（5%–95%）", "状态", "说明"]
    _header(ws, headers, [6, 10, 18, 6, 8, 8, 8, 8, 10, *[12] * len(sections), 14, 8, 50])
    for row, unit in enumerate(report.units, 2):
        values = [unit.rank, unit.code, unit.name, unit.region, unit.rank_in_region, unit.total,
                  unit.grade, unit.tier, unit.tier_points,
                  *[unit.sections.get(s.id) for s in sections], _interval(unit),
                  STATUS_LABELS[unit.status], unit.reason or "、".join(v.name for v in unit.vetoes)]
        for col, value in enumerate(values, 1):
            cell = ws.cell(row, col, value)
            if isinstance(value, float):
                cell.number_format = "0.00"


def _section_sheet(wb: Workbook, report: ScoreReport, section_id: str, name: str) -> None:
    ws = wb.create_sheet(f"{section_id} {name}"[:31])
    scored = [u for u in report.units if u.status is UnitStatus.SCORED]
    ids = [i for i, score in (scored[0].indicators.items() if scored else []) if score.section == section_id]
    labels = [f"{i} {scored[0].indicators[i].name}（{scored[0].indicators[i].max:g}）" for i in ids]
    _header(ws, ["名次", "单位代码", "单位", "本部分得分", *labels], [6, 10, 18, 10, *[14] * len(ids)])
    for row, unit in enumerate(scored, 2):
        values = [unit.rank, unit.code, unit.name, unit.sections.get(section_id),
                  *[unit.indicators[i].points for i in ids]]
        for col, value in enumerate(values, 1):
            cell = ws.cell(row, col, value)
            if isinstance(value, float):
                cell.number_format = "0.00"


def ranking_xlsx(report: ScoreReport) -> bytes:
    """The ranking workbook: a summary sheet, then one sheet per section (veto sections aside)."""
    wb = Workbook()
    _summary(wb, report)
    for section in report.sections:
        if section.kind != "veto":
            _section_sheet(wb, report, section.id, section.name)
    fixed_properties(wb, report.year, "打击侵权假冒工作考核排名")
    return workbook_bytes(wb)
