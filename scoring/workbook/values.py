"""Turn one cell into a data item's value, saying what was normalised and what is wrong.

Numbers typed as text, full-width digits, thousands separators, '95%' / 0.95 / 95 for ratios,
dates as text or Excel serial numbers are accepted and reported as info notes; blank stays None
(never 0); a formula without its cached value is an error, never read as 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from scoring.indicators.items import DataItem, ItemKind, Value
from scoring.problems import Problem, Severity
from scoring.workbook.reader import Cell, Sheet
from scoring.workbook.submission import ItemValue

EXCEL_EPOCH = date(1899, 12, 30)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MISSING_HINT = {
    ItemKind.COUNT: "没有发生的请填 0", ItemKind.AMOUNT: "没有发生的请填 0",
    ItemKind.RATIO: "请填写百分数，如 96.5", ItemKind.DATE: "请填写日期，如 2023-01-15",
    ItemKind.YES_NO: "请选择“是”或“否”", ItemKind.CHOICE: "请从下拉列表中选择",
}
YES = frozenset({"是", "有", "y", "yes", "true", "1", "√"})
NO = frozenset({"否", "无", "n", "no", "false", "0", "×"})


@dataclass(frozen=True)
class Note:
    """A finding about one value: code, severity and the Chinese message."""

    code: str
    severity: Severity
    message: str


def _info(code: str, message: str) -> Note:
    return Note(code, Severity.INFO, message)


def _error(code: str, message: str) -> Note:
    return Note(code, Severity.ERROR, message)


def _number_from_text(text: str, item: DataItem, notes: list[Note]) -> float | None:
    normalised = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if normalised != text.strip():
        notes.append(_info("normalised-fullwidth", f"“{text}”含全角字符或空格，已按“{normalised}”读取"))
    percent = normalised.endswith("%")
    if percent:
        normalised = normalised[:-1]
    if _THOUSANDS.match(normalised):
        plain = normalised.replace(",", "")
        notes.append(_info("normalised-thousands", f"“{text}”含千位分隔符，已按 {plain} 读取"))
        normalised = plain
    if not _NUMBER.match(normalised):
        notes.append(_error("value-not-number", f"“{text}”不是数字，请只填写数字（单位见“计量单位”列）"))
        return None
    number = float(normalised)
    if percent:
        if item.kind is not ItemKind.RATIO:
            notes.append(_error("value-not-number", f"“{text}”带百分号，但此项不是比率，请填写数字"))
            return None
        notes.append(_info("normalised-percent", f"“{text}”已按 {number:g}（百分数）读取"))
        return number
    if not notes:
        notes.append(_info("normalised-text-number", f"数字以文本形式填写（“{text}”），已按 {number:g} 读取"))
    return number


def _number(cell: Cell, item: DataItem, notes: list[Note]) -> float | None:
    raw = cell.value
    if isinstance(raw, bool):
        notes.append(_error("value-not-number", "此处应填写数字，不能是逻辑值"))
        return None
    if isinstance(raw, str):
        number = _number_from_text(raw, item, notes)
        if number is None or (raw.strip().endswith("%") or raw.strip().endswith("％")):
            return number
    else:
        assert isinstance(raw, float)
        number = raw
    if item.kind is ItemKind.RATIO and 0 < number <= 1:
        notes.append(_info("normalised-fraction",
                           f"比率 {number:g} 按小数形式理解为 {number * 100:g}%（比率请填百分数，如 96.5）"))
        number = round(number * 100, 10)
    return number


def _check_number(number: float, item: DataItem, notes: list[Note]) -> float | int | None:
    if item.kind is ItemKind.COUNT:
        if number != int(number):
            notes.append(_error("value-not-integer", f"{number:g} 不是整数，此项应填写整数"))
            return None
        if number < 0:
            notes.append(_error("value-negative", f"数量不能为负数（{number:g}）"))
            return None
    elif number < 0 and (item.min is None or item.min >= 0):
        notes.append(_error("value-negative", f"此项不能为负数（{number:g}）"))
        return None
    low = item.min if item.min is not None else None
    high = item.max if item.max is not None else (100.0 if item.kind is ItemKind.RATIO else None)
    if (low is not None and number < low) or (high is not None and number > high):
        span = f"{'' if low is None else f'{low:g}'} ~ {'' if high is None else f'{high:g}'}"
        notes.append(_error("value-out-of-range", f"{number:g} 超出允许范围（{span}）"))
        return None
    return int(number) if item.kind is ItemKind.COUNT else number


def _date(cell: Cell, notes: list[Note]) -> date | None:
    raw = cell.value
    if isinstance(raw, float) and not isinstance(raw, bool):
        if 36526 <= raw <= 73415:  # 2000-01-01 … 2100-12-31
            value = EXCEL_EPOCH + timedelta(days=int(raw))
            if not cell.date_format:
                notes.append(_info("date-serial",
                                   f"日期以序列号 {raw:g} 填写，已按 {value.isoformat()} 读取"))
            return value
        notes.append(_error("date-invalid", f"{raw:g} 不是有效日期，请填写如 2023-01-15"))
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if cell.type == "date":
        text = text[:10]
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match:
        try:
            value = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            match = None
        else:
            if cell.type != "date":
                notes.append(_info("date-text", f"日期以文本“{raw}”填写，已按 {value.isoformat()} 读取"))
            return value
    notes.append(_error("date-invalid", f"“{raw}”不是有效日期，请填写如 2023-01-15"))
    return None


def cell_value(item: DataItem, cell: Cell | None) -> tuple[Value | None, list[Note]]:
    """The item's value from its cell (None when blank) and the notes about it."""
    notes: list[Note] = []
    if cell is None or cell.value is None:
        if cell is not None and cell.missing_cached_value:
            notes.append(_error("formula-no-value",
                                f"公式“={cell.formula}”没有保存计算结果，无法读取；请直接填写数值"))
        elif item.required:
            notes.append(_error("value-missing", f"必填项为空；{_MISSING_HINT.get(item.kind, '请填写')}"))
        return None, notes
    if cell.formula is not None:
        notes.append(_info("formula-used", f"单元格含公式“={cell.formula}”，已读取其计算结果"))
    if cell.type == "error":
        notes.append(_error("value-error", f"单元格显示错误值 {cell.value}，请改为正确的数值"))
        return None, notes
    if item.kind in (ItemKind.COUNT, ItemKind.AMOUNT, ItemKind.RATIO):
        number = _number(cell, item, notes)
        return (None if number is None else _check_number(number, item, notes)), notes
    if item.kind is ItemKind.DATE:
        return _date(cell, notes), notes
    text = unicodedata.normalize("NFKC", str(cell.value)).strip() if not isinstance(
        cell.value, float) else f"{cell.value:g}"
    if item.kind is ItemKind.YES_NO:
        if isinstance(cell.value, bool):
            return cell.value, notes
        if text.lower() in YES:
            return True, notes
        if text.lower() in NO:
            return False, notes
        notes.append(_error("yes-no-invalid", f"“{cell.value}”应为“是”或“否”"))
        return None, notes
    if item.kind is ItemKind.CHOICE:
        if text in item.options:
            return text, notes
        notes.append(_error("choice-invalid", f"“{cell.value}”不是可选项（{'、'.join(item.options)}）"))
        return None, notes
    return str(cell.value).strip(), notes


def item_at(sheet: Sheet, ref: str, item: DataItem, label: str) -> tuple[ItemValue, list[Problem]]:
    """The item's value read from ``sheet!ref``, with its notes as located problems."""
    cell = sheet.get(ref)
    value, notes = cell_value(item, cell)
    shown = None if cell is None or cell.value is None else str(cell.value)
    problems = [Problem(code=n.code, severity=n.severity, message=f"{label}：{n.message}",
                        sheet=sheet.name, cell=ref, value=shown) for n in notes]
    return ItemValue(code=item.code, value=value, sheet=sheet.name, cell=ref), problems
