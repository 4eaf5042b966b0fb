"""Reading the central office's workbook: what it records per unit (通报, 约谈, 挂牌督办 and whether fixed
on time, submission dates, information reports sent and adopted, typical cases, major incidents).

One sheet, one row per unit (code in A), one column per central data item (code in row 2); the
same hidden _meta sheet as the provinces' templates, with ``central`` as its unit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scoring.indicators.models import PercentCells
from scoring.indicators.units import Unit
from scoring.problems import Problem, Severity
from scoring.workbook import layout as L
from scoring.workbook.reader import RawWorkbook, column_letters
from scoring.workbook.source import TemplateSource
from scoring.workbook.submission import ItemValue
from scoring.workbook.values import item_at, shown


@dataclass
class CentralRecords:
    """The central office's values per unit, and the findings about them."""

    values: dict[str, dict[str, ItemValue]] = field(default_factory=dict)
    findings: list[Problem] = field(default_factory=list)


def read_central(book: RawWorkbook, source: TemplateSource, units: dict[str, Unit],
                 year: int | None = None, percent_cells: PercentCells = "stored") -> CentralRecords:
    """Every unit's central values, with findings located at their cells (``percent_cells``: a
    percentage cell read by its stored or its displayed value)."""
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
    if sheet.overflow is not None:
        add("sheet-too-large", Severity.ERROR,
            f"工作表内容{sheet.overflow.reason}，远超模板范围，已停止读取；请删除多余内容后重新保存",
            sheet.overflow.ref)
    columns: dict[str, int] = {}
    for cell in sheet.cells.values():
        if cell.row == L.CENTRAL_CODE_ROW and isinstance(cell.value, str):
            columns[cell.value.strip()] = cell.column
    items = source.central_items()
    for item in items:
        if item.code not in columns:
            add("column-missing", Severity.ERROR, f"缺少“{item.name}”（{item.code}）一列")
    rows: dict[str, int] = {}
    for cell in sheet.cells.values():
        if cell.column == 1 and cell.row >= L.CENTRAL_FIRST_ROW and cell.value is not None:
            code = shown(cell.value) or ""
            code = code.strip()
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
            ref = f"{column_letters(column)}{row}"
            unit_values[item.code], problems = item_at(sheet, ref, item, f"{units[code].name}·{item.name}",
                                                       year, percent_cells)
            records.findings.extend(problems)
        records.values[code] = unit_values
    return records
