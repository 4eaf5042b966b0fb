"""The pipeline as an auditor meets it: a manifest that reproduces the run, ``scoring verify``,
``scoring render`` tied to the config it was scored with, previous results as an explicit input,
and an output set that is replaced whole or not at all."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from openpyxl import load_workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.errors import ScoringError
from scoring.pipeline import load_scores
from scoring.pipeline.render import checked_config
from scoring.workbook.years import load_year_config

runner = CliRunner()
BEIJING = "110000-北京.xlsx"


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with the 2022 samples scored once into outputs/2022 (no PDFs)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "indicators", root / "indicators")
    shutil.copytree(ROOT / "sample_inputs" / "2022", root / "sample_inputs" / "2022")
    shutil.copy(ROOT / "sample_inputs" / "central-2022.xlsx", root / "sample_inputs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCORING_ROOT", str(root))
        mp.chdir(root)
        result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "--central",
                                     "sample_inputs/central-2022.xlsx", "-o", "outputs/2022"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture()
def project(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the scored project, to edit."""
    root = tmp_path / "p"
    shutil.copytree(scored, root)
    monkeypatch.setenv("SCORING_ROOT", str(root))
    monkeypatch.chdir(root)
    load_year_config.cache_clear()
    yield root
    load_year_config.cache_clear()


def verify(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", str(root / "outputs" / "2022" / "manifest.json"), *args])
    return result.exit_code, result.output


def test_the_manifest_records_every_input_relative_to_itself(project: Path) -> None:
    manifest = json.loads((project / "outputs/2022/manifest.json").read_text(encoding="utf-8"))
    by_role: dict[str, list[dict[str, object]]] = {}
    for entry in manifest["inputs"]:
        by_role.setdefault(str(entry["role"]), []).append(entry)
    assert [e["path"] for e in by_role["config"]] == ["../../indicators/2022.yaml"]
    assert [e["path"] for e in by_role["units"]] == ["../../indicators/units.yaml"]
    assert [e["path"] for e in by_role["catalogue"]] == ["../../indicators/tasks/2022.yaml"]
    assert [e["path"] for e in by_role["central"]] == ["../../sample_inputs/central-2022.xlsx"]
    assert len(by_role["submission"]) == 32
    for entry in manifest["inputs"]:  # each hash is of the file as it is on disk
        data = (project / "outputs/2022" / str(entry["path"])).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert manifest["command"][:2] == ["scoring", "score"]
    assert manifest["options"]["input_dir"] == "../../sample_inputs/2022"
    assert manifest["engine"]["version"] and set(manifest["environment"]) >= {
        "python", "weasyprint", "pydantic", "openpyxl"}


def test_verify_passes_on_a_fresh_run(project: Path) -> None:
    code, output = verify(project)
    assert code == 0 and "一致" in output and "不一致" not in output


def test_verify_names_an_edited_submission(project: Path) -> None:
    path = project / "sample_inputs/2022" / BEIJING
    wb = load_workbook(path)
    ws = wb["工作数据"]
    row = next(r for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, 4).value, int | float))
    ws.cell(row, 4).value = (ws.cell(row, 4).value or 0) + 1  # one cell, one more case
    wb.save(path)
    code, output = verify(project)
    assert code == 1 and "输入文件已改变" in output and BEIJING in output


def test_verify_names_a_changed_unit_list(project: Path) -> None:
    units = project / "indicators/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("2487.09", "2587.09"), encoding="utf-8")
    code, output = verify(project)
    assert code == 1 and "indicators/units.yaml" in output


def test_verify_names_a_changed_config(project: Path) -> None:
    config = project / "indicators/2022.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# 一处修改\n", encoding="utf-8")
    code, output = verify(project)
    assert code == 1 and "indicators/2022.yaml" in output


def test_verify_notices_a_file_added_to_the_input_folder(project: Path) -> None:
    shutil.copy(project / "sample_inputs/2022" / BEIJING, project / "sample_inputs/2022/110000-副本.xlsx")
    code, output = verify(project)
    assert code == 1 and "新增了文件：110000-副本.xlsx" in output


def test_verify_finds_a_published_number_that_was_altered(project: Path) -> None:
    scores = project / "outputs/2022/scores.json"
    report = json.loads(scores.read_text(encoding="utf-8"))
    report["units"][0]["total"] = report["units"][0]["total"] + 1
    scores.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    code, output = verify(project)
    assert code == 1 and "scores.json" in output and "units[0].total" in output


def test_the_same_inputs_give_the_same_files(project: Path) -> None:
    result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "--central",
                                 "sample_inputs/central-2022.xlsx", "-o", "elsewhere/2022"])
    assert result.exit_code == 0, result.output
    for name in ("scores.json", "ranking.xlsx"):
        fresh, first_run = project / "elsewhere/2022" / name, project / "outputs/2022" / name
        assert fresh.read_bytes() == first_run.read_bytes()
    first = json.loads((project / "outputs/2022/manifest.json").read_text(encoding="utf-8"))
    again = json.loads((project / "elsewhere/2022/manifest.json").read_text(encoding="utf-8"))
    assert first["inputs"] == again["inputs"]  # same base-relative paths however it was called


def test_render_refuses_a_config_changed_since_scoring(project: Path) -> None:
    original = project / "scored-with.yaml"
    shutil.copy(project / "indicators/2022.yaml", original)
    config = project / "indicators/2022.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("title: 2022年度", "title: 2022年"),
                      encoding="utf-8")
    before = sorted(p.name for p in (project / "outputs/2022").iterdir())
    result = runner.invoke(app, ["render", "2022", "--workers", "1"])
    assert result.exit_code == 1 and "SHA-256" in result.output and "--config" in result.output
    assert sorted(p.name for p in (project / "outputs/2022").iterdir()) == before
    report = load_scores(project / "outputs/2022/scores.json")
    assert checked_config(report, original, None).title.startswith("2022年度")  # the recorded one
    with pytest.raises(ScoringError):
        checked_config(report, config, None)


def test_previous_results_are_an_explicit_recorded_input(project: Path) -> None:
    shutil.copytree(project / "outputs/2022", project / "outputs/earlier")
    previous = project / "outputs/earlier/scores.json"
    data = json.loads(previous.read_text(encoding="utf-8"))
    data["year"] = 2020
    for rank, unit in enumerate(reversed([u for u in data["units"] if u["rank"]]), 1):
        unit["rank"] = rank
    previous.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "--central",
                                 "sample_inputs/central-2022.xlsx", "-o", "with-trend/2022",
                                 "--previous", str(previous)])
    assert result.exit_code == 0, result.output
    report = json.loads((project / "with-trend/2022/scores.json").read_text(encoding="utf-8"))
    old = {u["code"]: u for u in data["units"]}
    for unit in report["units"]:
        if unit["rank"]:
            assert unit["trend"]["previous_year"] == 2020
            assert unit["trend"]["rank_change"] == old[unit["code"]]["rank"] - unit["rank"]
    manifest = json.loads((project / "with-trend/2022/manifest.json").read_text(encoding="utf-8"))
    assert [e["path"] for e in manifest["inputs"] if e["role"] == "previous"] == [
        "../../outputs/earlier/scores.json"]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "不是有效的上年度评分结果"),
    ('{"year": 2020, "units": [{"code": "110000"}]}', "units.0.status"),
    ('{"year": 2022, "units": []}', "不早于 2022 年度"),
])
def test_a_previous_file_that_does_not_parse_is_an_error(project: Path, content: str, message: str) -> None:
    bad = project / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "-o", "x/2022",
                                 "--previous", str(bad)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (project / "x/2022").exists()


def test_an_output_folder_holding_other_files_is_not_replaced(project: Path) -> None:
    (project / "outputs/2022/notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "-o", "outputs/2022"])
    assert result.exit_code == 1 and "notes.txt" in result.output
    assert (project / "outputs/2022/notes.txt").read_text(encoding="utf-8") == "mine"
    assert not list((project / "outputs").glob(".2022.staging-*"))


def _beijing_a1(project: Path) -> tuple[str, int]:
    """A task of A1 that 北京 declared 已完成 with evidence, and how many A1 tasks count."""
    from scoring.pipeline import load_year_files
    from scoring.workbook.validate import validate_submission

    files = load_year_files(2022)
    submission = validate_submission(project / "sample_inputs/2022" / BEIJING, files.loader(), 2022)
    a1 = next(i for _, i in files.config.indicator_set.indicators() if i.id == "A1")
    statuses = {t: submission.tasks[t] for t in a1.tasks}
    chosen = next(t for t, r in statuses.items() if r.status == "已完成" and r.evidence)
    counted = sum(r.status != "不适用" for r in statuses.values())
    return chosen, counted


def _declared_below_done(project: Path) -> str:
    """A task 北京 declared 部分完成 or 未开展."""
    from scoring.pipeline import load_year_files
    from scoring.workbook.validate import validate_submission

    files = load_year_files(2022)
    submission = validate_submission(project / "sample_inputs/2022" / BEIJING, files.loader(), 2022)
    return next(t for t, r in submission.tasks.items() if r.status in ("部分完成", "未开展"))


def test_review_adjustments_are_a_recorded_input(project: Path) -> None:
    task, counted = _beijing_a1(project)
    adjustments = project / "adjustments.yaml"
    adjustments.write_text(
        "schema_version: 1\nyear: 2022\nadjustments:\n"
        f"  - {{unit: '110000', task: {task}, status: 部分完成, reason: 佐证材料只有通知}}\n",
        encoding="utf-8")
    result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "--central",
                                 "sample_inputs/central-2022.xlsx", "-o", "reviewed/2022",
                                 "--adjustments", str(adjustments)])
    assert result.exit_code == 0, result.output
    before = json.loads((project / "outputs/2022/scores.json").read_text(encoding="utf-8"))
    after = json.loads((project / "reviewed/2022/scores.json").read_text(encoding="utf-8"))
    old = next(u for u in before["units"] if u["code"] == "110000")["indicators"]["A1"]
    unit = next(u for u in after["units"] if u["code"] == "110000")
    # A1 is 4 points × mean credit: one task from 已完成 (1) to 部分完成 (0.5) takes 4 × 0.5 / counted
    assert unit["indicators"]["A1"]["points"] == pytest.approx(old["points"] - 4 * 0.5 / counted)
    explanation = unit["indicators"]["A1"]["explanation"]
    assert f"任务 {task} 自报已完成，审核调整为部分完成：理由：佐证材料只有通知" in explanation
    assert unit["adjustments"] == [{"task": task, "declared": "已完成", "status": "部分完成",
                                    "reason": "佐证材料只有通知"}]
    manifest = json.loads((project / "reviewed/2022/manifest.json").read_text(encoding="utf-8"))
    assert [e["path"] for e in manifest["inputs"] if e["role"] == "adjustments"] == ["../../adjustments.yaml"]
    check = runner.invoke(app, ["verify", str(project / "reviewed/2022/manifest.json")])
    assert check.exit_code == 0 and "一致" in check.output, check.output


@pytest.mark.parametrize(("line", "message"), [
    ("{unit: '110000', task: TASK, status: 已完成, reason: 恢复}", None),
    ("{unit: '110000', task: 2022-9.9.9, status: 未开展, reason: 无}", "不是本年度考核的任务"),
    ("{unit: '999999', task: TASK, status: 未开展, reason: 无}", "不是考核单位"),
    ("{unit: '110000', task: TASK, status: 未开展}", "reason"),
    ("{unit: '110000', task: LOWER, status: 已完成, reason: 提高}", "只能降低或恢复"),
])
def test_adjustments_that_do_not_fit_are_refused(project: Path, line: str, message: str | None) -> None:
    task, _ = _beijing_a1(project)
    lower = _declared_below_done(project)
    adjustments = project / "adjustments.yaml"
    adjustments.write_text("schema_version: 1\nyear: 2022\nadjustments:\n  - "
                           + line.replace("TASK", task).replace("LOWER", lower) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "2022", "sample_inputs/2022", "-o", "x/2022",
                                 "--adjustments", str(adjustments)])
    if message is None:  # restoring the declared status is allowed and changes nothing
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (project / "x/2022").exists()
