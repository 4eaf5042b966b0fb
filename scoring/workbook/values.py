"""Turn one cell into a data item's value, saying what was normalised and what is wrong.

Numbers typed as text, full-width digits and thousands separators are read and noted; blank
stays None (never 0); a formula without its cached value is an error, never read as 0. A cell
has one reading, decided by its number format and the template's instruction: a ratio cell is
"填百分数", so 96.5 means 96.5 %; a cell formatted as a percentage (Excel stores 96.5 % as
0.965) is read as that percentage, by its stored value or as the format displays it
(``intake.percent_cells``), noting when the two differ; a bare number ≤ 1 in a percent-number
cell is read as a percent number with a warning giving both readings. A number in a cell formatted as a date,
where a count or an amount belongs, is an error (Excel turned ``1/2`` into 2 January).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from scoring.indicators.items import NUMERIC_KINDS, DataItem, ItemKind, Value
from scoring.indicators.models import PercentCells
from scoring.problems import Problem, Severity
from scoring.workbook.reader import Cell, Sheet
from scoring.workbook.submission import ItemValue

EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = (36526, 73415)  # 2000-01-01 … 2100-12-31
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_WITH_WORDS = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)\s*([^\d\s.,%+-][^\d]*)$")
_EXPONENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$")
_PLACEHOLDERS = frozenset({"—", "——", "－", "-", "--", "–", "无", "/", "\\", "空", "暂无", "没有", "na",
                           "n/a", "null", "none", "x", "×", "不适用", "未统计", "不详"})
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SPACES = re.compile(r"\s+")
FIX_NUMBER = "请只填数字；没有请填 0"
_MISSING_HINT = {
    ItemKind.COUNT: "没有发生的请填 0", ItemKind.AMOUNT: "没有发生的请填 0",
    ItemKind.RATIO: "请填写百分数，如 96.5", ItemKind.DATE: "请填写日期，如 2023-01-15",
    ItemKind.YES_NO: "请选择“是”或“否”", ItemKind.CHOICE: "请从下拉列表中选择",
}
YES = frozenset({"是", "有", "y", "yes", "true", "1", "√"})
NO = frozenset({"否", "无", "n", "no", "false", "0", "×"})


# what Excel, WPS and LibreOffice show for a formula that failed (and Excel 365 for a picture in a
# cell opened in an older version); a cell of type "e" holds one, a pasted text may too
ERROR_LITERALS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!",
                            "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
                            "#UNKNOWN!", "ERR:502", "ERR:504", "ERR:522", "#PYTHON!"})


def is_error_value(cell: Cell) -> bool:
    """Whether the cell shows an error value instead of content."""
    if cell.type == "error":
        return True
    return isinstance(cell.value, str) and unicodedata.normalize("NFKC", cell.value).strip().upper() \
        in ERROR_LITERALS


@dataclass(frozen=True)
class Note:
    """A finding about one value: code, severity and the Chinese message."""

    code: str
    severity: Severity
    message: str


def _info(code: str, message: str) -> Note:
    return Note(code, Severity.INFO, message)


def _warning(code: str, message: str) -> Note:
    return Note(code, Severity.WARNING, message)


def _error(code: str, message: str) -> Note:
    return Note(code, Severity.ERROR, message)


def shown(value: object) -> str | None:
    """A value as a finding shows it: counts as integers (``4159``, not ``4159.0``)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _g(number: float) -> str:
    """A number as a clerk would type it, without exponent or trailing zeros (``0.00000015``): up to
    10 decimals where they give the number to 9 significant digits (``95.5`` for 95.49999999999999),
    else every digit it has (``0.0000000000015``). From 10¹⁵, past what Excel keeps exactly, as Excel
    shows it (``1e+20``)."""
    if not abs(number) < 1e15:  # NaN too
        return f"{number:g}"
    if number.is_integer():
        return str(int(number))
    short = f"{number:.10f}".rstrip("0").rstrip(".")
    if abs(float(short) - number) <= 1e-9 * abs(number):
        return short
    return f"{Decimal(repr(number)):f}"


def match_choice(raw: str, allowed: Sequence[str]) -> tuple[str | None, bool]:
    """The allowed value ``raw`` stands for, and whether spacing or a final 。 had to be removed."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if text in allowed:
        return text, False
    squeezed = _SPACES.sub("", text).rstrip("。.")
    if squeezed in allowed:
        return squeezed, True
    return None, False


def _not_a_number(text: str) -> Note:
    plain = unicodedata.normalize("NFKC", text).strip()
    if plain.lower() in _PLACEHOLDERS:
        return _error("value-not-number", f"“{text}”不是数字：{FIX_NUMBER}")
    if _EXPONENT.match(plain):
        number = float(plain)  # an example only where the full number is one a cell can hold
        example = f"（如确为 {_g(number)}，就填 {_g(number)}）" if abs(number) < 1e15 else ""
        return _error("value-not-number", f"“{text}”是科学计数法写法：请填写完整的数字{example}；没有请填 0")
    words = _WITH_WORDS.match(plain)
    if words:
        return _error("value-not-number",
                      f"“{text}”含有文字“{words[2]}”：{FIX_NUMBER}"
                      f"（如 {words[1]}；计量单位已在“计量单位”列）")
    return _error("value-not-number", f"“{text}”不是数字：{FIX_NUMBER}（计量单位见“计量单位”列）")


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
        notes.append(_not_a_number(text))
        return None
    number = float(normalised)
    if percent:
        if item.kind is not ItemKind.RATIO:
            notes.append(_error("value-not-number", f"“{text}”带百分号，但此项不是比率：{FIX_NUMBER}"))
            return None
        notes.append(_info("normalised-percent", f"“{text}”已按 {_g(number)}（百分数）读取"))
        return number
    if not notes:
        notes.append(_info("normalised-text-number",
                           f"数字以文本形式填写（“{text}”），已按 {_g(number)} 读取"))
    return number


def _serial_date(value: float) -> date | None:
    if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
        return EXCEL_EPOCH + timedelta(days=int(value))
    return None


def _percent_cell(cell: Cell, number: float, percent_cells: PercentCells, notes: list[Note]) -> float:
    """A number in a percentage cell as a percent: its stored value (Excel's own arithmetic) or the
    value as the cell displays it (rounded half up to the format's decimals), saying so when the
    two differ: a warning when the stored value is scored, a note when the displayed one is."""
    stored = round(number * 100, 10)
    places = cell.percent_decimals
    rounded = Decimal(repr(stored)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    displayed = float(rounded)
    if displayed == stored:
        notes.append(_info("normalised-percent-format",
                           f"单元格为百分比格式，{_g(number)} 按 {_g(stored)}% 读取"))
        return stored
    both = f"单元格显示为 {rounded:f}%，存储值为 {_g(stored)}%"
    if percent_cells == "displayed":
        notes.append(_info("percent-displayed", f"{both}，按显示值评分"))
        return displayed
    notes.append(_warning("percent-display-differs", f"{both}，按存储值评分"))
    return stored


def _number(cell: Cell, item: DataItem, notes: list[Note],
            percent_cells: PercentCells = "stored") -> float | None:
    raw = cell.value
    if isinstance(raw, bool):
        notes.append(_error("value-not-number", f"此处应填写数字，不能是逻辑值：{FIX_NUMBER}"))
        return None
    if cell.type == "date" or (cell.date_format and isinstance(raw, float)):
        as_date = str(raw)[:10] if cell.type == "date" else (
            d.isoformat() if (d := _serial_date(float(raw))) else None)  # type: ignore[arg-type]
        looks = f"（显示为日期 {as_date}）" if as_date else ""
        notes.append(_error("value-is-date",
                            f"单元格被设成了日期格式{looks}，数字被当成了日期；请把单元格格式改为“常规”或"
                            f"“数值”后重新填写数字"))
        return None
    if isinstance(raw, str):
        number = _number_from_text(raw, item, notes)
        if number is None or raw.strip().endswith(("%", "％")):
            return number
    else:
        assert isinstance(raw, float)
        number = raw
        if item.kind is ItemKind.RATIO and cell.percent_format:
            return _percent_cell(cell, number, percent_cells, notes)
    if item.kind is ItemKind.RATIO and 0 < number <= 1:
        notes.append(_warning(
            "ratio-ambiguous",
            f"比率填了 {_g(number)}：按填报说明（填百分数）读作 {_g(number)}%；若是指 {_g(number * 100)}%，"
            f"请改填 {_g(number * 100)}"))
    return number


def _check_number(number: float, item: DataItem, notes: list[Note]) -> float | int | None:
    if item.kind is ItemKind.COUNT:
        if number != int(number):
            notes.append(_error("value-not-integer", f"{_g(number)} 不是整数，此项应填写整数"))
            return None
        if number < 0:
            notes.append(_error("value-negative", f"数量不能为负数（{_g(number)}）"))
            return None
    elif number < 0 and (item.min is None or item.min >= 0):
        notes.append(_error("value-negative", f"此项不能为负数（{_g(number)}）"))
        return None
    low, high = item.hard_bounds()
    if (low is not None and number < low) or (high is not None and number > high):
        span = f"{'' if low is None else _g(low)}～{'' if high is None else _g(high)}"
        unit = f" {item.unit}" if item.unit and item.unit != "%" else (item.unit or "")
        notes.append(_error("value-out-of-range",
                            f"{_g(number)}{unit} 超出允许范围（{span}{unit}），请核实后重新填写"))
        return None
    return int(number) if item.kind is ItemKind.COUNT else number


def date_in(cell: Cell, notes: list[Note], year: int | None = None) -> date | None:
    """The date in ``cell`` (a date cell, an Excel serial number or text), checked against the
    assessment year when given: before it is an error, after the following year a warning."""
    raw = cell.value
    value: date | None = None
    if isinstance(raw, float) and not isinstance(raw, bool):
        value = _serial_date(raw)
        if value is None:
            notes.append(_error("date-invalid", f"{_g(raw)} 不是有效日期，请填写如 2023-01-15"))
            return None
        if not cell.date_format:
            notes.append(_info("date-serial", f"日期以序列号 {_g(raw)} 填写，已按 {value.isoformat()} 读取"))
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if cell.type == "date":
            text = text[:10]
        match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
        if match:
            try:
                value = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                value = None
        if value is None:
            notes.append(_error("date-invalid", f"“{raw}”不是有效日期，请填写如 2023-01-15"))
            return None
        if cell.type != "date":
            notes.append(_info("date-text", f"日期以文本“{raw}”填写，已按 {value.isoformat()} 读取"))
    if year is not None and value < date(year, 1, 1):
        notes.append(_error("date-out-of-range",
                            f"日期 {value.isoformat()} 早于考核年度 {year} 年，请核实后重新填写"))
        return None
    if year is not None and value > date(year + 1, 12, 31):
        notes.append(_warning("date-late", f"日期 {value.isoformat()} 晚于 {year + 1} 年底，请核实"))
    return value


def choice_value(raw: object, allowed: Sequence[str], invalid_code: str, notes: list[Note]) -> str | None:
    """One of ``allowed`` from a dropdown cell's value; spacing and a final 。 are forgiven with a
    warning, any other word is an error listing the allowed values."""
    text = raw if isinstance(raw, str) else shown(raw) or ""
    value, normalised = match_choice(text, allowed)
    if value is None:
        notes.append(_error(invalid_code, f"“{raw}”不是可选项，应为：{'、'.join(allowed)}"))
    elif normalised:
        notes.append(_warning("choice-normalised",
                              f"“{raw}”含多余的空格或句号，已按“{value}”读取；请从下拉列表中选择"))
    return value


def cell_value(item: DataItem, cell: Cell | None, year: int | None = None,
               percent_cells: PercentCells = "stored") -> tuple[Value | None, list[Note]]:
    """The item's value from its cell (None when blank) and the notes about it; ``percent_cells``
    says whether a percentage cell is read by its stored or its displayed value."""
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
    if is_error_value(cell):
        notes.append(_error("value-error", f"单元格显示错误值 {cell.value}，请改为正确的数值"))
        return None, notes
    if item.kind in NUMERIC_KINDS:
        number = _number(cell, item, notes, percent_cells)
        return (None if number is None else _check_number(number, item, notes)), notes
    if item.kind is ItemKind.DATE:
        return date_in(cell, notes, year), notes
    if item.kind is ItemKind.YES_NO:
        if isinstance(cell.value, bool):
            return cell.value, notes
        text = shown(cell.value) or ""
        plain = _SPACES.sub("", unicodedata.normalize("NFKC", text)).rstrip("。.").lower()
        if plain in YES or plain in NO:
            if plain != unicodedata.normalize("NFKC", text).strip().lower():
                meant = "是" if plain in YES else "否"
                notes.append(_warning("choice-normalised",
                                      f"“{cell.value}”含多余的空格或句号，已按“{meant}”读取"))
            return plain in YES, notes
        notes.append(_error("yes-no-invalid", f"“{cell.value}”应为“是”或“否”"))
        return None, notes
    if item.kind is ItemKind.CHOICE:
        return choice_value(cell.value, item.options, "choice-invalid", notes), notes
    return str(cell.value).strip(), notes


def item_at(sheet: Sheet, ref: str, item: DataItem, label: str, year: int | None = None,
            percent_cells: PercentCells = "stored") -> tuple[ItemValue, list[Problem]]:
    """The item's value read from ``sheet!ref``, with its notes as located problems."""
    cell = sheet.get(ref)
    value, notes = cell_value(item, cell, year, percent_cells)
    value_shown = None if cell is None else shown(cell.value)
    problems = [Problem(code=n.code, severity=n.severity, message=f"{label}：{n.message}",
                        sheet=sheet.name, cell=ref, value=value_shown) for n in notes]
    return ItemValue(code=item.code, value=value, sheet=sheet.name, cell=ref), problems
