"""``scoring tasks`` through its public entry points: in-process, and once as the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEED_YEARS, seed_path
from typer.testing import CliRunner

from scoring.cli import app

runner = CliRunner()


def test_committed_catalogues_are_current(tmp_path: Path) -> None:
    for year in SEED_YEARS:
        target = tmp_path / f"{year}.yaml"
        result = runner.invoke(app, ["tasks", "extract", str(seed_path(year)), "-o", str(target),
                                     "--strict"])
        assert result.exit_code == 0, result.output
        committed = ROOT / "indicators" / "tasks" / f"{year}.yaml"
        assert target.read_bytes() == committed.read_bytes(), (
            f"{committed} is stale: regenerate with `scoring tasks extract {seed_path(year)}`")


def test_extract_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for name in ("a.yaml", "b.yaml"):
        runner.invoke(app, ["tasks", "extract", str(seed_path(2022)), "-o", str(tmp_path / name)])
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_show_json_has_the_contracted_fields() -> None:
    result = runner.invoke(app, ["tasks", "show", "2022", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["year"] == 2022 and plan["doc_number"] == "打假发〔2022〕1号"
    task = plan["sections"][0]["tasks"][0]
    assert {"id", "title", "text", "clauses"} <= task.keys()
    assert task["clauses"][0]["departments"][0] == {
        "name": "中央宣传部", "role": "joint", "as_written": "中央宣传部", "known": True}
    assert sum(len(s["tasks"]) for s in plan["sections"]) == 91


def test_show_tree_names_sections_and_tasks() -> None:
    result = runner.invoke(app, ["tasks", "show", "2020"])
    assert result.exit_code == 0, result.output
    assert "一、深化重点领域治理和产品监管" in result.stdout
    assert "2020-35" in result.stdout and "加强系统性宣传" in result.stdout


def test_diff_json_matches_tasks_across_years() -> None:
    result = runner.invoke(app, ["tasks", "diff", "2020", "2022", "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert (diff["old_year"], diff["new_year"]) == (2020, 2022)
    sections = {(m["old"]["id"], m["new"]["id"]) for m in diff["sections"]["carried_over"]}
    assert ("2020-4", "2022-4") in sections and ("2020-6", "2022-6") in sections
    pairs = {(m["old"]["id"], m["new"]["id"]): m["similarity"] for m in diff["tasks"]["carried_over"]}
    # 昆仑 campaign: 2020 （十六） carries over into 2022 三（一）1
    assert pairs[("2020-16", "2022-3.1.1")] >= diff["threshold"]
    added = {item["id"] for item in diff["tasks"]["added"]}
    assert "2022-2.4.2" in added  # 2022's special-event marks (亚运会 …) are new
    every_new = {t for _, t in pairs} | added
    assert len(every_new) == 91
    for item in diff["tasks"]["added"] + diff["tasks"]["dropped"]:
        assert 0 <= item["best_similarity"] < diff["threshold"]


def test_strict_failure_writes_nothing_and_keeps_existing_file(tmp_path: Path) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text("2021年工作要点\n\n一、部分\n\n说明文字。\n\n（一）任务。内容。（公安部负责）\n",
                    encoding="utf-8")
    target = tmp_path / "out.yaml"
    target.write_text("existing: true\n", encoding="utf-8")
    result = runner.invoke(app, ["tasks", "extract", str(plan), "-o", str(target), "--strict"])
    assert result.exit_code == 1
    assert "unplaced-text" in result.output and "未写入" in result.output
    assert target.read_text(encoding="utf-8") == "existing: true\n"
    lenient = runner.invoke(app, ["tasks", "extract", str(plan), "-o", str(target)])
    assert lenient.exit_code == 0 and "1 个警告" in lenient.output


def test_bad_inputs_get_a_message_and_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "plan.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    gbk_letter = tmp_path / "letter.txt"
    gbk_letter.write_bytes("这是一封信。".encode("gbk"))
    cases = [(empty, "文件为空"), (binary, "不是文本文件"), (gbk_letter, "不像是一份工作要点"),
             (tmp_path / "missing.txt", "文件不存在"), (tmp_path, "是一个目录")]
    for path, message in cases:
        result = runner.invoke(app, ["tasks", "extract", str(path), "-o", str(tmp_path / "o.yaml")])
        assert result.exit_code == 1, (path, result.output)
        assert message in result.output and str(path) in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "o.yaml").exists()


def test_broken_catalogue_yaml_is_located(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\nyear: 2022\ntitle: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["tasks", "show", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:4" in result.output or f"{broken}:3" in result.output
    assert "YAML 语法错误" in result.output
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("schema_version: 1\nyear: 2022\ntitle: t\nsections: []\ncolour: red\n",
                       encoding="utf-8")
    result = runner.invoke(app, ["tasks", "show", str(unknown)])
    assert result.exit_code == 1
    assert f"{unknown}:5" in result.output and "colour" in result.output and "未知字段" in result.output


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["tasks", "extract"]).exit_code == 2
    assert runner.invoke(app, ["tasks", "diff", "2020"]).exit_code == 2
    assert runner.invoke(app, ["tasks", "extract", "x.txt", "--year", "abc"]).exit_code == 2


def test_installed_command_runs() -> None:
    command = shutil.which("scoring", path=str(Path(sys.executable).parent))
    assert command is not None, "the scoring entry point is not installed in this environment"
    done = subprocess.run([command, "tasks", "show", "2020", "--json"], capture_output=True,
                          text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "2020年全国打击侵犯知识产权和制售假冒伪劣商品工作要点"
