"""``scoring tasks`` through its public entry points: in-process, and once as the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
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
    # the file is no catalogue: nothing says it may go
    assert lenient.exit_code == 1 and "output-not-a-catalogue" in lenient.output
    assert target.read_text(encoding="utf-8") == "existing: true\n"
    forced = runner.invoke(app, ["tasks", "extract", str(plan), "-o", str(target), "--force"])
    assert forced.exit_code == 0 and "1 个警告" in forced.output
    assert target.read_text(encoding="utf-8").startswith("# 任务目录")


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


# —— a province's plan beside the national catalogues (issue 9, section 5) ——

LOCAL_DATA = ROOT / "tests" / "data" / "catalogue"
ZHEJIANG = LOCAL_DATA / "zhejiang-2022-plan.txt"
EXCERPT = LOCAL_DATA / "shanghai-2022-division-excerpt.txt"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's indicators/ (national catalogues included) as SCORING_ROOT."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "indicators", root / "indicators")
    monkeypatch.setenv("SCORING_ROOT", str(root))
    return root


def _national(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "indicators" / "tasks").glob("20*.yaml"))}


def test_provincial_plan_next_to_the_national_catalogue_leaves_it_byte_identical(
    project: Path,
) -> None:
    before = _national(project)
    assert set(before) == {"2020.yaml", "2022.yaml"}
    result = runner.invoke(app, ["tasks", "extract", str(ZHEJIANG)])
    assert result.exit_code == 0, result.output
    assert _national(project) == before
    written = project / "indicators" / "tasks" / "330000-2022.yaml"
    assert f"已写入 {written}" in result.output and "330000-2022-1.1.1" in result.output
    shown = runner.invoke(app, ["tasks", "show", "330000-2022", "--json"])
    assert shown.exit_code == 0, shown.output
    ids = [t["id"] for s in json.loads(shown.stdout)["sections"] for t in s["tasks"]]
    assert len(ids) == 25 and all(i.startswith("330000-2022-") for i in ids)
    # the same plan again, over its own catalogue: fine, and the same bytes
    first = written.read_bytes()
    again = runner.invoke(app, ["tasks", "extract", str(ZHEJIANG), "--strict"])
    assert again.exit_code == 0, again.output
    assert written.read_bytes() == first and _national(project) == before


def test_excerpt_without_a_title_cannot_replace_the_national_catalogue(project: Path) -> None:
    before = _national(project)
    # no title, no issuer: taken as national, so its default path is the national catalogue's
    result = runner.invoke(app, ["tasks", "extract", str(EXCERPT), "--year", "2022"])
    assert result.exit_code == 1
    assert "catalogue-of-other-plan" in result.output and "--force" in result.output
    assert "no-section-heading" in result.output
    assert _national(project) == before
    named = runner.invoke(app, ["tasks", "extract", str(EXCERPT), "--year", "2022",
                                "--prefix", "310000"])
    assert named.exit_code == 0, named.output
    assert _national(project) == before
    plan = json.loads(runner.invoke(app, ["tasks", "show", "310000-2022", "--json"]).stdout)
    assert [t["id"] for t in plan["sections"][0]["tasks"]][:2] == [
        "310000-2022-0.3.1", "310000-2022-0.3.2"]
    assert plan["title"] == "2022年上海市打击侵犯知识产权和制售假冒伪劣商品工作要点"
    tree = runner.invoke(app, ["tasks", "show", "310000-2022"])
    assert "（无部分标题）" in tree.stdout and "（三）加强重点领域和重点产品监管" in tree.stdout


def test_another_plans_catalogue_is_replaced_only_with_force(project: Path) -> None:
    national = project / "indicators" / "tasks" / "2022.yaml"
    before = national.read_bytes()
    refused = runner.invoke(app, ["tasks", "extract", str(ZHEJIANG), "-o", str(national)])
    assert refused.exit_code == 1
    assert "已是另一份工作要点的任务目录" in refused.output and "保持不变" in refused.output
    assert "浙打假发〔2022〕2号" in refused.output and "打假发〔2022〕1号" in refused.output
    assert national.read_bytes() == before
    assert not list(national.parent.glob(".*.tmp"))
    forced = runner.invoke(app, ["tasks", "extract", str(ZHEJIANG), "-o", str(national), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "按 --force 替换" in forced.output
    assert national.read_bytes() != before
    assert "330000-2022-1.1.1" in national.read_text(encoding="utf-8")
    # and back: the national plan over the provincial one needs --force too
    back = runner.invoke(app, ["tasks", "extract", str(seed_path(2022)), "-o", str(national)])
    assert back.exit_code == 1
    restored = runner.invoke(app, ["tasks", "extract", str(seed_path(2022)), "--force"])
    assert restored.exit_code == 0 and national.read_bytes() == before


def test_national_plan_regenerates_its_own_catalogue_in_place(project: Path) -> None:
    before = _national(project)
    for year in SEED_YEARS:
        result = runner.invoke(app, ["tasks", "extract", str(seed_path(year))])
        assert result.exit_code == 0, result.output
        assert "--force" not in result.output
    assert _national(project) == before


def test_a_failed_write_leaves_the_old_catalogue_whole(project: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    import scoring.files

    target = project / "indicators" / "tasks" / "330000-2022.yaml"
    assert runner.invoke(app, ["tasks", "extract", str(ZHEJIANG)]).exit_code == 0
    before = target.read_bytes()

    def full_disk(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(scoring.files.os, "replace", full_disk)
    plan = ZHEJIANG.read_text(encoding="utf-8").replace("集中开展宣传活动", "集中开展普法宣传活动")
    changed = project / "zhejiang.txt"
    changed.write_text(plan, encoding="utf-8")
    result = runner.invoke(app, ["tasks", "extract", str(changed), "-o", str(target)])
    assert result.exit_code == 1
    assert "磁盘空间不足" in result.output and str(target) in result.output
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".*.tmp"))


def test_prefix_option(project: Path) -> None:
    result = runner.invoke(app, ["tasks", "extract", str(ZHEJIANG), "--prefix", "杭州市"])
    assert result.exit_code == 0, result.output
    written = project / "indicators" / "tasks" / "杭州市-2022.yaml"
    assert "杭州市-2022-1.1.1" in written.read_text(encoding="utf-8")
    for bad in ("31-00", "a.b", "", "一二三四五六七八九十一二三四五六七八九十一"):
        refused = runner.invoke(app, ["tasks", "extract", str(ZHEJIANG), "--prefix", bad])
        assert refused.exit_code == 2, (bad, refused.output)
