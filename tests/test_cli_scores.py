"""``scoring score`` on wrong arguments and awkward folders: a message, an exit code, no traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import ROOT
from typer.testing import CliRunner

from scoring.cli import app

runner = CliRunner()
SAMPLES = ROOT / "sample_inputs"


def test_bad_arguments(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["score", "2022", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert missing.exit_code == 1 and "目录不存在" in missing.output
    file_out = tmp_path / "taken"
    file_out.write_text("x", encoding="utf-8")
    taken = runner.invoke(app, ["score", "2022", str(tmp_path), "-o", str(file_out)])
    assert taken.exit_code == 1 and "不是目录" in taken.output
    no_year = runner.invoke(app, ["score", "2019", str(tmp_path), "-o", str(tmp_path / "o")])
    assert no_year.exit_code == 1 and "2019" in no_year.output
    assert runner.invoke(app, ["score", "2022"]).exit_code == 2
    for result in (missing, taken, no_year):
        assert "Traceback" not in result.output


def test_empty_folder_lists_every_unit_as_missing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, ["score", "2022", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert {u["status"] for u in report["units"]} == {"missing"} and len(report["units"]) == 32


def test_stray_duplicate_and_broken_files(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(SAMPLES / "2022" / "110000-北京.xlsx", inbox / "110000-北京.xlsx")
    shutil.copy(SAMPLES / "2022" / "110000-北京.xlsx", inbox / "北京-第二份.xlsx")
    shutil.copy(SAMPLES / "2022" / "120000-天津.xlsx", inbox / "120000-天津.xlsx")
    (inbox / "130000-河北.xlsx").write_bytes(b"not a workbook at all")
    (inbox / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (inbox / "~$120000-天津.xlsx").write_bytes(b"lock file")
    not_central = SAMPLES / "2022" / "120000-天津.xlsx"
    result = runner.invoke(app, ["score", "2022", str(inbox), "--central", str(not_central),
                                 "-o", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    units = {u["code"]: u for u in report["units"]}
    assert units["110000"]["status"] == "not_scored" and "多份" in units["110000"]["reason"]
    assert units["120000"]["status"] == "scored" and units["120000"]["rank"] == 1
    assert units["130000"]["status"] == "not_scored"
    assert [f["code"] for f in units["130000"]["findings"]] == ["file-not-xlsx"]
    codes = {f["code"] for f in report["findings"]}
    assert {"file-unattributed", "central-not-central"} <= codes


def test_unwritable_outputs_are_named_in_chinese(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["template", "2022", "--unit", "110000", "-o", str(blocker / "t.xlsx")])
    assert result.exit_code == 1
    assert f"{blocker / 't.xlsx'}: 无法写入" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("**/.*.tmp"))
