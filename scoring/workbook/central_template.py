"""The central office's blank workbook: one row per unit, one column per central data item."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from scoring.indicators.items import ItemKind
from scoring.indicators.units import Unit
from scoring.workbook import layout as L
from scoring.workbook.source import TemplateSource
from scoring.workbook.template import (
    HEADER_FILL,
    NUMBER_FORMATS,
    fixed_properties,
    input_cell,
    locked_cell,
    protect_sheet,
    validation_for,
    workbook_bytes,
    write_meta,
)

CentralValue = float | int | bool | date | str | None


def build_central_template(source: TemplateSource, units: list[Unit]) -> Workbook:
    """The central office's workbook for the year, every unit's row ready to fill."""
    wb = Workbook()
    ws = wb.active
    ws.title = L.CENTRAL
    items = source.central_items()
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


def _cell_value(value: CentralValue) -> float | int | date | str | None:
    """A value as the central workbook holds it: yes/no as 是/否, everything else as is."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def central_workbook(source: TemplateSource, units: list[Unit],
                     records: Mapping[str, Mapping[str, CentralValue]]) -> bytes:
    """The central office's workbook for the year filled with ``records`` (values by unit code, then
    item code; a missing value stays blank), as bytes that depend only on the content, so the portal
    hands the pipeline exactly the file ``scoring score --central`` reads."""
    wb = build_central_template(source, units)
    ws = wb[L.CENTRAL]
    items = source.central_items()
    for offset, unit in enumerate(units):
        values = records.get(unit.code, {})
        for column, item in enumerate(items, L.CENTRAL_FIRST_COL):
            value = _cell_value(values.get(item.code))
            if value is not None:
                ws.cell(L.CENTRAL_FIRST_ROW + offset, column, value)
    return workbook_bytes(wb)
