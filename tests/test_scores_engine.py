"""What the engine hands each rule and writes for each indicator (scores/engine.py), worked by hand.

The 2030 config with these changes: A2 ranks the units on cases transferred (linear, blanks
flagged), A3 is per 万人 of population, B2 is left out of B when blank, both those items are
optional, 通报 counts have no unit of measure, and the veto V1 zeroes D and the total. Three units
of tests/data/scores/units.yaml (population in 万人: 北京 2189.31, 天津 1386.60, 河北 7461.02),
all on time (B1 = 20):

  北京 110000: tasks 已完成+材料, 部分完成+材料, 不适用 → A1 = 20 × 1.5 / 2 = 15
               transferred blank → A2 0, flagged for review
               opened 218931 = 100 per 万人; lowest 50 (天津), highest 200 (河北)
               → A3 = 20 × (100 − 50) / (200 − 50) = 6.667
               disclosure 96 % → B2 20                     A 21.667, B 40, total 61.67 (合格), rank 1
  天津 120000: tasks 未开展, 已完成 without 材料 (0.5), 已完成+材料 → A1 = 20 × 0.5 / 2 = 5 (A1 reads
               2030-01 and 2030-02 only); transferred 3, second of the 2 that reported → A2 0
               opened 69330 = 50 per 万人 → A3 0; disclosure blank → B2 left out, B = 20 × 40 / 20;
               notified once → D 3                         A 5, B 40, total 42 (不合格), rank 2
  河北 130000: all 已完成+材料 → A1 20; transferred 10, first of 2 → A2 20;
               opened 1492204 = 200 per 万人 → A3 20; disclosure 85 % → B2 10; a major incident:
               the veto zeroes the total (and D)           A 60, B 30, total 0 (不合格), ranked last: 3
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from handworked import SMALL_UNITS, UnitData, config_variant, published_2030, write_inputs

from scoring.pipeline import load_year_files
from scoring.scores.engine import UnitInputs, YearScorer
from scoring.workbook.submission import Submission

CLEAN = {"submission_date": date(2031, 1, 14), "notified_count": 0, "major_incident": "否"}
VARIANT = {
    "rule: {kind: linear, items: [cases_transferred], points_per: 2}":
        "rule: {kind: rank, item: cases_transferred}\n    missing: flag",
    "rule: {kind: goalposts, item: cases_opened}":
        "rule: {kind: goalposts, item: cases_opened, normalise: population}",
    "    name: 信息公开\n": "    name: 信息公开\n    missing: exclude\n",
    "kind: count, min: 0}\n- {code: disclosure_rate":
        "kind: count, min: 0, required: false}\n- {code: disclosure_rate",
    "kind: ratio, min: 0, max: 100}": "kind: ratio, min: 0, max: 100, required: false}",
    "name: 被通报次数, unit: 次,": "name: 被通报次数,",
    "sections: [], total: keep, rank: last}": "sections: [D], total: zero, rank: last}",
}
UNITS = {
    "110000": UnitData({"cases_opened": 218931, "disclosure_rate": 96}, CLEAN,
                       tasks={"2030-01": ("已完成", "做法", "文件"), "2030-02": ("部分完成", "做法", "文件"),
                              "2030-03": ("不适用", None, None)}),
    "120000": UnitData({"cases_opened": 69330, "cases_transferred": 3}, {**CLEAN, "notified_count": 1},
                       tasks={"2030-01": ("未开展", None, None), "2030-02": ("已完成", "做法", None),
                              "2030-03": ("已完成", "做法", "文件")}),
    "130000": UnitData({"cases_opened": 1492204, "cases_transferred": 10, "disclosure_rate": 85},
                       {**CLEAN, "major_incident": "是"}),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("engine")
    config = config_variant(folder / "config", VARIANT)
    return (config, *write_inputs(folder, 2030, UNITS, config=config))


def _units(inputs: tuple[Path, Path, Path], out: Path) -> dict[str, dict[str, Any]]:
    return {u["code"]: u for u in published_2030(*inputs, out)["units"]}


def test_points_sections_and_totals(inputs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    units = _units(inputs, tmp_path)
    points = {code: {i: round(v["points"], 4) for i, v in units[code]["indicators"].items()}
              for code in UNITS}
    assert points == {
        "110000": {"A1": 15, "A2": 0, "A3": 6.6667, "B1": 20, "B2": 20, "D1": 0, "V1": 0},
        "120000": {"A1": 5, "A2": 0, "A3": 0, "B1": 20, "B2": 0, "D1": 3, "V1": 0},
        "130000": {"A1": 20, "A2": 20, "A3": 20, "B1": 20, "B2": 10, "D1": 0, "V1": 0}}
    summary = {code: (round(u["sections"]["A"], 4), u["sections"]["B"], u["sections"]["D"], u["total"],
                      u["grade"], u["rank"]) for code, u in units.items() if code in UNITS}
    assert summary == {"110000": (21.6667, 40, 0, 61.67, "合格", 1), "120000": (5, 40, 3, 42, "不合格", 2),
                       "130000": (60, 30, 0, 0, "不合格", 3)}
    assert [units[code]["submission"]["file"] for code in UNITS] == [
        "110000.xlsx", "120000.xlsx", "130000.xlsx"]
    vetoes = units["130000"]["vetoes"]
    effect = ("D 部分得分清零；总分计 0 分；等次最高为不合格；名次列于所有未被否决的单位之后；"
              "列最后一档，不占档次比例")
    assert vetoes == [{"indicator": "V1", "name": "重大事件", "effect": effect,
                       "explanation": f"发生重大事件（中央记录!E5）：是，触发一票否决：{effect}",
                       "zero_total": True, "zero_sections": ["D"], "grade_cap": "不合格", "tier": "last",
                       "rank": "last"}]
    assert units["110000"]["vetoes"] == [] and units["130000"]["tier"] == "第二档"
    flags = {(code, i) for code in UNITS for i, v in units[code]["indicators"].items()
             if v["excluded"] or v["flagged"]}
    assert flags == {("110000", "A2"), ("120000", "B2")}
    a2, b2 = units["110000"]["indicators"]["A2"], units["120000"]["indicators"]["B2"]
    assert (a2["flagged"], a2["excluded"], b2["flagged"], b2["excluded"]) == (True, False, False, True)


def test_explanations_name_the_cells_they_read(inputs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    units = _units(inputs, tmp_path)
    beijing = {i: v["explanation"] for i, v in units["110000"]["indicators"].items()}
    # 中央记录: one row per unit from row 3 in code order (北京 first), items from column C
    assert beijing == {
        "A1": "2 项任务完成度合计 1.5，20 × 1.5 / 2 = 15 分",  # A1 reads 2030-01 and 2030-02 only
        "A2": "移送案件数（工作数据!D3） 未填报，按缺失处理；数据缺失，已标记待核",
        "A3": "查处案件数（工作数据!D2）（每万人） 100，全部单位最低 50、最高 200，"
              "20 × (100 − 50) / (200 − 50) = 6.67 分",
        "B1": "报送日期（中央记录!C3） 2031-01-14，未超过截止日期 2031-01-15，得满分 20 分",
        "B2": "案件信息公开率（工作数据!D4） 96% ≥ 95%，得满分 20 分",
        "D1": "无相关记录；计 0 分",
        "V1": "发生重大事件（中央记录!E3）：无，不触发一票否决",
    }
    tianjin = units["120000"]["indicators"]
    assert tianjin["D1"]["explanation"] == "被通报次数（中央记录!D4） 1：1 × 3 = 3 分"  # no unit to show
    assert tianjin["A2"]["explanation"] == (
        "移送案件数（工作数据!D3） 3，在 2 个单位中排第 2 名，20 × (2 − 2) / (2 − 1) = 0 分")
    assert tianjin["B2"]["explanation"] == (
        "案件信息公开率（工作数据!D4） 未填报，按缺失处理；本项不计入，所在部分按其余指标折算")
    assert tianjin["A1"]["explanation"] == (
        "2 项任务完成度合计 0.5，20 × 0.5 / 2 = 5 分；1 项无佐证材料，按最高 50% 计")
    assert units["130000"]["indicators"]["B1"]["explanation"].startswith("报送日期（中央记录!C5） ")
    assert units["110000"]["indicators"]["A3"]["inputs"] == [
        {"item": "cases_opened", "name": "查处案件数", "value": 218931, "sheet": "工作数据", "cell": "D2",
         "file": None}]
    assert units["110000"]["indicators"]["A2"]["inputs"] == [
        {"item": "cases_transferred", "name": "移送案件数", "value": None, "sheet": "工作数据", "cell": "D3",
         "file": None}]
    assert units["110000"]["indicators"]["A1"]["inputs"] == []


def test_task_tallies_by_plan_section(inputs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    units = _units(inputs, tmp_path)
    tally = {code: units[code]["tasks"] for code in UNITS}
    one = {"section": "一", "title": "测试部分"}
    assert tally == {
        "110000": [{**one, "done": 1, "partly": 1, "not_started": 0, "not_applicable": 1, "missing": 0}],
        "120000": [{**one, "done": 2, "partly": 0, "not_started": 1, "not_applicable": 0, "missing": 0}],
        "130000": [{**one, "done": 3, "partly": 0, "not_started": 0, "not_applicable": 0, "missing": 0}]}


def test_tasks_not_assessed_are_not_tallied() -> None:
    # 2022: a unit that reported no task status has every assessed task (and only those) missing,
    # in the plan section each belongs to
    files = load_year_files(2022, None, SMALL_UNITS)
    config = files.config
    assessed = {t.id for t in config.source.assessed_tasks()}
    expected = []
    for section in config.plan.sections:
        count = sum(1 for t in section.tasks if t.id in assessed)
        if count:
            expected.append((section.label, count))
    assert 0 < sum(c for _, c in expected) < sum(len(s.tasks) for s in config.plan.sections)
    empty = Submission(file="x.xlsx", sha256="0" * 64, size=1)
    scorer = YearScorer(config, {"110000": UnitInputs(config.units["110000"], empty, {})})
    _, unit = scorer.outcomes("110000")
    assert [(t.section, t.missing, t.done + t.partly + t.not_started + t.not_applicable)
            for t in unit.tasks] == [(label, count, 0) for label, count in expected]
