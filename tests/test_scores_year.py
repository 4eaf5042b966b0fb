"""A year's report around the scores: who is not scored and why, stray files, the header fields.

The 2030 hand-worked config (with B stating its 40 points, D capped at 4) on the small unit list.
The inbox holds:
  110000.xlsx             北京, valid                                   → scored
  120000.xlsx, 天津-副本.xlsx  two valid 天津 workbooks                → not scored: 多份报送
  130000.xlsx             河北's template, nothing filled in            → not scored: its errors
  140000-山西.xlsx        not a workbook; its name says 山西            → not scored
  520000-贵州.xlsx        a 2022 template                               → not scored: wrong year
  misc.csv, notes.txt     a CSV and a text file: no unit, reported with their own reason
  a folder 999.xlsx       not a file: no unit, reported
  ~$110000.xlsx, .110000.xlsx   an Office lock file and a hidden file: reported as ignored
上海 310000 and 安徽 340000 send nothing: missing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from handworked import SMALL_UNITS, UnitData, config_variant, write_inputs

from scoring import __version__
from scoring.pipeline import PipelineRequest, PipelineResult, load_year_files, run_pipeline
from scoring.problems import Problem, Severity
from scoring.scores.collect import collect, workbook_files
from scoring.scores.models import SectionInfo, UnitStatus
from scoring.scores.robustness import method_text
from scoring.scores.year import errors_first

TIANJIN = UnitData({"cases_transferred": 5, "cases_opened": 200, "disclosure_rate": 96},
                   {"submission_date": "2031-01-14", "notified_count": 0, "major_incident": "否"})


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder with the config, the inbox, the central records and the previous results."""
    folder = tmp_path_factory.mktemp("year")
    stated = {"  name: 报送信息数据\n": "  name: 报送信息数据\n  points: 40\n",
              "  kind: deduction\n  cap: 5\n": "  kind: deduction\n  cap: 4\n"}
    config = config_variant(folder / "config", stated)
    inbox, central = write_inputs(folder, 2030, {"110000": TIANJIN, "120000": TIANJIN}, config=config)
    shutil.copy(inbox / "120000.xlsx", inbox / "天津-副本.xlsx")
    blank = folder / "blank"
    write_inputs(blank, 2030, {"130000": UnitData({}, {}, tasks={})}, config=config)
    shutil.copy(blank / "inbox" / "130000.xlsx", inbox / "130000.xlsx")
    (inbox / "140000-山西.xlsx").write_bytes(b"not a workbook")
    shutil.copy(ROOT / "sample_inputs" / "2022" / "520000-贵州.xlsx", inbox / "520000-贵州.xlsx")
    (inbox / "misc.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    for stray in ("~$110000.xlsx", ".110000.xlsx"):
        shutil.copy(inbox / "110000.xlsx", inbox / stray)
    (inbox / "notes.txt").write_text("备注：天津另有一份副本\n", encoding="utf-8")
    (inbox / "999.xlsx").mkdir()
    previous = folder / "2029.json"
    previous.write_text(json.dumps({"year": 2029, "units": [
        {"code": "110000", "status": "scored", "total": 70.0, "rank": 3}]}), encoding="utf-8")
    return folder


@pytest.fixture()
def year(inputs: Path, tmp_path: Path) -> tuple[PipelineResult, Path]:
    """The year scored (in each test, so that each test exercises the engine)."""
    result = run_pipeline(PipelineRequest(
        year=2030, input_dir=inputs / "inbox", output=tmp_path / "out", central=inputs / "central.xlsx",
        previous=inputs / "2029.json", config=inputs / "config" / "2030.yaml", units=SMALL_UNITS))
    return result, inputs




def test_only_workbooks_are_looked_at(year: tuple[PipelineResult, Path]) -> None:
    inbox = year[1] / "inbox"
    assert [p.name for p in workbook_files(inbox)] == [
        "110000.xlsx", "120000.xlsx", "130000.xlsx", "140000-山西.xlsx", "520000-贵州.xlsx", "999.xlsx",
        "misc.csv", "notes.txt", "天津-副本.xlsx"]


def test_who_is_not_scored_and_why(year: tuple[PipelineResult, Path]) -> None:
    report, folder = year[0].report, year[1]
    units = {u.code: u for u in report.units}
    assert units["110000"].status is UnitStatus.SCORED and units["110000"].robustness is not None
    tianjin = units["120000"]
    assert (tianjin.status, tianjin.reason) == (
        UnitStatus.NOT_SCORED, "收到多份报送（120000.xlsx、天津-副本.xlsx），请只保留一份")
    assert tianjin.submission is None and tianjin.total is None and tianjin.rank is None
    hebei = units["130000"]
    errors = [f for f in hebei.findings if f.severity == "error"]
    assert hebei.status is UnitStatus.NOT_SCORED and len(errors) > 1
    assert hebei.reason == f"报送工作簿有 {len(errors)} 个错误，未评分：{errors[0].message}"
    data = (folder / "inbox" / "130000.xlsx").read_bytes()
    assert hebei.submission is not None and (hebei.submission.file, hebei.submission.sha256) == (
        "130000.xlsx", hashlib.sha256(data).hexdigest())
    shanxi = units["140000"]
    assert shanxi.status is UnitStatus.NOT_SCORED and [f.code for f in shanxi.findings] == ["file-not-xlsx"]
    guizhou = units["520000"]
    assert guizhou.status is UnitStatus.NOT_SCORED and "template-year" in [f.code for f in guizhou.findings]
    for code in ("310000", "340000"):
        assert (units[code].status, units[code].reason, units[code].findings) == (
            UnitStatus.MISSING, "未收到报送工作簿", [])
    # every other entry of the folder is accounted for, each with its own reason
    stray = [(f.file, f.code) for f in report.findings if f.file != "central.xlsx"]
    assert stray == [(".110000.xlsx", "file-ignored"),
                     ("999.xlsx", "file-unattributed"), ("999.xlsx", "file-is-folder"),
                     ("misc.csv", "file-unattributed"), ("misc.csv", "file-csv"),
                     ("notes.txt", "file-unattributed"), ("notes.txt", "file-not-xlsx"),
                     ("~$110000.xlsx", "file-ignored")]
    unattributed = {f.message for f in report.findings if f.code == "file-unattributed"}
    assert unattributed == {
        "无法确定该文件属于哪个单位（不是本系统的报送模板，文件名也不以单位代码开头），已跳过"}
    assert [u.code for u in report.units] == ["110000", "120000", "130000", "140000", "520000",
                                              "310000", "340000"]


def test_findings_come_errors_first(year: tuple[PipelineResult, Path]) -> None:
    units = {u.code: u for u in year[0].report.units}
    for unit in units.values():
        order = ["error", "warning", "info"]
        ranks = [order.index(f.severity) for f in unit.findings]
        assert ranks == sorted(ranks) and "submission-read" not in [f.code for f in unit.findings]
    hebei = units["130000"].findings
    assert {f.severity for f in hebei} >= {"error"}
    shuffled = list(reversed(hebei))
    assert [f.severity for f in errors_first(shuffled)] == sorted(
        (f.severity for f in shuffled), key=["error", "warning", "info"].index)


def test_the_report_header(year: tuple[PipelineResult, Path]) -> None:
    result, folder = year
    report = result.report
    config = folder / "config" / "2030.yaml"
    assert (report.year, report.title, report.engine_version) == (2030, "2030年度手算示例指标", __version__)
    assert report.config_sha256 == hashlib.sha256(config.read_bytes()).hexdigest()
    assert (report.total_points, report.total_decimals, report.rank_ties) == (100, 2, "competition")
    # A states no points: 20 + 20 + 20; B states 40; D is capped at 4 (its one indicator could take
    # 5); a veto section has no points
    assert report.sections == [SectionInfo(id="A", name="日常工作成效", kind="score", max=60),
                               SectionInfo(id="B", name="报送信息数据", kind="score", max=40),
                               SectionInfo(id="D", name="扣分项目", kind="deduction", max=4),
                               SectionInfo(id="V", name="一票否决", kind="veto", max=0)]
    central = (folder / "central.xlsx").read_bytes()
    assert report.central is not None
    assert (report.central.file, report.central.sha256, report.central.size) == (
        "central.xlsx", hashlib.sha256(central).hexdigest(), len(central))
    previous = (folder / "2029.json").read_bytes()
    assert report.previous is not None and (report.previous.file, report.previous.sha256) == (
        "2029.json", hashlib.sha256(previous).hexdigest())
    assert report.robustness_method == method_text()
    published: dict[str, Any] = json.loads((result.output / "scores.json").read_text(encoding="utf-8"))
    assert published == json.loads(report.model_dump_json())
    beijing = next(u for u in published["units"] if u["code"] == "110000")
    assert beijing["trend"]["previous_year"] == 2029 and beijing["trend"]["previous_rank"] == 3


def _problem(code: str, severity: Severity) -> Problem:
    return Problem(code=code, severity=severity, message=code)


def test_errors_first_keeps_the_order_within_a_severity() -> None:
    info, warning, error = Severity.INFO, Severity.WARNING, Severity.ERROR
    findings = [_problem("i1", info), _problem("w1", warning),
                _problem("e1", error), _problem("w2", warning), _problem("i2", info), _problem("e2", error)]
    assert [f.code for f in errors_first(findings)] == ["e1", "e2", "w1", "w2", "i1", "i2"]


def test_files_are_attributed_by_template_then_by_name(inputs: Path, tmp_path: Path) -> None:
    # 北京's workbook saved as 120000-….xlsx is an error told to both and credited to neither; with
    # 北京 left out of the unit list, the file name's code decides; an unknown name and no template: skipped
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(inputs / "inbox" / "110000.xlsx", folder / "120000-改名.xlsx")
    (folder / "misc.csv").write_text("a\n", encoding="utf-8")
    files = load_year_files(2030, inputs / "config" / "2030.yaml", SMALL_UNITS)
    seen: list[str] = []
    collected = collect(folder, 2030, files.loader(), {"110000", "120000"}, lambda p: seen.append(p.name))
    assert seen == ["120000-改名.xlsx", "misc.csv"]
    assert list(collected.by_unit) == []
    assert [(p.code, p.file) for p in collected.problems] == [
        ("submission-unit-mismatch", "120000-改名.xlsx"),
        ("file-unattributed", "misc.csv"), ("file-not-xlsx", "misc.csv")]  # one column: not even CSV
    assert [(r.path.name, r.unit_code, r.name_unit, r.content_unit) for r in collected.files] == [
        ("120000-改名.xlsx", None, "120000", "110000"), ("misc.csv", None, None, None)]
    renamed = collect(folder, 2030, files.loader(), {"120000"})
    assert list(renamed.by_unit) == ["120000"] and renamed.by_unit["120000"].unit_code == "110000"


def test_duplicates_and_files_known_only_by_name(inputs: Path, tmp_path: Path) -> None:
    # three copies of 北京's workbook (all three are reported), then a broken file named for 天津
    # (attributed by its name, which becomes its unit code), then a stray file
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("110000-a.xlsx", "110000-b.xlsx", "110000-c.xlsx"):
        shutil.copy(inputs / "inbox" / "110000.xlsx", folder / name)
    (folder / "120000-坏.xlsx").write_bytes(b"broken")
    (folder / "zz.csv").write_text("a\n", encoding="utf-8")
    files = load_year_files(2030, inputs / "config" / "2030.yaml", SMALL_UNITS)
    collected = collect(folder, 2030, files.loader(), {"110000", "120000"})
    assert {code: [s.file for s in subs] for code, subs in collected.duplicates.items()} == {
        "110000": ["110000-a.xlsx", "110000-b.xlsx", "110000-c.xlsx"]}
    assert list(collected.by_unit) == ["120000"] and collected.by_unit["120000"].unit_code == "120000"
    assert [(p.code, p.file) for p in collected.problems] == [
        ("file-unattributed", "zz.csv"), ("file-not-xlsx", "zz.csv")]


def test_a_blank_central_cell_is_a_finding_on_its_unit(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from scoring.cli import app

    book = load_workbook(ROOT / "sample_inputs" / "central-2022.xlsx")
    sheet = book["中央记录"]
    column = next(c.column for c in sheet[2] if c.value == "submission_date")
    row = next(c.row for c in sheet["A"] if str(c.value).strip() == "140000")
    sheet.cell(row, column).value = None  # 山西's submission date left blank
    central = tmp_path / "central-2022.xlsx"
    book.save(central)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["score", "2022", str(ROOT / "sample_inputs" / "2022"),
                                      "--central", str(central), "-o", str(out)])
    assert result.exit_code == 0, result.output
    units = {u["code"]: u for u in json.loads((out / "scores.json").read_text("utf-8"))["units"]}
    told = [(f["code"], f["sheet"], f["cell"]) for f in units["140000"]["findings"]
            if f["sheet"] == "中央记录"]
    assert told == [("value-missing", "中央记录", sheet.cell(row, column).coordinate)]
    assert not any(f["sheet"] == "中央记录" for code, u in units.items() if code != "140000"
                   for f in u["findings"])
