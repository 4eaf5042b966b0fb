"""The checks a hand-filled workbook meets: columns by header, plausibility, percent and date
cells, dropdowns, the cover date, grouped findings, and what is only a warning."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import workbooks as wbs
from openpyxl import Workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_bytes, validate_submission
from scoring.workbook.years import load_year_config

runner = CliRunner()
Flat = list[tuple[str | None, str | None, str, str]]


def check(tmp_path: Path, change: Callable[[Workbook], None] | None = None, year: int = 2022,
          **values: object) -> Submission:
    path = wbs.filled_submission(tmp_path / "s.xlsx", year=year, change=change, values=values)
    return validate_submission(path, load_year_config)


def flat(submission: Submission) -> Flat:
    """(sheet, cell, code, severity) of every finding that is not a note."""
    return [(f.sheet, f.cell, f.code, f.severity.value) for f in submission.findings if f.severity != "info"]


def value_row(wb: Workbook, code: str) -> int:
    ws = wb["工作数据"]
    return next(r for r in range(2, ws.max_row + 1) if ws[f"F{r}"].value == code)


# —— columns are found by their header ——

def test_a_column_inserted_before_the_value_column_is_followed(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["工作数据"]
        ws.insert_cols(4)
        ws["D1"] = "2021年数"
        for row in range(2, ws.max_row + 1):
            ws[f"D{row}"] = 1  # last year's figures, which must not be read as this year's
    result = check(tmp_path, change=change)
    assert result.valid
    opened = result.values["admin_cases_opened"]
    assert (opened.value, opened.cell) == (5200, "E2")
    assert ("工作数据", "E1", "columns-moved", "warning") in flat(result)
    assert ("工作数据", "D1", "column-extra", "warning") in flat(result)


def test_a_changed_or_duplicated_header_is_refused_at_its_cell(tmp_path: Path) -> None:
    changed = check(tmp_path, change=lambda wb: wb["工作数据"].__setitem__("D1", "2022年数"))
    assert ("工作数据", "D1", "header-missing", "error") in flat(changed)
    assert changed.values == {} and not changed.valid

    def duplicated(wb: Workbook) -> None:
        ws = wb["工作数据"]
        ws.insert_cols(4)
        ws["D1"] = "填报值"
        for row in range(2, ws.max_row + 1):
            ws[f"D{row}"] = 7
    result = check(tmp_path, change=duplicated)
    assert ("工作数据", "E1", "header-duplicate", "error") in flat(result)
    assert result.values == {} and not result.valid


def test_a_title_row_inserted_above_the_header(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["工作数据"]
        ws.insert_rows(1)
        ws["A1"] = "北京市 2022 年度工作数据"
    result = check(tmp_path, change=change)
    assert result.valid and result.values["admin_cases_opened"].cell == "D3"
    assert ("工作数据", "A2", "header-row-moved", "warning") in flat(result)
    assert ("工作数据", "A1", "content-outside-table", "warning") in flat(result)


def test_task_columns_are_found_by_header_too(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["任务落实"]
        ws.move_range("D1:F200", cols=1)
        ws["D1"] = "自评得分"
    result = check(tmp_path, change=change)
    assert result.valid and result.tasks["2022-1.1.1"].cell == "E2"
    assert ("任务落实", "E1", "columns-moved", "warning") in flat(result)


def test_deleting_an_optional_column_is_a_warning(tmp_path: Path) -> None:
    result = check(tmp_path, change=lambda wb: wb["工作数据"].delete_cols(5))  # 备注
    assert result.valid
    assert ("工作数据", "E1", "column-missing", "warning") in flat(result)


# —— plausibility ——

def test_hard_bounds_are_errors_soft_bounds_warnings(tmp_path: Path) -> None:
    huge = check(tmp_path, admin_cases_opened=2e15, admin_cases_closed=1e15)
    assert ("工作数据", "D2", "value-out-of-range", "error") in flat(huge) and not huge.valid
    high = check(tmp_path, admin_cases_opened=500_000, admin_cases_closed=400_000)
    found = [f for f in high.findings if f.code == "value-implausible"]
    assert [(f.cell, f.severity.value) for f in found] == [("D2", "warning"), ("D3", "warning")]
    assert "北京市" in found[0].message and "41,611 亿元" in found[0].message and high.valid
    low = check(tmp_path, admin_cases_opened=3, admin_cases_closed=3, cases_transferred_police=1)
    assert ("工作数据", "D2", "value-implausible", "warning") in flat(low)
    assert "偏低" in next(f.message for f in low.findings if f.cell == "D2")


def test_previous_year_figures_are_compared_when_given(tmp_path: Path) -> None:
    path = wbs.filled_submission(tmp_path / "s.xlsx")
    previous = {"admin_cases_opened": 400.0, "admin_cases_closed": 4900.0, "police_cases_cracked": 9000.0}
    result = validate_bytes(path.read_bytes(), path.name, load_year_config, previous=previous)
    changed = {f.cell: f for f in result.findings if f.code == "value-implausible-change"}
    assert set(changed) == {"D2", "D7"} and result.valid  # 5200 vs 400 (13×); 410 vs 9000 (1/22)
    assert "13 倍" in changed["D2"].message and "1/22" in changed["D7"].message
    without = validate_bytes(path.read_bytes(), path.name, load_year_config)
    assert not any(f.code == "value-implausible-change" for f in without.findings)


# —— one reading per cell ——

@pytest.mark.parametrize("number_format", ["yyyy-mm-dd", "m月d日", "yyyy/m/d"])
def test_a_count_that_excel_turned_into_a_date_is_an_error(tmp_path: Path, number_format: str) -> None:
    def change(wb: Workbook) -> None:
        cell = wb["工作数据"][f"D{value_row(wb, 'special_campaigns')}"]
        cell.value = 44928
        cell.number_format = number_format
    result = check(tmp_path, change=change)
    assert any(f.code == "value-is-date" and f.severity == "error" for f in result.findings)
    assert result.values["special_campaigns"].value is None and not result.valid


@pytest.mark.parametrize("typed, hint", [
    ("4159件", "4159"), ("—", "没有请填 0"), ("无", "没有请填 0"), ("/", "没有请填 0"),
    ("6.59E+2", "659"), ("约五千", "没有请填 0"),
])
def test_values_that_are_not_numbers_say_how_to_fix_them(tmp_path: Path, typed: str, hint: str) -> None:
    result = check(tmp_path, admin_cases_opened=typed)
    finding = next(f for f in result.findings if f.cell == "D2")
    assert (finding.code, finding.severity) == ("value-not-number", "error")
    assert "请只填数字" in finding.message or "完整的数字" in finding.message
    assert hint in finding.message


# —— what a person does harmlessly is at most a warning ——

def test_deleted_instructions_merged_names_and_blank_looking_cells_are_not_errors(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        del wb["填报说明"]
        wb["工作数据"].merge_cells("B2:B3")
        wb["工作数据"]["E4"] = " "  # a note holding only a space
        wb["任务落实"]["E2"] = "\u3000"
    result = check(tmp_path, change=change)
    assert result.valid, [f.render() for f in result.findings if f.severity == "error"]
    assert ("填报说明", None, "sheet-missing", "warning") in flat(result)
    assert ("工作数据", "B2:B3", "merged-cells", "warning") in flat(result)
    assert not any(f.cell in ("E4",) for f in result.findings)
    blank = check(tmp_path, admin_cases_closed=" ")
    assert ("工作数据", "D3", "value-missing", "error") in flat(blank)  # blank, not "not a number"


def test_merging_an_input_column_is_still_an_error(tmp_path: Path) -> None:
    result = check(tmp_path, change=lambda wb: wb["工作数据"].merge_cells("D2:D3"))
    assert ("工作数据", "D2", "merged-cells", "error") in flat(result)


@pytest.mark.parametrize("typed, read", [
    ("已 完成", "已完成"), ("部分完成。", "部分完成"), (" 不适用 ", "不适用"),
])
def test_dropdown_values_with_spacing_are_read_with_a_warning(tmp_path: Path, typed: str, read: str) -> None:
    result = check(tmp_path, change=lambda wb: wb["任务落实"].__setitem__("D2", typed))
    assert result.tasks["2022-1.1.1"].status == read and result.valid
    notes = [f for f in result.findings if f.cell == "D2"]
    if typed.strip() == read:
        assert notes == []  # surrounding spaces alone are nothing to report
    else:
        assert [(f.code, f.severity.value) for f in notes] == [("choice-normalised", "warning")]
        assert f"“{read}”" in notes[0].message


def test_a_different_word_in_a_dropdown_is_an_error_listing_the_choices(tmp_path: Path) -> None:
    result = check(tmp_path, change=lambda wb: wb["任务落实"].__setitem__("D2", "完成"))
    finding = next(f for f in result.findings if f.cell == "D2")
    assert (finding.code, finding.severity) == ("task-status-invalid", "error")
    assert "已完成、部分完成、未开展、不适用" in finding.message


# —— the cover's date ——

@pytest.mark.parametrize("typed, code, severity", [
    ("下周一", "date-invalid", "error"), ("2022-02-30", "date-invalid", "error"),
    ("2019-05-01", "date-out-of-range", "error"), ("2026-01-10", "date-late", "warning"),
])
def test_the_cover_date_is_validated(tmp_path: Path, typed: str, code: str, severity: str) -> None:
    result = check(tmp_path, change=lambda wb: wb["封面"].__setitem__("B7", typed))
    assert ("封面", "B7", code, severity) in flat(result)


# —— grouped findings, integer values ——

def test_a_pasted_list_is_one_finding_with_its_range(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["工作数据"]
        for row in range(25, 325):
            ws[f"A{row}"], ws[f"B{row}"], ws[f"D{row}"] = row - 24, f"明细 {row}", row
    result = check(tmp_path, change=change)
    outside = [f for f in result.findings if f.code == "content-outside-table"]
    assert [(f.cell, f.severity.value) for f in outside] == [("A25:D324", "warning")]
    assert "共 900 个" in outside[0].message and result.valid


def test_json_shows_counts_as_integers(tmp_path: Path) -> None:
    path = wbs.filled_submission(tmp_path / "s.xlsx", values={"admin_cases_opened": 4159.0,
                                                               "cases_transferred_police": 6000})
    result = runner.invoke(app, ["validate", str(path), "--json"])
    finding = next(f for f in json.loads(result.stdout) if f["code"] == "cross-check")
    assert finding["value"] == "transferred-le-opened"
    assert "=4159" in finding["message"] and "4159.0" not in finding["message"]
    path = wbs.filled_submission(tmp_path / "s.xlsx", values={"admin_cases_opened": -4159.0})
    result = runner.invoke(app, ["validate", str(path), "--json"])
    finding = next(f for f in json.loads(result.stdout) if f["code"] == "value-negative")
    assert finding["value"] == "-4159"
