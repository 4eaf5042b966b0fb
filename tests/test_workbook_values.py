"""Single cells read as each kind of data item: dates, choices and yes/no."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.indicators.items import DataItem, ItemKind
from scoring.workbook.reader import Cell
from scoring.workbook.values import cell_value


def item(kind: ItemKind, **extra: object) -> DataItem:
    return DataItem(code="x", name="测试项", kind=kind, **extra)  # type: ignore[arg-type]


def cell(value: object, **extra: object) -> Cell:
    kind = "number" if isinstance(value, float) else "text"
    return Cell("D2", 2, 4, value, kind, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw, date_format, codes", [
    (44927.0, True, []),
    (44927.0, False, ["date-serial"]),
    ("2023-01-01", False, ["date-text"]),
    ("2023年1月1日", False, ["date-text"]),
    ("2023/1/1", False, ["date-text"]),
    ("２０２３.１.１", False, ["date-text"]),
])
def test_dates_as_serial_numbers_or_text(raw: object, date_format: bool, codes: list[str]) -> None:
    value, notes = cell_value(item(ItemKind.DATE), cell(raw, date_format=date_format))
    assert value == date(2023, 1, 1)
    assert [n.code for n in notes] == codes


@pytest.mark.parametrize("raw", ["下周一", "2023-02-30", 12.0])
def test_invalid_dates(raw: object) -> None:
    value, notes = cell_value(item(ItemKind.DATE), cell(raw))
    assert value is None and [n.code for n in notes] == ["date-invalid"]


def test_yes_no_and_choice() -> None:
    assert cell_value(item(ItemKind.YES_NO), cell("是"))[0] is True
    assert cell_value(item(ItemKind.YES_NO), cell("否"))[0] is False
    assert [n.code for n in cell_value(item(ItemKind.YES_NO), cell("也许"))[1]] == ["yes-no-invalid"]
    choice = item(ItemKind.CHOICE, options=["甲", "乙"])
    assert cell_value(choice, cell("乙"))[0] == "乙"
    assert [n.code for n in cell_value(choice, cell("丙"))[1]] == ["choice-invalid"]


def test_blank_optional_is_none_without_findings() -> None:
    assert cell_value(item(ItemKind.COUNT, required=False), None) == (None, [])
    assert [n.code for n in cell_value(item(ItemKind.COUNT), None)[1]] == ["value-missing"]


def test_error_cells() -> None:
    error = Cell("D2", 2, 4, "#DIV/0!", "error")
    assert [n.code for n in cell_value(item(ItemKind.RATIO), error)[1]] == ["value-error"]
