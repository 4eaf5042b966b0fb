"""A folder of submissions: every entry is read or reported, attributed to the right unit(s), and
one bad entry never stops the others from being scored."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import workbooks as wbs
from conftest import ROOT
from openpyxl import Workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.problems import Problem, Severity
from scoring.scores.collect import Collected, collect
from scoring.workbook import broken
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

runner = CliRunner()
SAMPLES = ROOT / "sample_inputs" / "2022"


def _copy_samples(folder: Path, skip: set[str]) -> None:
    for path in SAMPLES.glob("*.xlsx"):
        if path.name[:6] not in skip:
            shutil.copy(path, folder / path.name)


@pytest.fixture()
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """31 good samples and every kind of entry a real input folder ends up holding."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    _copy_samples(folder, skip={"110000", "310000", "120000", "130000", "140000"})
    # 北京's file name, 上海's workbook inside
    shutil.copy(SAMPLES / "310000-上海.xlsx", folder / "110000-北京.xlsx")
    wbs.ods_like(folder / "120000-天津.ods")
    (folder / "130000-河北.xlsx").mkdir()
    shutil.copy(SAMPLES / "140000-山西.xlsx", folder / "140000-山西.xlsx")
    (folder / "150000-内蒙古.pdf").write_bytes(b"%PDF-1.7\n")  # a scan beside its workbook
    (folder / "汇总.xlsx").write_bytes(broken.csv_renamed())
    (folder / "~$150000-内蒙古.xlsx").write_bytes(b"\x00" * 165)
    os.mkfifo(folder / "pipe.xlsx")
    locked = str(folder / "140000-山西.xlsx")
    real_open = os.open

    def denied(file: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(file) == locked:  # 山西's file cannot be read (root reads everything, so by hand)
            raise PermissionError(13, "Permission denied", locked)
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    return folder


def _collected(folder: Path, **kwargs: object) -> Collected:
    config = load_year_config(2022)
    assert config is not None
    return collect(folder, 2022, load_year_config, set(config.units), **kwargs)  # type: ignore[arg-type]


def _codes(findings: list[object]) -> list[str]:
    return [f.code for f in findings]  # type: ignore[attr-defined]


def test_every_entry_is_read_or_reported(inbox: Path) -> None:
    result = _collected(inbox)
    assert sorted(r.path.name for r in result.files) == sorted(p.name for p in inbox.iterdir())
    # 北京's name, 上海's content: an error told to both units, counted for neither
    assert "110000" not in result.by_unit and "310000" not in result.by_unit
    for code in ("110000", "310000"):
        told = result.findings_for(code)
        assert [(f.code, f.severity.value) for f in told] == [("submission-unit-mismatch", "error")]
        assert "北京市" in told[0].message and "上海市" in told[0].message
    record = next(r for r in result.files if r.path.name == "110000-北京.xlsx")
    assert record.name_mismatch and (record.name_unit, record.content_unit) == ("110000", "310000")
    assert record.unit_code is None
    # attributed by name, refused with the reason and the fix
    assert _codes(result.by_unit["120000"].findings) == ["file-ods"]
    assert "另存为" in result.by_unit["120000"].findings[0].message
    assert _codes(result.by_unit["130000"].findings) == ["file-is-folder"]
    assert _codes(result.by_unit["140000"].findings) == ["file-unreadable"]
    assert "没有读取权限" in result.by_unit["140000"].findings[0].message
    # the workbook is used, the PDF beside it is set aside with a warning
    inner_mongolia = result.by_unit["150000"]
    assert inner_mongolia.valid and inner_mongolia.file == "150000-内蒙古.xlsx"
    own = validate_submission(SAMPLES / "150000-内蒙古.xlsx", load_year_config).findings
    assert _codes(inner_mongolia.findings) == [*_codes(own), "file-not-used"]
    # files no unit can be found for keep their own findings
    folder_level = [(p.file, p.code) for p in result.problems]
    for entry in [("汇总.xlsx", "file-unattributed"), ("汇总.xlsx", "file-csv"),
                  ("pipe.xlsx", "file-unattributed"), ("pipe.xlsx", "file-not-regular")]:
        assert entry in folder_level
    assert ("~$150000-内蒙古.xlsx", "file-ignored") in folder_level
    assert result.duplicates == {}


def test_the_run_scores_the_rest_and_lists_every_entry(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["score", "2022", str(inbox), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "scores.json").read_text("utf-8"))
    units = {u["code"]: u for u in report["units"]}
    for code in ("110000", "310000"):  # the misnamed file credits neither unit
        assert units[code]["status"] == "missing"
        assert [f["code"] for f in units[code]["findings"]] == ["submission-unit-mismatch"]
    for code in ("120000", "130000", "140000"):
        assert units[code]["status"] == "not_scored" and units[code]["findings"], code
    assert sum(u["status"] == "scored" for u in units.values()) == 27  # 32 − 北京, 上海 − 天津, 河北, 山西
    stray = {(f["file"], f["code"]) for f in report["findings"]}
    assert ("汇总.xlsx", "file-csv") in stray and ("pipe.xlsx", "file-not-regular") in stray
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    listed = {Path(str(e["path"])).name: e for e in manifest["inputs"] if e["role"] == "submission"}
    assert {p.name for p in inbox.iterdir()} == set(listed)  # every entry, the ignored ones too
    assert listed["130000-河北.xlsx"]["sha256"] == "" and listed["pipe.xlsx"]["sha256"] == ""
    assert len(str(listed["120000-天津.ods"]["sha256"])) == 64


def test_previous_year_figures_are_checked_per_unit(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    _copy_samples(folder, skip=set())
    previous = {"110000": {"admin_cases_opened": 100.0}, "120000": {"admin_cases_opened": 1e9}}
    plain = _collected(folder)
    result = _collected(folder, previous=previous)
    for code, submission in result.by_unit.items():
        added = _codes(submission.findings)[len(plain.by_unit[code].findings):]
        assert added == (["value-implausible-change"] if code in previous else []), code


def test_two_recognised_workbooks_for_one_unit_are_never_guessed(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "110000-北京.xlsx", folder / "110000-北京.xlsx")
    shutil.copy(SAMPLES / "110000-北京.xlsx", folder / "北京-修改版.xlsx")
    result = _collected(folder)
    assert [s.file for s in result.duplicates["110000"]] == ["110000-北京.xlsx", "北京-修改版.xlsx"]


def test_a_misnamed_copy_does_not_stop_the_units_own_file(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "310000-上海.xlsx", folder / "310000-上海.xlsx")
    shutil.copy(SAMPLES / "310000-上海.xlsx", folder / "500000-重庆.xlsx")  # 重庆's name, 上海's workbook
    result = _collected(folder)
    assert "500000" not in result.by_unit
    assert _codes(result.findings_for("500000")) == ["submission-unit-mismatch"]
    shanghai = result.by_unit["310000"]
    assert shanghai.valid and shanghai.file == "310000-上海.xlsx"
    assert "submission-unit-mismatch-elsewhere" in _codes(shanghai.findings)
    assert ("500000-重庆.xlsx", "submission-unit-mismatch") in [(p.file, p.code) for p in result.problems]


def test_a_file_set_aside_beside_the_units_workbook_is_told_with_its_first_error(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "150000-内蒙古.xlsx", folder / "150000-内蒙古.xlsx")
    stray = Workbook()  # a workbook of the unit's own making, not the template: errors and warnings
    stray.active["A1"] = "附件"
    stray.save(folder / "150000-附件.xlsx")
    alone = validate_submission(folder / "150000-附件.xlsx", load_year_config, expected_year=2022).findings
    first_error = next(f for f in alone if f.severity is Severity.ERROR)
    assert first_error.code == "template-unknown" and alone.index(first_error) < len(alone) - 1
    kept = _collected(folder).by_unit["150000"]
    assert kept.file == "150000-内蒙古.xlsx"
    assert kept.findings[-1] == Problem(
        code="file-not-used", severity=Severity.WARNING, file="150000-附件.xlsx",
        message=f"同一单位的另一文件“150000-附件.xlsx”未使用（已读取“150000-内蒙古.xlsx”）：{first_error.message}")


def test_without_the_years_config_a_misnamed_file_names_the_units_by_code(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / "310000-上海.xlsx", folder / "110000-北京.xlsx")
    result = collect(folder, 2022, lambda year: None, {"110000", "310000"})
    error = Problem(code="submission-unit-mismatch", severity=Severity.ERROR, file="110000-北京.xlsx",
                    message="文件“110000-北京.xlsx”以110000的代码命名，但内容（封面和模板信息）是310000的报送；"
                            "该文件不计入110000，也不计入310000。请核对文件是否放错或命名有误")
    assert result.problems == [error]
    assert result.findings_for("110000") == [error] and result.findings_for("310000") == [error]
    record = result.files[0]
    assert record.submission is not None and record.submission.findings[-1] == error
    assert result.by_unit == {}
