"""The auditor's lint (one small broken config per finding code) and ``scoring audit``/``schema``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from scoring.cli import app
from scoring.indicators import audit as audit_module
from scoring.indicators.report import build_report
from scoring.indicators.store import load_located
from scoring.problems import Severity

DATA = ROOT / "tests" / "data" / "indicators"
LINT = DATA / "lint"
VALID = DATA / "valid.yaml"
runner = CliRunner()

RULE = "sections[0].indicators[1].rule"

EXPECTED: dict[str, list[tuple[str, str | None]]] = {
    "weights-sum": [("weights-sum", "total_points")],
    "section-points-mismatch": [("section-points-mismatch", "sections[0].points")],
    "adjustment-cap-missing": [("adjustment-cap-missing", "sections[1]")],
    "adjustment-mode": [("adjustment-mode", "sections[1].indicators[0].rule.mode")],
    "veto-misplaced": [("veto-misplaced", "sections[1].indicators[1].rule.kind")],
    "veto-points": [("veto-points", "sections[2].indicators[0].points")],
    "veto-target-unknown": [("veto-target-unknown", "sections[2].indicators[0].rule.effects.grade")],
    "rule-unreachable-max": [("rule-unreachable-max", RULE)],
    "rule-unreachable-max-bounds": [("rule-unreachable-max", RULE)],
    "rule-exceeds-max": [("rule-exceeds-max", f"{RULE}.cap")],
    "rule-not-monotone": [("rule-not-monotone", "sections[0].indicators[0].rule.credit")],
    "band-gap": [("band-gap", f"{RULE}.bands[0]")],
    "band-overlap": [("band-overlap", f"{RULE}.bands[0]")],
    "rank-shares-missing": [("rule-unreachable-max", RULE), ("rank-shares-missing", f"{RULE}.shares")],
    "rule-no-tasks": [("rule-no-tasks", "sections[0].indicators[0].tasks")],
    "item-undefined": [("item-undefined", f"{RULE}.items[0]")],
    "item-wrong-kind": [("item-wrong-kind", f"{RULE}.items[0]")],
    "item-unused": [("item-unused", "items[4].code")],
    "item-bounds": [("item-bounds", "items[0].min")],
    "item-options": [("item-options", "items[0].kind")],
    "check-wrong-kind": [("check-wrong-kind", "checks[0]")],
    "catalogue-missing": [("catalogue-missing", "catalogue")],
    "catalogue-mismatch": [("catalogue-mismatch", "catalogue")],
    "task-unknown": [("task-unknown", "sections[0].indicators[0].tasks[2]")],
    "task-not-covered": [("task-not-covered", "sections")],
    "task-excluded-and-covered": [("task-excluded-and-covered", "excluded_tasks[0].task")],
    "task-todo": [("task-todo", "todo[0].task")],
    "duplicate-id": [("duplicate-id", "sections[0].indicators[2].id")],
    "grades-gap": [("band-gap", "grades[1]")],
    "grades-overlap": [("band-overlap", "grades[1]")],
    "tier-method": [("tier-method", "tiers.tiers[1]")],
    "tier-exceeds-max": [("tier-exceeds-max", "tiers.tiers[0].points")],
    "tier-shares": [("tier-shares", "tiers.tiers")],
    "tier-grade-unstated": [("tier-grade-unstated", "tiers")],
    "tier-grade-unknown": [("tier-grade-unknown", "tiers.grade_limits[1].grade")],
    "tier-grade-contradiction": [("tier-grade-contradiction", "sections[2].indicators[0].rule.effects.tier")],
    "basis-not-in-plan": [("basis-not-in-plan", "sections[0].indicators[0].basis[2]")],
    "reference-year-differs": [("reference-year-differs", "items[0].plausible.size.per")],
    "reference-year-mismatch": [("reference-year-mismatch", "reference_years.population_10k")],
}

WARNINGS = {"adjustment-cap-missing", "rule-exceeds-max", "rule-not-monotone", "item-unused",
            "task-excluded-and-covered", "tier-grade-unstated", "reference-year-differs"}


def findings(path: Path) -> list[tuple[str, str | None]]:
    """The flattened report: [(code, YAML path)]."""
    return [(p.code, p.path) for p in build_report(load_located(str(path))).findings]


def test_the_base_config_is_clean() -> None:
    assert findings(VALID) == []


def test_every_broken_config_has_an_expectation() -> None:
    assert {p.stem for p in LINT.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lint_finding(name: str) -> None:
    path = LINT / f"{name}.yaml"
    assert findings(path) == EXPECTED[name]
    for problem in build_report(load_located(str(path))).findings:
        assert problem.file == str(path) and problem.line is not None and problem.message
        expected = Severity.WARNING if problem.code in WARNINGS else Severity.ERROR
        assert problem.severity is expected, problem.code


def test_lint_lines_point_at_the_field() -> None:
    path = LINT / "veto-points.yaml"
    [problem] = build_report(load_located(str(path))).findings
    line = path.read_text(encoding="utf-8").splitlines()[problem.line - 1]  # type: ignore[operator]
    assert line.strip() == "points: 2"


def test_diff_against_a_draft_of_the_same_year() -> None:
    report = build_report(load_located(str(LINT / "weights-sum.yaml")), load_located(str(VALID)))
    assert report.diff is not None
    assert [(r.id, r.old_points, r.new_points) for r in report.diff.reweighted] == [("A1", 40, 45)]
    draft = build_report(load_located(str(VALID)), load_located(str(LINT / "rule-no-tasks.yaml")))
    assert draft.diff is not None
    assert [t.id for t in draft.diff.tasks_newly_covered] == []
    assert draft.diff.added == draft.diff.removed == []


def test_diff_across_years() -> None:
    report = build_report(load_located("2022"), load_located("2020"))
    d = report.diff
    assert d is not None and (d.old_year, d.new_year) == (2020, 2022)
    assert "行刑衔接机制建设" in {i.name for i in d.added}
    assert "行政处罚案件信息公开率" in {i.name for i in d.removed}
    assert any(r.name == "年度总结和数据报送及时性" and "deadline" in r.fields for r in d.rule_changed)
    assert d.tasks_newly_covered and all(t.id.startswith("2022-") for t in d.tasks_newly_covered)


# -- the command line ------------------------------------------------------------------------------

def test_cli_audit_clean_year() -> None:
    result = runner.invoke(app, ["audit", "2022"])
    assert result.exit_code == 0, result.output
    assert "审计通过" in result.output


def test_cli_audit_errors_exit_1_with_file_line() -> None:
    path = LINT / "weights-sum.yaml"
    result = runner.invoke(app, ["audit", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "weights-sum" in result.output
    warnings_only = runner.invoke(app, ["audit", str(LINT / "item-unused.yaml")])
    assert warnings_only.exit_code == 0, warnings_only.output


def test_cli_audit_prints_the_tier_rules_the_config_chose(tmp_path: Path) -> None:
    from handworked import config_variant

    def rules(*args: str) -> dict[str, dict[str, str]]:
        result = runner.invoke(app, ["audit", *args, "--json"])
        assert result.exit_code == 0, result.output
        return {r["field"]: r for r in json.loads(result.stdout)["rules"]}

    bundled = rules("2022")
    assert bundled["tiers.boundary_ties"]["value"] == "together_in_better"
    assert "一起列入较高一档" in bundled["tiers.boundary_ties"]["meaning"]
    assert bundled["tiers.demoted_slot"]["value"] == "keep"
    assert "仍占" in bundled["tiers.demoted_slot"]["meaning"]
    limits = "  grade_limits:\n    - {grade: 不合格, best: 第四档}\n"
    config = config_variant(tmp_path, {limits: limits + "  boundary_ties: together_in_worse\n"
                                                        "  demoted_slot: release\n"},
                            source=ROOT / "indicators" / "2022.yaml")
    chosen = rules(str(config))
    assert chosen["tiers.boundary_ties"]["value"] == "together_in_worse"
    assert "一起列入较低一档" in chosen["tiers.boundary_ties"]["meaning"]
    assert chosen["tiers.demoted_slot"]["value"] == "release"
    assert "不占名额" in chosen["tiers.demoted_slot"]["meaning"]
    # 2020 tiers by grade: the rank-share rules are printed as not applying
    assert "不适用" in rules("2020")["tiers.demoted_slot"]["meaning"]
    human = runner.invoke(app, ["audit", str(config)])
    # the table folds long cells over several lines rather than cutting them short
    assert "档次界线上的同分" in human.output and "together_in_wors" in human.output
    assert "…" not in human.output[human.output.index("本配置选择的规则"):]


def test_cli_audit_prints_what_a_ratio_gives_when_nothing_is_due(tmp_path: Path) -> None:
    from handworked import config_variant

    def chosen(*args: str) -> dict[str, str]:
        result = runner.invoke(app, ["audit", *args, "--json"])
        assert result.exit_code == 0, result.output
        return {r["field"]: r["value"] + "｜" + r["meaning"] for r in json.loads(result.stdout)["rules"]
                if r["field"].endswith("when_nothing_due")}

    # A7 行政执法案件办结率 (closed / opened) is 2022's only ratio of counts; it does not state a choice
    assert chosen("2022") == {"A7.rule.when_nothing_due": "full｜行政执法部门查处侵权假冒案件数为 0 时得满分"}
    assert set(chosen("2020")) == {"A10.rule.when_nothing_due", "B1.rule.when_nothing_due",
                                   "C2.rule.when_nothing_due"}
    floor = "          floor: 60\n"
    for choice, meaning in (("exclude", "本项不计入，按本部分其余指标折算"), ("zero", "得 0 分"),
                            ("missing", "按缺失处理（本指标 missing: zero）")):
        config = config_variant(tmp_path / choice, {floor: floor + f"          when_nothing_due: {choice}\n"},
                                source=ROOT / "indicators" / "2022.yaml")
        assert chosen(str(config)) == {
            "A7.rule.when_nothing_due": f"{choice}｜行政执法部门查处侵权假冒案件数为 0 时{meaning}"}


def test_cli_audit_prints_the_all_not_applicable_and_missing_policies(tmp_path: Path) -> None:
    from handworked import config_variant

    def rules(*args: str) -> dict[str, str]:
        result = runner.invoke(app, ["audit", *args, "--json"])
        assert result.exit_code == 0, result.output
        return {r["field"]: r["value"] + "｜" + r["meaning"] for r in json.loads(result.stdout)["rules"]
                if r["field"].endswith(("when_all_not_applicable", ".missing"))}

    chosen = rules(str(ROOT / "tests" / "data" / "scores" / "2030.yaml"))
    assert chosen["A1.rule.when_all_not_applicable"] == \
        "exclude｜所涉任务均不适用时本项不计入，按本部分其余指标折算"
    assert chosen["各指标.missing"].startswith("zero：A1、A2、A3、B1、B2、D1｜")
    config = config_variant(tmp_path, {"    rule: {kind: task_completion}\n":
                                       "    rule: {kind: task_completion, when_all_not_applicable: missing}\n"
                                       "    missing: flag\n"})
    chosen = rules(str(config))
    assert chosen["A1.rule.when_all_not_applicable"] == \
        "missing｜所涉任务均不适用时按缺失处理（本指标 missing: flag）"
    assert chosen["各指标.missing"].startswith("flag：A1；zero：A2、A3、B1、B2、D1｜")


def test_the_reference_data_year_is_stated_or_warned_about(tmp_path: Path) -> None:
    from handworked import config_variant

    def audited(reference: str) -> tuple[int, list[tuple[str, str]], dict[str, str]]:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        source = ROOT / "indicators" / "2022.yaml"
        stated = re.search(r"\nreference_years:.*\n(  .*\n)+", source.read_text(encoding="utf-8"))
        assert stated is not None  # what 2022.yaml states, replaced by the case's own
        config = config_variant(folder, {stated.group(0): "\n", "\nitems:\n": f"\n{reference}items:\n"},
                                source=source)
        result = runner.invoke(app, ["audit", str(config), "--json"])
        data = json.loads(result.stdout)
        rules = {r["field"]: r["value"] for r in data["rules"] if r["field"].startswith("reference_years")}
        return result.exit_code, [(f["code"], f["path"]) for f in data["findings"]], rules

    # unstated: units.yaml's 2020 census is used for 2022, and the audit says so
    code, found, rules = audited("")
    assert (code, found) == (0, [("reference-year-differs", "sections[0].indicators[7].rule.normalise")])
    assert rules == {"reference_years.population_10k": "未写明（units.yaml：2020）",
                     "reference_years.gdp_100m_yuan": "未写明（units.yaml：2022）"}
    # stated: the choice is written down, printed, and nothing is left to warn about
    code, found, rules = audited("reference_years: {population_10k: 2020, gdp_100m_yuan: 2022}\n")
    assert (code, found) == (0, [])
    assert rules == {"reference_years.population_10k": "2020", "reference_years.gdp_100m_yuan": "2022"}
    # stated, but units.yaml holds another year: an error, and scoring refuses the set
    code, found, _ = audited("reference_years: {population_10k: 2022}\n")
    assert (code, found) == (1, [("reference-year-mismatch", "reference_years.population_10k")])
    config = next(tmp_path.glob("2/2022.yaml"))
    (tmp_path / "in").mkdir()
    scored = runner.invoke(app, ["score", "2022", str(tmp_path / "in"), "--config", str(config),
                                 "-o", str(tmp_path / "out")])
    assert scored.exit_code == 1, scored.output
    said = "reference_years.population_10k 写明用 2022 年的常住人口，units.yaml 所载为 2020 年"
    assert said in scored.output
    assert not (tmp_path / "out").exists()


def test_cli_broken_yaml_has_no_traceback() -> None:
    result = runner.invoke(app, ["audit", str(DATA / "broken" / "syntax.yaml")])
    assert result.exit_code == 1
    assert "syntax.yaml:6" in result.output and "Traceback" not in result.output
    missing = runner.invoke(app, ["audit", "1999"])
    assert missing.exit_code == 1 and "文件不存在" in missing.output


def test_cli_json_report() -> None:
    result = runner.invoke(app, ["audit", "2022", "--against", "2020", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"findings", "sections", "coverage", "indicators", "diff"}
    assert data["errors"] == 0 and data["diff"]["old_year"] == 2020
    assert len(data["coverage"]) == 91
    broken = runner.invoke(app, ["audit", str(LINT / "band-gap.yaml"), "--json"])
    assert broken.exit_code == 1
    [finding] = json.loads(broken.output)["findings"]
    assert set(finding) >= {"code", "severity", "message", "file", "line", "path"}
    assert finding["code"] == "band-gap"


def test_cli_html_report(tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "2020", "--against", "2022", "-o", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "Noto Serif CJK SC" in html and "size: A4" in html
    assert "任务覆盖矩阵" in html and "2020-24" in html and "与 2022 年" in html
    assert "百分比格式的单元格按其存储值评分" in html
    escaped = runner.invoke(app, ["audit", str(LINT / "veto-target-unknown.yaml"), "-o", str(target)])
    assert escaped.exit_code == 1
    assert "审计未通过" in target.read_text(encoding="utf-8")


def test_audit_against_reports_every_rule_choice_that_differs(tmp_path: Path) -> None:
    from handworked import config_variant

    limits = "  grade_limits:\n    - {grade: 不合格, best: 第四档}\n"
    config = config_variant(tmp_path, {limits: limits + "  boundary_ties: together_in_worse\n",
                                       "\nranking:": "\nintake: {percent_cells: displayed}\nranking:"},
                            source=ROOT / "indicators" / "2022.yaml")
    result = runner.invoke(app, ["audit", str(config), "--against", "2022", "--json"])
    assert result.exit_code == 0, result.output
    changed = {c["field"]: (c["old"], c["new"]) for c in json.loads(result.stdout)["diff"]["choices_changed"]}
    assert changed == {"tiers.boundary_ties": ("together_in_better", "together_in_worse"),
                       "intake.percent_cells": ("stored", "displayed")}
    human = runner.invoke(app, ["audit", str(config), "--against", "2022"]).output
    assert ("规则选择变化：档次界线上的同分（tiers.boundary_ties）together_in_better → together_in_worse"
            in human)
    assert "规则选择变化：百分比格式的单元格（intake.percent_cells）stored → displayed" in human
    target = tmp_path / "audit.html"
    assert runner.invoke(app, ["audit", str(config), "--against", "2022", "-o", str(target)]).exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert "百分比格式的单元格（intake.percent_cells）：stored → displayed" in html
    assert "档次界线上的同分（tiers.boundary_ties）：together_in_better → together_in_worse" in html
    same = runner.invoke(app, ["audit", "2022", "--against", "2022", "--json"])
    assert json.loads(same.stdout)["diff"]["choices_changed"] == []


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["audit", "2022", "-o", str(tmp_path / "a.txt")]).exit_code == 2
    assert runner.invoke(app, ["audit"]).exit_code == 2


def test_cli_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads((ROOT / "indicators" / "schema.json").read_text("utf-8"))
    target = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "-o", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == (ROOT / "indicators" / "schema.json").read_text("utf-8")


def test_every_documented_code_has_a_broken_config() -> None:
    documented = set(re.findall(r"``([a-z]+(?:-[a-z]+)+)``", audit_module.__doc__ or ""))
    tested = {code for pairs in EXPECTED.values() for code, _ in pairs}
    assert documented == tested


def test_installed_command_smoke() -> None:
    command = Path(sys.executable).parent / "scoring"
    if not command.exists():
        pytest.skip("the scoring command is not installed next to this interpreter")
    done = subprocess.run([str(command), "audit", str(LINT / "weights-sum.yaml")], capture_output=True,
                          text=True, encoding="utf-8", check=False, timeout=60)
    assert done.returncode == 1
    assert "weights-sum" in done.stdout and "Traceback" not in done.stderr
