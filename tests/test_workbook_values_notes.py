"""Every way one cell is read (scoring/workbook/values.py): the value, and each note's code,
severity and Chinese message exactly as a province sees it."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook

from scoring.indicators.items import DataItem, ItemKind
from scoring.problems import Severity
from scoring.workbook.reader import Cell, Sheet, read_workbook
from scoring.workbook.values import Note, cell_value, item_at

INFO, WARNING, ERROR = Severity.INFO, Severity.WARNING, Severity.ERROR


def item(kind: ItemKind, **extra: Any) -> DataItem:
    return DataItem(code="x", name="测试项", kind=kind, **extra)


def cell(value: object, kind: str | None = None, **extra: Any) -> Cell:
    kind = kind or ("number" if isinstance(value, float) else "bool" if isinstance(value, bool) else "text")
    return Cell("D2", 2, 4, value, kind, **extra)  # type: ignore[arg-type]


def read(kind: ItemKind, value: object, cell_type: str | None = None,
         **extra: Any) -> tuple[Any, list[tuple[str, Severity, str]]]:
    options = extra.pop("item", {})
    got, notes = cell_value(item(kind, **options), cell(value, cell_type, **extra))
    return got, [(n.code, n.severity, n.message) for n in notes]


@pytest.mark.parametrize("kind, raw, value, notes", [
    (ItemKind.COUNT, 12.0, 12, []),
    (ItemKind.COUNT, "1,234", 1234, [("normalised-thousands", INFO, "“1,234”含千位分隔符，已按 1234 读取")]),
    # full-width digits and comma: NFKC gives 1,234 (float() alone reads the digits but not the comma)
    (ItemKind.COUNT, "１，２３４", 1234, [
        ("normalised-fullwidth", INFO, "“１，２３４”含全角字符或空格，已按“1,234”读取"),
        ("normalised-thousands", INFO, "“１，２３４”含千位分隔符，已按 1234 读取")]),
    (ItemKind.COUNT, " 12 ", 12,
     [("normalised-text-number", INFO, "数字以文本形式填写（“ 12 ”），已按 12 读取")]),
    (ItemKind.COUNT, "1 2", 12, [("normalised-fullwidth", INFO, "“1 2”含全角字符或空格，已按“12”读取")]),
    (ItemKind.COUNT, "五千", None,
     [("value-not-number", ERROR, "“五千”不是数字：请只填数字；没有请填 0（计量单位见“计量单位”列）")]),
    # a number with words: the words named and the number alone offered; a placeholder for "none"
    # (in any case: N/A as n/a): asked for 0; anything else: the unit column pointed at
    (ItemKind.COUNT, "5863件", None, [
        ("value-not-number", ERROR,
         "“5863件”含有文字“件”：请只填数字；没有请填 0（如 5863；计量单位已在“计量单位”列）")]),
    (ItemKind.COUNT, "N/A", None, [("value-not-number", ERROR, "“N/A”不是数字：请只填数字；没有请填 0")]),
    (ItemKind.COUNT, "约300", None,
     [("value-not-number", ERROR, "“约300”不是数字：请只填数字；没有请填 0（计量单位见“计量单位”列）")]),
    (ItemKind.COUNT, "1,23", None,
     [("value-not-number", ERROR, "“1,23”不是数字：请只填数字；没有请填 0（计量单位见“计量单位”列）")]),
    (ItemKind.COUNT, "12%", None,
     [("value-not-number", ERROR, "“12%”带百分号，但此项不是比率：请只填数字；没有请填 0")]),
    (ItemKind.COUNT, True, None,
     [("value-not-number", ERROR, "此处应填写数字，不能是逻辑值：请只填数字；没有请填 0")]),
    (ItemKind.COUNT, 12.5, None, [("value-not-integer", ERROR, "12.5 不是整数，此项应填写整数")]),
    (ItemKind.COUNT, -3.0, None, [("value-negative", ERROR, "数量不能为负数（-3）")]),
    (ItemKind.AMOUNT, -3.0, None, [("value-negative", ERROR, "此项不能为负数（-3）")]),
    (ItemKind.AMOUNT, ".5", 0.5,
     [("normalised-text-number", INFO, "数字以文本形式填写（“.5”），已按 0.5 读取")]),
    (ItemKind.AMOUNT, "+7.", 7.0,
     [("normalised-text-number", INFO, "数字以文本形式填写（“+7.”），已按 7 读取")]),
    (ItemKind.RATIO, "95%", 95.0, [("normalised-percent", INFO, "“95%”已按 95（百分数）读取")]),
    (ItemKind.RATIO, "９５％", 95.0,
     [("normalised-fullwidth", INFO, "“９５％”含全角字符或空格，已按“95%”读取"),
                                     ("normalised-percent", INFO, "“９５％”已按 95（百分数）读取")]),
    (ItemKind.RATIO, "0.5%", 0.5, [("normalised-percent", INFO, "“0.5%”已按 0.5（百分数）读取")]),
    (ItemKind.RATIO, "0.5％", 0.5, [("normalised-fullwidth", INFO, "“0.5％”含全角字符或空格，已按“0.5%”读取"),
                                   ("normalised-percent", INFO, "“0.5％”已按 0.5（百分数）读取")]),
    # a bare number up to 1 in a cell whose instructions say 填百分数 is read as written (a percent)
    # and flagged with both readings; only the cell's own percent format makes 0.95 mean 95 %
    (ItemKind.RATIO, 0.95, 0.95, [
        ("ratio-ambiguous", WARNING,
         "比率填了 0.95：按填报说明（填百分数）读作 0.95%；若是指 95%，请改填 95")]),
    (ItemKind.RATIO, "0.5", 0.5, [
        ("normalised-text-number", INFO, "数字以文本形式填写（“0.5”），已按 0.5 读取"),
        ("ratio-ambiguous", WARNING,
         "比率填了 0.5：按填报说明（填百分数）读作 0.5%；若是指 50%，请改填 50")]),
    (ItemKind.RATIO, 1.0, 1.0, [
        ("ratio-ambiguous", WARNING,
         "比率填了 1：按填报说明（填百分数）读作 1%；若是指 100%，请改填 100")]),
    # 0.29 × 100 is 28.999999999999996 in binary: the fix offered is 29, not 29. or 28.99…
    (ItemKind.RATIO, 0.29, 0.29, [
        ("ratio-ambiguous", WARNING,
         "比率填了 0.29：按填报说明（填百分数）读作 0.29%；若是指 29%，请改填 29")]),
    # a large amount with decimals is shown in full, never as 1.23457e+06
    (ItemKind.AMOUNT, "1234567.5", 1234567.5,
     [("normalised-text-number", INFO, "数字以文本形式填写（“1234567.5”），已按 1234567.5 读取")]),
    (ItemKind.COUNT, "1.5E-7", None, [
        ("value-not-number", ERROR,
         "“1.5E-7”是科学计数法写法：请填写完整的数字（如确为 0.00000015，就填 0.00000015）；没有请填 0")]),
    # past ten decimals the full number is still offered (it had been “如确为 0”); from 10¹⁵,
    # more digits than a cell keeps exactly, no example (it had offered 2e+20 as the full number)
    (ItemKind.AMOUNT, "1.5E-12", None, [
        ("value-not-number", ERROR, "“1.5E-12”是科学计数法写法：请填写完整的数字"
         "（如确为 0.0000000000015，就填 0.0000000000015）；没有请填 0")]),
    (ItemKind.COUNT, "2E+20", None, [
        ("value-not-number", ERROR, "“2E+20”是科学计数法写法：请填写完整的数字；没有请填 0")]),
    (ItemKind.COUNT, "1E15", None, [
        ("value-not-number", ERROR, "“1E15”是科学计数法写法：请填写完整的数字；没有请填 0")]),
    (ItemKind.RATIO, 1e15, None, [
        ("value-out-of-range", ERROR, "1e+15 超出允许范围（0～100），请核实后重新填写")]),
    (ItemKind.COUNT, "9.99E+14", None, [
        ("value-not-number", ERROR, "“9.99E+14”是科学计数法写法：请填写完整的数字"
         "（如确为 999000000000000，就填 999000000000000）；没有请填 0")]),
    (ItemKind.RATIO, 0.0, 0.0, []),
    (ItemKind.RATIO, 1.5, 1.5, []),
    (ItemKind.RATIO, 100.0, 100.0, []),
    (ItemKind.RATIO, 120.0, None,
     [("value-out-of-range", ERROR, "120 超出允许范围（0～100），请核实后重新填写")]),
])
def test_numbers(kind: ItemKind, raw: object, value: object, notes: list[tuple[str, Severity, str]]) -> None:
    got, found = read(kind, raw)
    assert (got, found) == (value, notes)
    assert type(got) is type(value)  # counts are int, amounts and ratios float


def test_percent_formatted_cells() -> None:
    # the cell's number format decides: 0.95 shown as 95% is 95; 1.5 shown as 150% is out of range
    assert read(ItemKind.RATIO, 0.95, "number", percent_format=True) == (95.0, [
        ("normalised-percent-format", INFO, "单元格为百分比格式，0.95 按 95% 读取")])
    assert read(ItemKind.RATIO, 1.5, "number", percent_format=True) == (None, [
        ("normalised-percent-format", INFO, "单元格为百分比格式，1.5 按 150% 读取"),
        ("value-out-of-range", ERROR, "150 超出允许范围（0～100），请核实后重新填写")])


def test_a_percent_cell_is_shown_as_excel_rounds_it() -> None:
    # 0.945 in a 0% cell: Excel shows 95% (a half rounds up, not to the even 94%)
    for percent_cells, value, code, said in [("stored", 94.5, "percent-display-differs", "按存储值评分"),
                                             ("displayed", 95.0, "percent-displayed", "按显示值评分")]:
        got, notes = cell_value(item(ItemKind.RATIO), cell(0.945, "number", percent_format=True),
                                percent_cells=percent_cells)
        assert (got, [(n.code, n.message) for n in notes]) == (
            value, [(code, f"单元格显示为 95%，存储值为 94.5%，{said}")])
    # the stored value is read to ten decimals of a percent: 0.123456789012345 is 12.3456789012%
    got, notes = cell_value(item(ItemKind.RATIO), cell(0.123456789012345, "number", percent_format=True,
                                                       percent_decimals=2))
    assert (got, [n.message for n in notes]) == (
        12.3456789012, ["单元格显示为 12.35%，存储值为 12.3456789012%，按存储值评分"])


def test_bounds() -> None:
    assert read(ItemKind.AMOUNT, -3.0, item={"min": -10}) == (-3.0, [])
    assert read(ItemKind.AMOUNT, -3.0, item={"min": 0}) == (None, [
        ("value-negative", ERROR, "此项不能为负数（-3）")])
    assert read(ItemKind.AMOUNT, -0.5, item={"min": 0.5}) == (None, [
        ("value-negative", ERROR, "此项不能为负数（-0.5）")])
    assert read(ItemKind.COUNT, 5.0, item={"min": 10}) == (None, [
        ("value-out-of-range", ERROR, "5 超出允许范围（10～），请核实后重新填写")])
    assert read(ItemKind.COUNT, 10.0, item={"min": 10, "max": 10}) == (10, [])
    assert read(ItemKind.COUNT, 11.0, item={"min": 10, "max": 10}) == (None, [
        ("value-out-of-range", ERROR, "11 超出允许范围（10～10），请核实后重新填写")])
    assert read(ItemKind.RATIO, 101.0, item={"max": 150}) == (101.0, [])


@pytest.mark.parametrize("kind, hint", [
    (ItemKind.COUNT, "没有发生的请填 0"), (ItemKind.AMOUNT, "没有发生的请填 0"),
    (ItemKind.RATIO, "请填写百分数，如 96.5"), (ItemKind.DATE, "请填写日期，如 2023-01-15"),
    (ItemKind.YES_NO, "请选择“是”或“否”"), (ItemKind.CHOICE, "请从下拉列表中选择"), (ItemKind.TEXT, "请填写"),
])
def test_blank_cells(kind: ItemKind, hint: str) -> None:
    assert cell_value(item(kind), None) == (None, [Note("value-missing", ERROR, f"必填项为空；{hint}")])
    assert cell_value(item(kind), cell(None)) == (None, [Note("value-missing", ERROR, f"必填项为空；{hint}")])
    assert cell_value(item(kind, required=False), cell(None)) == (None, [])


def test_formulas_and_error_values() -> None:
    assert read(ItemKind.COUNT, None, "number", formula="D2-1") == (None, [
        ("formula-no-value", ERROR, "公式“=D2-1”没有保存计算结果，无法读取；请直接填写数值")])
    assert read(ItemKind.COUNT, None, "number", formula="D2-1", item={"required": False})[1] == [
        ("formula-no-value", ERROR, "公式“=D2-1”没有保存计算结果，无法读取；请直接填写数值")]
    assert read(ItemKind.COUNT, 5.0, "number", formula="2+3") == (5, [
        ("formula-used", INFO, "单元格含公式“=2+3”，已读取其计算结果")])
    assert read(ItemKind.RATIO, "#DIV/0!", "error") == (None, [
        ("value-error", ERROR, "单元格显示错误值 #DIV/0!，请改为正确的数值")])


@pytest.mark.parametrize("raw, cell_type, date_format, value, notes", [
    (44927.0, "number", True, date(2023, 1, 1), []),
    (44927.0, "number", False, date(2023, 1, 1),
     [("date-serial", INFO, "日期以序列号 44927 填写，已按 2023-01-01 读取")]),
    (36526.0, "number", True, date(2000, 1, 1), []),  # the first serial accepted
    (73415.0, "number", True, date(2100, 12, 31), []),  # the last
    (36525.0, "number", True, None, [("date-invalid", ERROR, "36525 不是有效日期，请填写如 2023-01-15")]),
    (73416.0, "number", True, None, [("date-invalid", ERROR, "73416 不是有效日期，请填写如 2023-01-15")]),
    ("2023-01-05T00:00:00", "date", False, date(2023, 1, 5), []),  # a real date cell: no note
    ("2023-01-05", "text", False, date(2023, 1, 5),
     [("date-text", INFO, "日期以文本“2023-01-05”填写，已按 2023-01-05 读取")]),
    ("20230105", "text", False, date(2023, 1, 5),
     [("date-text", INFO, "日期以文本“20230105”填写，已按 2023-01-05 读取")]),
    ("2023年1月5日", "text", False, date(2023, 1, 5),
     [("date-text", INFO, "日期以文本“2023年1月5日”填写，已按 2023-01-05 读取")]),
    ("2023-02-30", "text", False, None,
     [("date-invalid", ERROR, "“2023-02-30”不是有效日期，请填写如 2023-01-15")]),
    ("下周一", "text", False, None, [("date-invalid", ERROR, "“下周一”不是有效日期，请填写如 2023-01-15")]),
])
def test_dates(raw: object, cell_type: str, date_format: bool, value: date | None,
               notes: list[tuple[str, Severity, str]]) -> None:
    assert read(ItemKind.DATE, raw, cell_type, date_format=date_format) == (value, notes)


def test_yes_no_choice_and_text() -> None:
    for raw, value in (("是", True), ("Yes", True), ("√", True), (True, True), (1.0, True),
                       ("否", False), ("NO", False), ("×", False), (False, False), (0.0, False)):
        assert read(ItemKind.YES_NO, raw) == (value, []), raw
    assert read(ItemKind.YES_NO, "也许") == (None, [("yes-no-invalid", ERROR, "“也许”应为“是”或“否”")])
    assert read(ItemKind.CHOICE, " 乙 ", item={"options": ["甲", "乙"]}) == ("乙", [])
    assert read(ItemKind.CHOICE, "丙", item={"options": ["甲", "乙"]}) == (
        None, [("choice-invalid", ERROR, "“丙”不是可选项，应为：甲、乙")])
    assert read(ItemKind.TEXT, "  说明 ") == ("说明", [])


def test_item_at_locates_each_note() -> None:
    sheet = Sheet(name="工作数据", state="visible", cells={"D2": cell("1,234")})
    value, problems = item_at(sheet, "D2", item(ItemKind.COUNT), "查处案件数")
    assert (value.code, value.value, value.sheet, value.cell) == ("x", 1234, "工作数据", "D2")
    assert [(p.code, p.severity, p.message, p.sheet, p.cell, p.value) for p in problems] == [
        ("normalised-thousands", INFO,
         "查处案件数：“1,234”含千位分隔符，已按 1234 读取", "工作数据", "D2", "1,234")]
    blank, missing = item_at(sheet, "D3", item(ItemKind.COUNT), "办结案件数")
    assert blank.value is None and [(p.code, p.cell, p.value) for p in missing] == [
        ("value-missing", "D3", None)]


@pytest.mark.parametrize(("number_format", "decimals"), [
    ("0%", 0), ("0.00%", 2), ("0.0%", 1), ("#,##0.000%;[Red]-0.0%", 3), ("0.0#%", 2)])
def test_the_reader_knows_the_decimals_a_percent_format_shows(number_format: str, decimals: int) -> None:
    wb = Workbook()
    wb.active["A1"] = 0.89996
    wb.active["A1"].number_format = number_format
    buffer = io.BytesIO()
    wb.save(buffer)
    cell = read_workbook(buffer.getvalue()).sheets[0].cells["A1"]
    assert (cell.percent_format, cell.percent_decimals) == (True, decimals)
