"""Generate a unit's submission template (.xlsx) from the year's indicator set and catalogue.

What provinces see: instructions written from the year's configuration (deadline, recipient,
and only the kinds of input this year's sheets hold), a cover sheet with their unit prefilled
and locked, one row per assessed task with a status dropdown, one row per data item (number,
Chinese name, measure) with Excel data validation and an input prompt; the item's machine code
sits in a hidden last column, the dropdown lists and template metadata in very hidden sheets.
Locked cells are protected without a password; only input cells are open. Long titles are
broken by hand so no line ends with a single character. The bytes are deterministic: fixed
document dates and zip entry times.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from scoring import __version__
from scoring.files import write_bytes_atomically
from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.rules.base import TaskStatus
from scoring.indicators.rules.words import chinese_date
from scoring.indicators.units import Unit
from scoring.workbook import layout as L
from scoring.workbook.source import TemplateSource

FONT = "等线"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
INSTRUCTION_WIDTH = 72
TASK_WIDTHS = (12, 12, 44, 10, 28, 20)  # about 126 units: prints at ≥ 9 pt on A4 landscape
DATA_WIDTHS = (6, 40, 10, 16, 36, 24)

NUMBER_FORMATS: dict[ItemKind, str] = {
    ItemKind.COUNT: "0",
    ItemKind.AMOUNT: "#,##0.00",
    ItemKind.RATIO: "0.0",
    ItemKind.DATE: "yyyy-mm-dd",
    ItemKind.TEXT: "@",
}


def template_name(unit: Unit) -> str:
    """``110000-北京.xlsx``."""
    return f"{unit.code}-{unit.short_name}.xlsx"


def _style_header(ws: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for index, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(L.HEADER_ROW, index, text)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width


def protect_sheet(ws: Worksheet, landscape: bool = False) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # narrow margins so that fitting to the page width keeps 11 pt text at 9 pt or more
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _per_line(width: float, size: float = 11) -> int:
    """About how many Chinese characters fit on one line of a column ``width`` units wide."""
    return max(1, int(width / 2.1 * 11 / size))  # a Chinese character is about two width units


def balanced(text: str, width: float, size: float = 11) -> str:
    """``text`` with line breaks placed so that wrapped lines are of similar length: a title
    never ends with one character alone on its last line."""
    per_line = _per_line(width, size)
    if len(text) <= per_line or "\n" in text:
        return text
    lines = math.ceil(len(text) / per_line)
    step = math.ceil(len(text) / lines)
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))


def _fit_height(ws: Worksheet, row: int, text: str, width: int, size: float = 11) -> None:
    """Give a row room for wrapped text (Excel and LibreOffice do not grow rows on open)."""
    per_line = _per_line(width, size)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    current = ws.row_dimensions[row].height or 15.0
    ws.row_dimensions[row].height = max(current, (15.0 * size / 11) * lines + 3)


def _body_cell(ws: Worksheet, ref: str, fill: PatternFill) -> Cell:
    """A cell of a sheet's body as every template draws it: the font, a thin border, wrapped text."""
    cell = ws[ref]
    cell.font = Font(name=FONT)
    cell.fill = fill
    cell.border = BORDER
    cell.alignment = WRAP
    return cell


def locked_cell(ws: Worksheet, ref: str, value: object) -> None:
    _body_cell(ws, ref, LOCKED_FILL).value = value


def input_cell(ws: Worksheet, ref: str, number_format: str | None = None) -> None:
    cell = _body_cell(ws, ref, INPUT_FILL)
    cell.protection = UNLOCKED
    if number_format:
        cell.number_format = number_format


def _data_hints(items: list[DataItem]) -> list[str]:
    """What to write in 填报值, for only the kinds of input this year's data sheet holds."""
    kinds = {i.kind for i in items}
    hints: list[str] = []
    if kinds & {ItemKind.COUNT, ItemKind.AMOUNT}:
        hints.append("数量和金额只填数字，不要带单位或文字（不要写“4159件”“无”“—”），"
                     "没有发生的填 0，不要留空")
    if ItemKind.COUNT in kinds:
        hints.append("数量填整数")
    if ItemKind.AMOUNT in kinds:
        units = sorted({i.unit for i in items if i.kind is ItemKind.AMOUNT and i.unit})
        hints.append(f"金额单位为{'、'.join(units) or '万元'}，可保留两位小数")
    if ItemKind.RATIO in kinds:
        hints.append("比率填百分数（96.5 表示 96.5%），也可填“96.5%”")
    if ItemKind.DATE in kinds:
        hints.append("日期按 2023-01-15 的格式填写")
    if kinds & {ItemKind.YES_NO, ItemKind.CHOICE}:
        hints.append("是/否和选项从下拉列表中选择")
    if ItemKind.TEXT in kinds:
        hints.append("文字项简要填写")
    return hints


def _instructions(wb: Workbook, source: TemplateSource, unit: Unit) -> None:
    ws = wb.active
    ws.title = L.INSTRUCTIONS
    ws.column_dimensions["A"].width = INSTRUCTION_WIDTH
    statuses = "、".join(s.value for s in TaskStatus)
    year = source.indicator_set.year
    window = source.indicator_set.submission
    plan = f"依据：{source.plan.title}" + (f"（{source.plan.doc_number}）" if source.plan.doc_number else "")
    lines = [f"{year} 年度打击侵权假冒工作考核报送表", f"填报单位：{unit.name}", plan]
    if window is not None:
        lines.append(f"报送截止日期：{chinese_date(window.deadline)}（含当日）；报送对象：{window.recipient}")
    lines += [
        "填报步骤：",
        f"1. “{L.COVER}”：单位已预填，请填写填报人、联系电话和填报日期（如 {year + 1}-01-10）。",
        f"2. “{L.TASKS}”：逐项从下拉列表选择落实情况（{statuses}），简述主要做法，列出佐证材料"
        "（文件名称或文号）；“已完成”须附佐证材料方可得满分，“不适用”的任务不计入考核。",
        f"3. “{L.DATA}”：在“填报值”列逐项填写；" + "；".join(_data_hints(source.province_items()))
        + "；选中单元格可看到每项的填报说明，需要说明的情况写在“备注”列。",
        "4. 只在白色单元格中填写；不要增删、移动行、列或工作表，不要合并单元格，不要填写公式。",
        "5. 保存为 Excel 工作簿（.xlsx，不要另存为 .xls、.et、.ods 或 PDF）后报送；"
        "系统会一次列出所有问题及其所在单元格。",
        f"模板版本 {L.TEMPLATE_VERSION}；指标配置 SHA-256：{source.sha256}",
    ]
    for row, text in enumerate(lines, 1):
        size = 14 if row == 1 else 11
        shown_text = balanced(text, INSTRUCTION_WIDTH - 4, size) if row <= 2 else text
        cell = ws.cell(row, 1, shown_text)
        cell.font = Font(name=FONT, bold=row <= 2, size=size)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _fit_height(ws, row, shown_text, INSTRUCTION_WIDTH - 4, size)
    protect_sheet(ws)


def _cover(wb: Workbook, unit: Unit, year: int) -> None:
    ws = wb.create_sheet(L.COVER)
    _style_header(ws, ("项目", "内容"), (18, 48))
    prefilled = {"unit_code": unit.code, "unit_name": unit.name, "year": year}
    dates = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                           formula2="DATE(2100,12,31)", showErrorMessage=True, showInputMessage=True,
                           promptTitle="填报日期", prompt="日期，如 2023-01-15",
                           errorTitle="日期无效", error="请填写日期，如 2023-01-15")
    ws.add_data_validation(dates)
    for key, label in L.COVER_FIELDS:
        ref = L.cover_cell(key)
        locked_cell(ws, f"A{ref[1:]}", label)
        if key in L.COVER_LOCKED:
            locked_cell(ws, ref, prefilled[key])
        else:
            input_cell(ws, ref, "yyyy-mm-dd" if key == "filled_on" else "@")
            if key == "filled_on":
                dates.add(ref)
    protect_sheet(ws)


def _tasks(wb: Workbook, source: TemplateSource) -> None:
    ws = wb.create_sheet(L.TASKS)
    _style_header(ws, L.TASK_HEADERS, TASK_WIDTHS)
    ws.freeze_panes = f"B{L.FIRST_ROW}"
    sections = {t.id: balanced(f"{s.label}、{s.title}", TASK_WIDTHS[1])
                for s in source.plan.sections for t in s.tasks}
    statuses = list(TaskStatus)
    status_range = f"{L.LISTS}!${L.STATUS_LIST_COL}$2:${L.STATUS_LIST_COL}${1 + len(statuses)}"
    check = DataValidation(type="list", formula1=f"={status_range}", allow_blank=True,
                           showErrorMessage=True, showInputMessage=True, promptTitle="落实情况",
                           prompt="从下拉列表中选择：" + "、".join(s.value for s in statuses),
                           errorTitle="落实情况无效", error="请从下拉列表中选择")
    ws.add_data_validation(check)
    for row, task in enumerate(source.assessed_tasks(), L.FIRST_ROW):
        locked_cell(ws, f"{L.TASK_ID_COL}{row}", task.id)
        locked_cell(ws, f"{L.TASK_SECTION_COL}{row}", sections[task.id])
        locked_cell(ws, f"{L.TASK_TEXT_COL}{row}", task.text)
        _fit_height(ws, row, task.text, TASK_WIDTHS[2])
        _fit_height(ws, row, sections[task.id], TASK_WIDTHS[1])
        for col in L.TASK_INPUT_COLS:
            input_cell(ws, f"{col}{row}", "@")
        check.add(f"{L.TASK_STATUS_COL}{row}")
    ws.print_title_rows = "1:1"
    protect_sheet(ws, landscape=True)


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value}"


def validation_for(item: DataItem, choice_range: str | None) -> DataValidation | None:
    lead = "填百分数（如 96.5）。" if item.kind is ItemKind.RATIO else ""
    prompt = (lead + (item.help or item.name))[:250]
    common = {"showErrorMessage": True, "showInputMessage": True, "allow_blank": True,
              "promptTitle": item.name[:30], "prompt": prompt, "errorTitle": "填报值无效"}
    low, high = item.hard_bounds()
    if item.kind in (ItemKind.COUNT, ItemKind.AMOUNT, ItemKind.RATIO):
        kind = "whole" if item.kind is ItemKind.COUNT else "decimal"
        what = "整数" if item.kind is ItemKind.COUNT else "数字"
        low = low or 0.0
        if high is None:
            return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_bound(low),
                                  error=f"请填写不小于 {_bound(low)} 的{what}", **common)
        return DataValidation(type=kind, operator="between", formula1=_bound(low), formula2=_bound(high),
                              error=f"请填写 {_bound(low)} 到 {_bound(high)} 之间的{what}", **common)
    if item.kind is ItemKind.DATE:
        return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2100,12,31)", error="请填写日期，如 2023-01-15", **common)
    if item.kind is ItemKind.YES_NO:
        return DataValidation(type="list", formula1='"是,否"', error="请选择“是”或“否”", **common)
    if item.kind is ItemKind.CHOICE and choice_range:
        return DataValidation(type="list", formula1=f"={choice_range}", error="请从下拉列表中选择",
                              **common)
    return None


def _data(wb: Workbook, source: TemplateSource, choice_ranges: dict[str, str]) -> None:
    ws = wb.create_sheet(L.DATA)
    _style_header(ws, L.DATA_HEADERS, DATA_WIDTHS)
    ws.column_dimensions[L.DATA_CODE_COL].hidden = True
    ws.freeze_panes = f"{L.DATA_VALUE_COL}{L.FIRST_ROW}"
    for number, item in enumerate(source.province_items(), 1):
        row = L.FIRST_ROW + number - 1
        locked_cell(ws, f"{L.DATA_NUMBER_COL}{row}", number)
        ws[f"{L.DATA_NUMBER_COL}{row}"].alignment = Alignment(horizontal="center", vertical="top")
        name = item.name + ("" if item.required else "（选填）")
        locked_cell(ws, f"{L.DATA_NAME_COL}{row}", name)
        locked_cell(ws, f"{L.DATA_CODE_COL}{row}", item.code)
        _fit_height(ws, row, name, DATA_WIDTHS[1])
        locked_cell(ws, f"{L.DATA_UNIT_COL}{row}", item.unit or "")
        value_ref = f"{L.DATA_VALUE_COL}{row}"
        input_cell(ws, value_ref, NUMBER_FORMATS.get(item.kind))
        input_cell(ws, f"{L.DATA_NOTE_COL}{row}", "@")
        validation = validation_for(item, choice_ranges.get(item.code))
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(value_ref)
    ws.print_title_rows = "1:1"
    protect_sheet(ws, landscape=True)  # portrait would shrink its columns below 9 pt


def _lists(wb: Workbook, source: TemplateSource) -> dict[str, str]:
    """Dropdown values on a hidden sheet; returns each choice item's range."""
    ws = wb.create_sheet(L.LISTS)
    ws.sheet_state = "veryHidden"  # not even listed under 取消隐藏
    ws[f"{L.STATUS_LIST_COL}1"] = "落实情况"
    for row, status in enumerate(TaskStatus, 2):
        ws[f"{L.STATUS_LIST_COL}{row}"] = status.value
    ranges: dict[str, str] = {}
    column = 2
    for item in source.province_items():
        if item.kind is not ItemKind.CHOICE or not item.options:
            continue
        letter = ws.cell(1, column).column_letter
        ws.cell(1, column, item.code)
        for row, option in enumerate(item.options, 2):
            ws.cell(row, column, option)
        ranges[item.code] = f"{L.LISTS}!${letter}$2:${letter}${1 + len(item.options)}"
        column += 1
    ws.protection.sheet = True
    return ranges


def write_meta(wb: Workbook, source: TemplateSource, unit_code: str) -> None:
    """The hidden _meta sheet: year, indicator set SHA-256, template version, unit code."""
    ws = wb.create_sheet(L.META)
    ws.sheet_state = "veryHidden"
    values = {"year": source.indicator_set.year, "indicator_sha256": source.sha256,
              "template_version": L.TEMPLATE_VERSION, "unit_code": unit_code,
              "engine": f"scoring {__version__}"}
    for row, key in enumerate(L.META_KEYS, 1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, str(values[key]))
    ws.protection.sheet = True


def build_template(source: TemplateSource, unit: Unit) -> Workbook:
    """The unit's template as an openpyxl workbook."""
    wb = Workbook()
    _instructions(wb, source, unit)
    _cover(wb, unit, source.indicator_set.year)
    _tasks(wb, source)
    choice_ranges = _lists(wb, source)
    _data(wb, source, choice_ranges)
    wb.move_sheet(L.LISTS, offset=1)  # after 工作数据
    write_meta(wb, source, unit.code)
    fixed_properties(wb, source.indicator_set.year, "打击侵权假冒工作考核报送表")
    return wb


def fixed_properties(wb: Workbook, year: int, title: str) -> None:
    """Document properties that do not change from run to run (no 'now' time stamps)."""
    moment = datetime(year, 1, 1)
    wb.properties.creator = "scoring"
    wb.properties.lastModifiedBy = "scoring"
    wb.properties.created = moment
    wb.properties.modified = moment
    wb.properties.title = f"{year} 年度{title}"


_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def workbook_bytes(wb: Workbook) -> bytes:
    """Save to bytes that depend only on the content: fixed zip entry times, and the document's
    'modified' stamp (which openpyxl sets to now on every save) set back to its 'created' one."""
    buffer = io.BytesIO()
    wb.save(buffer)
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml" and (created := _CREATED.search(data)):
                data = _MODIFIED.sub(lambda m: m[1] + created[1] + m[2], data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return fixed.getvalue()


def write_template(source: TemplateSource, unit: Unit, path: Path) -> None:
    """Write the unit's template atomically."""
    write_bytes_atomically(path, workbook_bytes(build_template(source, unit)))
