"""``scoring run``: the main job on the bundled samples, in a copy of the project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook.years import load_year_config

runner = CliRunner()


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "indicators", tmp_path / "indicators")
    (tmp_path / "sample_inputs").mkdir()
    shutil.copytree(ROOT / "sample_inputs" / "2022", tmp_path / "sample_inputs" / "2022")
    shutil.copy(ROOT / "sample_inputs" / "central-2022.xlsx", tmp_path / "sample_inputs")
    monkeypatch.setenv("SCORING_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    load_year_config.cache_clear()
    yield tmp_path
    load_year_config.cache_clear()


def test_run_writes_every_output_and_a_summary(project: Path) -> None:
    result = runner.invoke(app, ["run", "2022", "--no-pdf"])
    assert result.exit_code == 0, result.output
    out = project / "outputs" / "2022"
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "ranking.xlsx", "scores.json"]
    report = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert sum(u["status"] == "scored" for u in report["units"]) == 32
    first = report["units"][0]
    assert first["rank"] == 1 and first["name"] in result.output and "32 个单位已评分" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    roles = [entry["role"] for entry in manifest["inputs"]]
    assert roles.count("submission") == 32 and roles.count("central") == 1
    assert {"config", "units", "catalogue"} <= set(roles)
    first = next(e for e in manifest["inputs"] if e["role"] == "submission")
    assert first["path"] == "../../sample_inputs/2022/110000-北京.xlsx"  # relative to the manifest
    assert {Path(o["path"]).name for o in manifest["outputs"]} == {"scores.json", "ranking.xlsx"}


def test_run_keeps_previous_results_when_the_year_cannot_be_scored(project: Path) -> None:
    first = runner.invoke(app, ["run", "2022", "--no-pdf"])
    assert first.exit_code == 0
    scores = project / "outputs" / "2022" / "scores.json"
    before = scores.read_bytes()
    (project / "indicators" / "2022.yaml").write_text("schema_version: 1\nyear: [\n", encoding="utf-8")
    load_year_config.cache_clear()
    broken = runner.invoke(app, ["run", "2022", "--no-pdf"])
    assert broken.exit_code == 1 and "2022.yaml" in broken.output and "Traceback" not in broken.output
    assert scores.read_bytes() == before
