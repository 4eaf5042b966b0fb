"""The central office's workbook: what it records per unit (通报, 约谈, 挂牌督办 and whether fixed
on time, submission dates, information reports sent and adopted, typical cases, major incidents).

One sheet, one row per unit (code in A), one column per central data item (code in row 2); the
same hidden _meta sheet as the provinces' templates, with ``central`` as its unit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from scoring.indicators.items import DataItem, ItemKind, ItemSource
from scoring.indicators.units import Unit
from scoring.problems import Problem, Severity
from scoring.workbook import layout as L
from scoring.workbook.reader import RawWorkbook
from scoring.workbook.submission import ItemValue
from scoring.workbook.template import (
    HEADER_FILL,
    NUMBER_FORMATS,
    TemplateSource,
    fixed_properties,
    input_cell,
    locked_cell,
    protect_sheet,
    validation_for,
    write_meta,
)
from scoring.workbook.values import item_at


def central_items(source: TemplateSource) -> list[DataItem]:
    """The data items the central office records."""
    return [i for i in source.indicator_set.items if i.source is ItemSource.CENTRAL]


def build_central_template(source: TemplateSource, units: list[Unit]) -> Workbook:
    """The central office's workbook for the year, every unit's row ready to fill."""
    wb = Workbook()
    ws = wb.active
    ws.title = L.CENTRAL
    items = central_items(source)
    headers = [("单位代码", "unit"), ("单位名称", "name")] + [
        (f"{i.name}" + (f"（{i.unit}）" if i.unit else ""), i.code) for i in items]
    for col, (name, code) in enumerate(headers, 1):
        top = ws.cell(L.CENTRAL_NAME_ROW, col, name)
        top.font = Font(bold=True)
        top.fill = HEADER_FILL
        top.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.cell(L.CENTRAL_CODE_ROW, col, code).font = Font(color="808080", size=8)
        ws.column_dimensions[get_column_letter(col)].width = 12 if col > 2 else (10 if col == 1 else 16)
    ws.row_dimensions[L.CENTRAL_NAME_ROW].height = 48
    ws.freeze_panes = ws.cell(L.CENTRAL_FIRST_ROW, L.CENTRAL_FIRST_COL).coordinate
    for offset, unit in enumerate(units):
        row = L.CENTRAL_FIRST_ROW + offset
        locked_cell(ws, f"A{row}", unit.code)
        locked_cell(ws, f"B{row}", unit.name)
    last = L.CENTRAL_FIRST_ROW + len(units) - 1
    for offset, item in enumerate(items):
        letter = get_column_letter(L.CENTRAL_FIRST_COL + offset)
        validation = validation_for(item, None)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}{L.CENTRAL_FIRST_ROW}:{letter}{last}")
        for row in range(L.CENTRAL_FIRST_ROW, last + 1):
            input_cell(ws, f"{letter}{row}", NUMBER_FORMATS.get(item.kind, "@")
                   if item.kind is not ItemKind.YES_NO else "@")
    ws.print_title_rows = "1:2"
    protect_sheet(ws, landscape=True)
    write_meta(wb, source, L.CENTRAL_UNIT)
    fixed_properties(wb, source.indicator_set.year, "中央记录")
    return wb


@dataclass
class CentralRecords:
    """The central office's values per unit, and the findings about them."""

    values: dict[str, dict[str, ItemValue]] = field(default_factory=dict)
    findings: list[Problem] = field(default_factory=list)


def read_central(book: RawWorkbook, source: TemplateSource, units: dict[str, Unit]) -> CentralRecords:
    """Every unit's central values, with findings located at their cells."""
    records = CentralRecords()
    sheet = book.sheet(L.CENTRAL)

    def add(code: str, severity: Severity, message: str, cell: str | None = None,
            value: object = None) -> None:
        records.findings.append(Problem(code=code, severity=severity, message=message,
                                        sheet=L.CENTRAL, cell=cell,
                                        value=None if value is None else str(value)))

    if sheet is None:
        add("sheet-missing", Severity.ERROR, f"缺少工作表“{L.CENTRAL}”")
        return records
    columns: dict[str, int] = {}
    for cell in sheet.cells.values():
        if cell.row == L.CENTRAL_CODE_ROW and isinstance(cell.value, str):
            columns[cell.value.strip()] = cell.column
    items = central_items(source)
    for item in items:
        if item.code not in columns:
            add("column-missing", Severity.ERROR, f"缺少“{item.name}”（{item.code}）一列")
    rows: dict[str, int] = {}
    for cell in sheet.cells.values():
        if cell.column == 1 and cell.row >= L.CENTRAL_FIRST_ROW and cell.value is not None:
            code = str(int(cell.value)) if isinstance(cell.value, float) else str(cell.value).strip()
            if code in rows:
                add("row-duplicate", Severity.ERROR, f"单位 {code} 重复出现", cell.ref, code)
            elif code not in units:
                add("unit-unknown", Severity.WARNING, f"{code} 不是考核单位，该行已忽略", cell.ref, code)
            else:
                rows[code] = cell.row
    for code in units:
        if code not in rows:
            add("row-missing", Severity.ERROR, f"缺少单位 {code}（{units[code].name}）一行", value=code)
    for code, row in sorted(rows.items(), key=lambda pair: pair[1]):
        unit_values: dict[str, ItemValue] = {}
        for item in items:
            column = columns.get(item.code)
            if column is None:
                continue
            ref = f"{get_column_letter(column)}{row}"
            unit_values[item.code], problems = item_at(sheet, ref, item, f"{units[code].name}·{item.name}")
            records.findings.extend(problems)
        records.values[code] = unit_values
    return records
