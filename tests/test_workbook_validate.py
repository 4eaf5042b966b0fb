"""Validation of filled submissions: every class of problem gives its code at its cell."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import workbooks as wbs
from openpyxl import Workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

runner = CliRunner()


def check(path: Path, year: int | None = None) -> Submission:
    return validate_submission(path, load_year_config, expected_year=year)


def flat(submission: Submission, *, with_info: bool = False) -> list[tuple[str | None, str | None, str]]:
    return [(f.sheet, f.cell, f.code) for f in submission.findings
            if with_info or f.severity != "info"]


def data_cell(code: str) -> str:
    config = load_year_config(2022)
    assert config is not None
    codes = [i.code for i in config.source.province_items()]
    return f"D{2 + codes.index(code)}"


def submission(tmp_path: Path, change: Callable[[Workbook], None] | None = None,
               **values: object) -> Submission:
    return check(wbs.filled_submission(tmp_path / "s.xlsx", change=change, values=values))


def test_a_complete_submission_is_valid_with_values_and_cells(tmp_path: Path) -> None:
    result = submission(tmp_path)
    assert result.valid and flat(result) == []
    assert result.unit_code == "110000" and result.unit_name == "北京市" and result.year == 2022
    opened = result.values["admin_cases_opened"]
    assert (opened.value, opened.sheet, opened.cell) == (5200, "工作数据", data_cell("admin_cases_opened"))
    assert result.tasks["2022-1.1.1"].status == "已完成"
    assert result.contact == {"contact": "张三", "phone": "010-12345678", "filled_on": "2023-01-10"}
    assert result.findings == []
    assert result.read is not None and (result.read.tasks, result.read.values) == (71, 15)
    assert result.summary_text() == "已读取北京市 2022 年度报送：71 项任务、15 项数据，未发现问题"


def test_blank_and_zero_are_kept_apart(tmp_path: Path) -> None:
    result = submission(tmp_path, admin_cases_closed=None, police_cases_cracked=0)
    assert ("工作数据", data_cell("admin_cases_closed"), "value-missing") in flat(result)
    assert result.values["admin_cases_closed"].value is None
    assert result.values["police_cases_cracked"].value == 0
    assert not result.valid


@pytest.mark.parametrize("code, typed, expected, finding", [
    ("admin_cases_opened", "５２００", 5200, "normalised-fullwidth"),
    ("admin_cases_opened", "5,200", 5200, "normalised-thousands"),
    ("admin_cases_opened", "5200", 5200, "normalised-text-number"),
    ("admin_fines", "3,200.25", 3200.25, "normalised-thousands"),
])
def test_numbers_typed_as_text_are_read_and_noted(tmp_path: Path, code: str, typed: str,
                                                  expected: float, finding: str) -> None:
    result = submission(tmp_path, **{code: typed})
    assert result.valid
    assert result.values[code].value == expected
    assert ("工作数据", data_cell(code), finding) in flat(result, with_info=True)


@pytest.mark.parametrize("code, typed, finding", [
    ("admin_cases_opened", "五千二", "value-not-number"),
    ("admin_cases_opened", "5200件", "value-not-number"),
    ("admin_cases_opened", -3, "value-negative"),
    ("admin_cases_opened", 12.5, "value-not-integer"),
    ("admin_fines", "12%", "value-not-number"),
    ("admin_fines", True, "value-not-number"),
])
def test_bad_numbers_are_errors_at_their_cell(tmp_path: Path, code: str, typed: object,
                                              finding: str) -> None:
    result = submission(tmp_path, **{code: typed})
    assert ("工作数据", data_cell(code), finding) in flat(result)
    assert result.values[code].value is None and not result.valid


def test_formula_without_cached_value_is_flagged_never_zero(tmp_path: Path) -> None:
    result = submission(tmp_path, admin_cases_closed="=D2-200")
    assert ("工作数据", data_cell("admin_cases_closed"), "formula-no-value") in flat(result)
    assert result.values["admin_cases_closed"].value is None


def test_cross_item_rule_names_its_cell(tmp_path: Path) -> None:
    result = submission(tmp_path, cases_transferred_police=6000)
    finding = next(f for f in result.findings if f.code == "cross-check")
    assert (finding.sheet, finding.cell, finding.value) == (
        "工作数据", data_cell("cases_transferred_police"), "transferred-le-opened")
    assert finding.severity == "error" and "6000" in finding.message
    warning = submission(tmp_path, admin_cases_closed=6000)
    assert warning.valid and ("工作数据", data_cell("admin_cases_closed"), "cross-check") in flat(warning)


def _set(sheet: str, ref: str, value: object) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet][ref] = value
    return change


def test_wrong_unit_and_missing_cover_fields(tmp_path: Path) -> None:
    result = submission(tmp_path, change=_set("封面", "B2", "120000"))
    assert ("封面", "B2", "unit-mismatch") in flat(result)
    result = submission(tmp_path, change=_set("封面", "B5", None))
    assert ("封面", "B5", "cover-missing") in flat(result)


def test_task_rows(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["任务落实"]
        ws["D2"], ws["D3"], ws["F4"] = None, "做完了", None
    result = submission(tmp_path, change=change)
    found = flat(result)
    assert ("任务落实", "D2", "task-status-missing") in found
    assert ("任务落实", "D3", "task-status-invalid") in found
    assert ("任务落实", "F4", "task-evidence-missing") in found


def test_deleted_added_and_reordered_rows(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["工作数据"]
        ws.delete_rows(3)  # admin_cases_closed
        a, b = [c.value for c in ws[2]], [c.value for c in ws[3]]
        for col, (x, y) in enumerate(zip(a, b, strict=True), 1):
            ws.cell(2, col, y)
            ws.cell(3, col, x)
        ws.cell(20, 6, "my_own_item")  # a code the template does not have, in the hidden column
        ws.cell(20, 4, 5)
    result = submission(tmp_path, change=change)
    found = flat(result, with_info=True)
    assert ("工作数据", None, "row-missing") in found
    assert ("工作数据", "F20", "row-extra") in found
    assert ("工作数据", None, "rows-reordered") in found
    assert result.values["admin_cases_opened"].cell == "D3"
    assert result.values["admin_cases_opened"].value == 5200


def test_merged_value_cells(tmp_path: Path) -> None:
    result = submission(tmp_path, change=lambda wb: wb["工作数据"].merge_cells("D2:D3"))
    assert ("工作数据", "D2", "merged-cells") in flat(result)


def test_sheets_deleted_added_reordered(tmp_path: Path) -> None:
    def change(wb: Workbook) -> None:
        del wb["封面"]
        wb.create_sheet("我的备注")
        wb.move_sheet("工作数据", offset=-1)
    found = flat(submission(tmp_path, change=change))
    assert ("封面", None, "sheet-missing") in found
    assert ("我的备注", None, "sheet-extra") in found
    assert (None, None, "sheet-order") in found


def test_template_of_another_year_or_version(tmp_path: Path) -> None:
    path = wbs.filled_submission(tmp_path / "s.xlsx")
    assert ("_meta", "B1", "template-year") in flat(check(path, year=2020))
    assert ("_meta", "B3", "template-version") in flat(
        submission(tmp_path, change=_set("_meta", "B3", "0")))
    assert ("_meta", "B2", "template-config-changed") in flat(
        submission(tmp_path, change=_set("_meta", "B2", "0" * 64)))
    assert ("_meta", None, "template-unknown") in flat(
        submission(tmp_path, change=lambda wb: wb.remove(wb["_meta"])))


@pytest.mark.parametrize("typed, number_format, expected, note", [
    ("95%", None, 95.0, "normalised-percent"),       # typed with a percent sign
    (0.95, "0.0%", 95.0, "normalised-percent-format"),  # Excel stores 95 % as 0.95 in a % cell
    (95, None, 95.0, None),                          # a percent number, as the template asks
    (1.5, None, 1.5, None),                          # 1.5 means 1.5 %, never 150 %
    (0.95, None, 0.95, "ratio-ambiguous"),           # one reading (0.95 %), and a warning with both
    (1, None, 1.0, "ratio-ambiguous"),
])
def test_ratio_has_one_reading_per_cell(tmp_path: Path, typed: object, number_format: str | None,
                                        expected: float, note: str | None) -> None:
    def formatted(wb: Workbook) -> None:
        if number_format is not None:
            ws = wb["工作数据"]
            row = next(r for r in range(2, ws.max_row + 1) if ws[f"F{r}"].value == "disclosure_on_time_rate")
            ws[f"D{row}"].number_format = number_format
    path = wbs.filled_submission(tmp_path / "r.xlsx", year=2020, change=formatted,
                                 values={"disclosure_on_time_rate": typed})
    result = check(path)
    value = result.values["disclosure_on_time_rate"]
    assert value.value == pytest.approx(expected)
    notes = [f for f in result.findings if f.cell == value.cell]
    assert [f.code for f in notes] == ([note] if note else [])
    if note == "ratio-ambiguous":
        assert notes[0].severity == "warning" and result.valid
        assert f"{expected:g}%" in notes[0].message and f"{expected * 100:g}%" in notes[0].message


def test_ratio_over_100_is_an_error(tmp_path: Path) -> None:
    over = check(wbs.filled_submission(tmp_path / "r.xlsx", year=2020,
                                       values={"disclosure_on_time_rate": 120}))
    assert any(f.code == "value-out-of-range" for f in over.findings) and not over.valid


def test_cli_json_has_the_contracted_fields(tmp_path: Path) -> None:
    path = wbs.filled_submission(tmp_path / "s.xlsx", values={"admin_cases_closed": None})
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert findings and all(set(f) == {"code", "severity", "sheet", "cell", "value", "message", "unit",
                                       "year", "sha256"} for f in findings)
    missing = next(f for f in findings if f["code"] == "value-missing")
    assert (missing["unit"], missing["year"]) == ("110000", 2022)
    assert missing["cell"] == data_cell("admin_cases_closed")
    ok = runner.invoke(app, ["validate", str(wbs.filled_submission(tmp_path / "ok.xlsx"))])
    assert ok.exit_code == 0 and "通过" in ok.output
    assert runner.invoke(app, ["validate"]).exit_code == 2
    missing_file = runner.invoke(app, ["validate", str(tmp_path / "nope.xlsx")])
    assert missing_file.exit_code == 1 and "文件不存在" in missing_file.output


def test_hostile_files_through_the_cli(tmp_path: Path) -> None:
    good = wbs.filled_submission(tmp_path / "s.xlsx")
    for build, code in [(lambda p: wbs.entity_attack(good, p), "xml-entity"),
                        (lambda p: wbs.zip_bomb(good, p), "zip-bomb"),
                        (lambda p: wbs.legacy_xls(p), "file-legacy-xls")]:
        path = build(tmp_path / "bad.xlsx")
        result = runner.invoke(app, ["validate", str(path), "--json"])
        assert result.exit_code == 1, result.output
        assert [f["code"] for f in json.loads(result.stdout)] == [code]


def test_dates_in_the_cover(tmp_path: Path) -> None:
    result = submission(tmp_path, change=_set("封面", "B7", date(2023, 2, 1)))
    assert result.contact["filled_on"] == "2023-02-01"
