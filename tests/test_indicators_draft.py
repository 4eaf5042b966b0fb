"""scoring indicators draft: tasks renumbered, merged, split and dropped; todo; quotations; refusal."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scoring.catalogue.models import Clause, Plan, Section, Task
from scoring.cli import app
from scoring.indicators.models import IndicatorSet
from scoring.yamlfile import load_model

runner = CliRunner()

RENUMBERED = "严厉打击网络侵权盗版行为，加强网络平台监管责任落实"
SPLIT_A = "深入开展农资打假专项行动，严查假劣种子化肥农药"
SPLIT_B = "加强校园周边文具玩具食品市场监管，净化消费环境"
MERGED_A = "完善行政执法与刑事司法衔接机制，健全案件移送制度"
MERGED_B = "推进信息共享系统建设应用，提高案件录入及时率"
DROPPED = "组织开展侵权假冒商品集中销毁活动，防止再流通"
NEW = "开展全国商业秘密保护创新试点工作，培育示范企业"


def _task(task_id: str, path: list[str], text: str) -> Task:
    return Task(id=task_id, path=path, title=text.split("，")[0], text=text + "。",
                clauses=[Clause(text=text + "。")], lines=(1, 1))


def _plan(year: int, tasks: list[Task]) -> Plan:
    return Plan(year=year, title=f"{year}年工作要点", sections=[
        Section(number=1, label="一", title="重点治理", tasks=tasks)])


OLD = _plan(2020, [
    _task("2020-01", ["一", "（一）"], RENUMBERED),
    _task("2020-02", ["一", "（二）"], f"{SPLIT_A}。{SPLIT_B}"),
    _task("2020-03", ["一", "（三）"], MERGED_A),
    _task("2020-04", ["一", "（四）"], MERGED_B),
    _task("2020-05", ["一", "（五）"], DROPPED),
])
NEW_PLAN = _plan(2022, [
    _task("2022-1.1", ["一", "（一）"], NEW),
    _task("2022-1.2", ["一", "（二）"], RENUMBERED),
    _task("2022-1.3", ["一", "（三）"], SPLIT_A),
    _task("2022-1.4", ["一", "（四）"], SPLIT_B),
    _task("2022-1.5", ["一", "（五）"], f"{MERGED_A}。{MERGED_B}"),
])

CONFIG = """\
schema_version: 1
year: 2020
title: 2020年度考核指标
basis:
  plan_title: 2020年工作要点
  passages: []
catalogue: tasks-2020.yaml
submission: {deadline: 2021-01-15, recipient: 全国打击侵权假冒工作领导小组办公室}
total_points: 100
rounding: {decimals: 2, mode: half_up}
grades:
  - {name: 合格, at_least: 60}
  - {name: 不合格, below: 60}
tiers:
  method: grade
  max_points: 10
  tiers:
    - {name: 第一档, grades: [合格], points: 10}
    - {name: 第二档, grades: [不合格], points: 4}
sections:
  - id: A
    name: 日常工作
    points: 100
    indicators:
      - id: A1
        name: 治理
        points: 60
        tasks: [2020-01, 2020-02]
        basis:
          - {ref: （一）, text: 严厉打击网络侵权盗版行为}
          - {ref: （二）, text: 这句话不在新要点中}
        rule: {kind: task_completion}
      - id: A2
        name: 行刑衔接
        points: 40
        tasks: [2020-03, 2020-04]
        rule: {kind: task_completion}
      - id: A3
        name: 销毁
        points: 0
        tasks: [2020-05]
        rule: {kind: task_completion}
"""


def _files(tmp_path: Path) -> tuple[Path, Path]:
    for plan, name in ((OLD, "tasks-2020.yaml"), (NEW_PLAN, "tasks-2022.yaml")):
        (tmp_path / name).write_text(yaml.safe_dump(plan.model_dump(mode="json"), allow_unicode=True),
                                     encoding="utf-8")
    (tmp_path / "2020.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "2020.yaml", tmp_path / "tasks-2022.yaml"


def _draft(tmp_path: Path) -> Path:
    old, plan = _files(tmp_path)
    target = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["indicators", "draft", "2022", "--plan", str(plan), "--from", str(old),
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_renumbered_split_merged_and_dropped_tasks_are_remapped(tmp_path: Path) -> None:
    target = _draft(tmp_path)
    text = target.read_text(encoding="utf-8")
    drafted = load_model(target, IndicatorSet)
    tasks = {ind.id: ind.tasks for _, ind in drafted.indicators()}
    assert tasks == {"A1": ["2022-1.2", "2022-1.3", "2022-1.4"], "A2": ["2022-1.5"]}
    assert "- 2022-1.2  # 原 2020-01（相似度 1.00）" in text
    assert "2022-1.5  # 原 2020-03（相似度" in text and "、2020-04（相似度" in text
    assert "# 已删除指标 A3“销毁”" in text
    assert [t.task for t in drafted.todo] == ["2022-1.1"]
    assert drafted.todo[0].text == NEW + "。"
    assert drafted.submission is not None and str(drafted.submission.deadline) == "2023-01-15"
    cited = drafted.sections[0].indicators[0].basis
    assert (cited[0].ref, cited[0].text) == ("一（二）", "严厉打击网络侵权盗版行为")
    assert "这句话不在新要点中}  # 待核对" in text


def test_audit_names_only_what_is_left_to_decide(tmp_path: Path) -> None:
    target = _draft(tmp_path)
    result = runner.invoke(app, ["audit", str(target), "--json"])
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    found = sorted((f["code"], f.get("value") or f.get("path")) for f in findings)
    assert found == [("basis-not-in-plan", "sections[0].indicators[0].basis[1]"), ("task-todo", "2022-1.1")]


def test_draft_is_deterministic_and_never_overwrites_without_o(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _draft(tmp_path)
    first = target.read_bytes()
    assert _draft(tmp_path).read_bytes() == first
    (tmp_path / "root" / "indicators").mkdir(parents=True)
    existing = tmp_path / "root" / "indicators" / "2022-draft.yaml"
    existing.write_text("keep", encoding="utf-8")
    monkeypatch.setenv("SCORING_ROOT", str(tmp_path / "root"))
    result = runner.invoke(app, ["indicators", "draft", "2022", "--plan", str(tmp_path / "tasks-2022.yaml"),
                                 "--from", str(tmp_path / "2020.yaml")])
    assert result.exit_code == 1 and "已存在" in result.output
    assert existing.read_text(encoding="utf-8") == "keep"


def test_score_refuses_a_config_with_todo(tmp_path: Path) -> None:
    target = _draft(tmp_path)
    (tmp_path / "in").mkdir()
    result = runner.invoke(app, ["score", "2022", str(tmp_path / "in"), "--config", str(target),
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "todo 中还有 1 项任务待决定（2022-1.1）" in result.output
    assert not (tmp_path / "out").exists()


def test_draft_2022_from_2020_audits_to_what_is_left_and_compares(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    catalogue = tmp_path / "tasks-2022.yaml"
    plan = root.parent / "shared" / "seeds" / "plan-2022.txt"
    extracted = runner.invoke(app, ["tasks", "extract", str(plan), "--year", "2022", "-o", str(catalogue)])
    assert extracted.exit_code == 0, extracted.output
    target = tmp_path / "草稿.yaml"
    drafted = runner.invoke(app, ["indicators", "draft", "2022", "--plan", str(catalogue), "--from", "2020",
                                  "-o", str(target)])
    assert drafted.exit_code == 0, drafted.output
    audited = runner.invoke(app, ["audit", str(target), "--json"])
    codes = {f["code"] for f in json.loads(audited.output)["findings"]}
    assert codes == {"task-todo", "basis-not-in-plan"}  # reference_years carried over from 2020
    workbook = tmp_path / "比较.xlsx"
    compared = runner.invoke(app, ["compare", "2022", str(root / "indicators" / "2022.yaml"), str(target),
                                   "--inputs", str(root / "sample_inputs" / "2022"),
                                   "--central", str(root / "sample_inputs" / "central-2022.xlsx"),
                                   "-o", str(workbook)])
    assert compared.exit_code == 0, compared.output
    assert "北京市" in compared.output and "等次或档次变化的单位" in compared.output
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice is part of the test set-up (./dev test installs it)"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "out"),
         str(workbook)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "比较.csv").read_text(encoding="utf-8")
    assert text.startswith("单位代码,单位,总分（A）") and "北京市" in text


def test_draft_2022_todo_is_exactly_the_new_tasks_and_the_mechanism_quoted_verbatim(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    target = tmp_path / "草稿.yaml"
    drafted = runner.invoke(app, ["indicators", "draft", "2022", "--plan",
                                  str(root / "indicators" / "tasks" / "2022.yaml"), "--from", "2020",
                                  "-o", str(target)])
    assert drafted.exit_code == 0, drafted.output
    draft = load_model(target, IndicatorSet)
    diffed = runner.invoke(app, ["tasks", "diff", "2020", "2022", "--json"])
    added = [t["id"] for t in json.loads(diffed.output)["tasks"]["added"]]
    assert [t.task for t in draft.todo] == added and len(added) == 17
    catalogue = load_model(root / "indicators" / "tasks" / "2022.yaml", Plan)
    texts = {task.id: task.text for task in catalogue.tasks()}
    assert all(t.text == texts[t.task] for t in draft.todo)
    plan = (root.parent / "shared" / "seeds" / "plan-2022.txt").read_text(encoding="utf-8")
    assert draft.basis is not None
    mechanism = draft.basis.passages[0]
    assert mechanism.ref == "七（三）" and mechanism.text in plan and "考核" in mechanism.text
    assert draft.submission is not None and str(draft.submission.deadline) == "2023-01-15"
