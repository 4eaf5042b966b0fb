"""Every figure means what the office meant (issue 19): error values and placeholder evidence,
amounts typed in 元 where 万元 belong, an edited 计量单位. Workbooks are the committed samples edited
in openpyxl, as an office edits its template, validated and scored through the public doors."""

from __future__ import annotations

import io

import pytest
from conftest import ROOT
from openpyxl import load_workbook
from unitscore import base_submission, score_unit

from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_bytes
from scoring.workbook.years import load_year_config

SAMPLE = ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx"


def edited(edits: dict[tuple[str, str], object], sample: object = SAMPLE) -> Submission:
    """The sample workbook with ``edits`` ({(sheet, cell): value}) made in openpyxl."""
    wb = load_workbook(io.BytesIO(sample.read_bytes()))  # type: ignore[attr-defined]
    for (sheet, ref), value in edits.items():
        wb[sheet][ref].value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return validate_bytes(buffer.getvalue(), "110000-北京.xlsx", load_year_config)


def at(submission: Submission, sheet: str, ref: str) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in submission.findings if f.sheet == sheet and f.cell == ref]


@pytest.mark.parametrize("placeholder", ["无", "/", "—", "-", "暂无", 0, " 无。", "／"])
def test_placeholder_evidence_is_a_warning_and_scored_as_without_evidence(placeholder: object) -> None:
    read = edited({("任务落实", "F2"): placeholder})
    assert at(read, "任务落实", "F2") == [("task-evidence-placeholder", "warning")]
    assert read.valid and read.tasks["2022-1.1.1"].evidence is None
    empty = edited({("任务落实", "F2"): None})
    full = score_unit(2022, base_submission(2022)).total
    assert full is not None
    assert score_unit(2022, read).total == score_unit(2022, empty).total < full  # the task's cap applies


def test_placeholder_practice_is_a_warning_too() -> None:
    read = edited({("任务落实", "E2"): "暂无"})
    assert at(read, "任务落实", "E2") == [("task-evidence-placeholder", "warning")]
    assert read.tasks["2022-1.1.1"].practice is None


def test_a_real_document_name_is_evidence() -> None:
    read = edited({("任务落实", "F2"): "无人机执法方案"})  # begins with 无 but names a document
    assert at(read, "任务落实", "F2") == [] and read.tasks["2022-1.1.1"].evidence == "无人机执法方案"


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"])
@pytest.mark.parametrize("ref", [("任务落实", "F2"), ("任务落实", "E3"), ("工作数据", "E2"), ("封面", "B5")])
def test_error_values_in_text_columns_are_errors_on_their_cell(error: str, ref: tuple[str, str]) -> None:
    read = edited({ref: error})  # openpyxl stores these as cells of type "e", as Excel does
    assert at(read, *ref) == [("cell-error-value", "error")]
    assert not read.valid


@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!"])
def test_newer_error_values_typed_as_text_are_errors_too(error: str) -> None:
    read = edited({("任务落实", "F2"): error})
    assert at(read, "任务落实", "F2") == [("cell-error-value", "error")]


def test_an_error_value_in_a_number_cell_is_reported_once() -> None:
    config = load_year_config(2022)
    assert config is not None
    read = edited({("工作数据", "D2"): "#DIV/0!"})
    assert at(read, "工作数据", "D2") == [("value-error", "error")]


def test_the_placeholder_list_is_the_configs() -> None:
    config = load_year_config(2022)
    assert config is not None
    intake = config.indicator_set.intake
    assert {"无", "/", "—", "-", "暂无", "0"} <= set(intake.evidence_placeholders)
    assert intake.placeholder("无") and not intake.placeholder("无人机执法方案")


TIBET = ROOT / "sample_inputs" / "2022" / "540000-西藏.xlsx"


def test_an_amount_typed_in_yuan_is_an_error_asking_about_the_unit() -> None:
    read = edited({("工作数据", "D5"): 663.14 * 10_000}, TIBET)  # 罚没金额 in 元, within the hard maximum
    assert ("value-wrong-unit", "error") in at(read, "工作数据", "D5")
    message = next(f.message for f in read.findings if f.code == "value-wrong-unit")
    assert "是否按元填报？本项单位为万元" in message
    assert not read.valid  # cannot be submitted
    tenfold = at(edited({("工作数据", "D5"): 663.14 * 10}, TIBET), "工作数据", "D5")
    assert ("value-wrong-unit", "error") not in tenfold  # ten times: no unit question


def test_last_years_figure_sets_what_is_plausible() -> None:
    from scoring.workbook.validate import add_previous_year_findings

    config = load_year_config(2022)
    assert config is not None
    read = edited({("工作数据", "D5"): 900_000}, TIBET)
    assert ("value-wrong-unit", "error") in at(read, "工作数据", "D5")
    fine = edited({}, TIBET)
    added = add_previous_year_findings(fine, config, {"admin_fines": 0.5})
    assert [(p.code, p.cell) for p in added] == [("value-wrong-unit", "D5")]


def test_no_committed_sample_is_taken_for_yuan() -> None:
    from scoring.workbook.validate import validate_submission

    for year in (2020, 2022):
        for path in sorted((ROOT / "sample_inputs" / str(year)).glob("*.xlsx")):
            read = validate_submission(path, load_year_config)
            assert not [f for f in read.findings if f.code in ("value-wrong-unit", "measure-unit-changed",
                                                               "cell-error-value",
                                                               "task-evidence-placeholder")], path


@pytest.mark.parametrize("written", ["元", "千元", None])
def test_an_edited_measure_unit_is_an_error_on_that_cell(written: object) -> None:
    read = edited({("工作数据", "C4"): written})
    assert at(read, "工作数据", "C4") == [("measure-unit-changed", "error")]
    assert not read.valid


def test_the_method_text_states_the_placeholder_rule() -> None:
    from scoring.report.methodology import methodology

    config = load_year_config(2022)
    assert config is not None
    rules = [row.rule for section in methodology(config.indicator_set) for row in section.rows]
    assert any("占位文字" in rule and "按无佐证材料计" in rule for rule in rules)


def test_scoring_audit_prints_the_intake_rules_the_config_chose() -> None:
    import json

    from typer.testing import CliRunner

    from scoring.cli import app

    result = CliRunner().invoke(app, ["audit", "2022", "--json"])
    rules = {r["field"]: r["value"] for r in json.loads(result.stdout)["rules"]}
    assert rules["intake.wrong_unit_factor"] == "1000"
    assert "暂无" in rules["intake.evidence_placeholders"].split("、")
