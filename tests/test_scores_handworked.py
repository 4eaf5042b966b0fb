"""A hand-worked example, end to end through `scoring score`: three units, every number by hand.

Config (tests/data/scores/2030.yaml), 100 points:
  A1 task completion 20 · A2 linear 2 per transferred case, cap 20 · A3 goalposts on cases opened 20
  B1 timeliness 20, deadline 2031-01-15, −2 per day late · B2 bands on disclosure rate:
     ≥ 95 → 20, [80, 95) → 10, < 80 → 0
  D  deduction: 3 per 通报, section cap 5 · V veto: major incident caps the grade at 不合格
  grades 优秀 ≥ 90, 合格 [60, 90), 不合格 < 60; tiers by score: 第一档 ≥ 80 (10 points), else 5.

北京 110000: tasks 已完成+evidence (1) and 部分完成 (0.5) → 20 × 1.5 / 2 = 15
             transferred 7 → 14 · opened 300 is the highest → 20          A = 49
             submitted 2031-01-14, on time → 20 · disclosure 96 % → 20    B = 40
             notified once → −3                                           total 86 → 合格, rank 1, 第一档
天津 120000: 已完成 without evidence (0.5), the other 不适用 (left out) → 20 × 0.5 / 1 = 10
             transferred 12 → 24, capped at 20 · opened 100 is the lowest → 0   A = 30
             submitted 2031-01-18, 3 days late → 20 − 6 = 14 · disclosure typed "85%" → 85 % → 10   B = 24
             notified twice → 6, capped at 5 → −5                         total 49 → 不合格, rank 2, 第二档
河北 130000: 未开展 (0) and 已完成+evidence (1) → 20 × 1 / 2 = 10
             transferred 0 → 0 · opened 200 → 20 × (200 − 100) / (300 − 100) = 10   A = 20
             on time → 20 · disclosure 70 % → 0                           B = 20
             no 通报; major incident → grade capped at 不合格             total 40 → 不合格, rank 3,
             and a vetoed unit goes to the last tier: 第二档
天津's workbook is valid; 上海 310000 sends a workbook with an error (not scored); everyone else is
missing.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT
from openpyxl import load_workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook import layout as L
from scoring.workbook.central_template import build_central_template
from scoring.workbook.filling import Filling, fill, value_cells
from scoring.workbook.template import build_template, workbook_bytes
from scoring.workbook.years import load_year_config

runner = CliRunner()

UNITS = {
    "110000": {"tasks": {"2030-01": ("已完成", "做法", "文件1"), "2030-02": ("部分完成", "做法", "文件2"),
                         "2030-03": ("已完成", "做法", "文件3")},
               "values": {"cases_opened": 300, "cases_transferred": 7, "disclosure_rate": 96},
               "central": {"submission_date": date(2031, 1, 14), "notified_count": 1,
                           "major_incident": "否"}},
    "120000": {"tasks": {"2030-01": ("已完成", "做法", None), "2030-02": ("不适用", None, None),
                         "2030-03": ("已完成", "做法", "文件3")},
               "values": {"cases_opened": 100, "cases_transferred": 12, "disclosure_rate": 0.85},
               "central": {"submission_date": date(2031, 1, 18), "notified_count": 2,
                           "major_incident": "否"}},
    "130000": {"tasks": {"2030-01": ("未开展", None, None), "2030-02": ("已完成", "做法", "文件2"),
                         "2030-03": ("已完成", "做法", "文件3")},
               "values": {"cases_opened": 200, "cases_transferred": 0, "disclosure_rate": 70},
               "central": {"submission_date": date(2031, 1, 10), "notified_count": 0,
                           "major_incident": "是"}},
}


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the hand-worked config, the real unit list and filled workbooks."""
    indicators = tmp_path / "indicators"
    (indicators / "tasks").mkdir(parents=True)
    shutil.copy(ROOT / "tests/data/scores/2030.yaml", indicators / "2030.yaml")
    shutil.copy(ROOT / "tests/data/scores/tasks/2030.yaml", indicators / "tasks/2030.yaml")
    shutil.copy(ROOT / "indicators/units.yaml", indicators / "units.yaml")
    monkeypatch.setenv("SCORING_ROOT", str(tmp_path))
    load_year_config.cache_clear()
    config = load_year_config(2030)
    assert config is not None
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for code, data in UNITS.items():
        wb = load_workbook(io.BytesIO(workbook_bytes(build_template(config.source, config.units[code]))))
        fill(wb, Filling(cover={"contact": "张三", "phone": "010-1", "filled_on": date(2031, 1, 5)},
                         tasks=data["tasks"], values=data["values"]))  # type: ignore[arg-type]
        if code == "120000":  # typed as "85%": Excel keeps 0.85 in a cell formatted as a percentage
            wb[L.DATA][value_cells(wb)["disclosure_rate"]].number_format = "0%"
        wb.save(inbox / f"{code}.xlsx")
    broken = load_workbook(io.BytesIO(workbook_bytes(build_template(config.source, config.units["310000"]))))
    broken.save(inbox / "310000.xlsx")  # nothing filled in: errors, so not scored
    units = sorted(config.units.values(), key=lambda u: u.code)
    central = load_workbook(io.BytesIO(workbook_bytes(build_central_template(config.source, units))))
    ws = central[L.CENTRAL]
    columns = {ws.cell(L.CENTRAL_CODE_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    for row in range(L.CENTRAL_FIRST_ROW, ws.max_row + 1):
        code = ws.cell(row, 1).value
        for item, value in UNITS.get(code, {}).get("central", {}).items():  # type: ignore[attr-defined]
            ws.cell(row, columns[item], value)
    central.save(tmp_path / "central.xlsx")
    yield tmp_path
    load_year_config.cache_clear()


def test_hand_worked_scores(project: Path) -> None:
    result = runner.invoke(app, ["score", "2030", str(project / "inbox"), "--central",
                                 str(project / "central.xlsx"), "-o", str(project / "out"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    units = {u["code"]: u for u in report["units"]}
    points = {code: {i: v["points"] for i, v in units[code]["indicators"].items()} for code in UNITS}
    assert points["110000"] == {"A1": 15, "A2": 14, "A3": 20, "B1": 20, "B2": 20, "D1": 3, "V1": 0}
    assert points["120000"] == {"A1": 10, "A2": 20, "A3": 0, "B1": 14, "B2": 10, "D1": 5, "V1": 0}
    assert points["130000"] == {"A1": 10, "A2": 0, "A3": 10, "B1": 20, "B2": 0, "D1": 0, "V1": 0}
    expected = {"110000": (49, 40, 3, 86, "合格", 1, "第一档", 10),
                "120000": (30, 24, 5, 49, "不合格", 2, "第二档", 5),
                "130000": (20, 20, 0, 40, "不合格", 3, "第二档", 5)}
    for code, (a, b, d, total, grade, rank, tier, tier_points) in expected.items():
        unit = units[code]
        assert unit["sections"] == {"A": a, "B": b, "D": d}
        assert (unit["total"], unit["grade"], unit["rank"], unit["tier"], unit["tier_points"]) == (
            total, grade, rank, tier, tier_points)
        assert unit["status"] == "scored"
    assert [v["indicator"] for v in units["130000"]["vetoes"]] == ["V1"]
    assert units["310000"]["status"] == "not_scored" and units["310000"]["total"] is None
    assert units["440000"]["status"] == "missing"
    assert [u["code"] for u in report["units"][:3]] == ["110000", "120000", "130000"]


def test_explanations_name_their_cells(project: Path) -> None:
    runner.invoke(app, ["score", "2030", str(project / "inbox"), "--central", str(project / "central.xlsx"),
                        "-o", str(project / "out")])
    report = json.loads((project / "out" / "scores.json").read_text(encoding="utf-8"))
    beijing = next(u for u in report["units"] if u["code"] == "110000")
    b2 = beijing["indicators"]["B2"]
    assert b2["inputs"] == [{"item": "disclosure_rate", "name": "案件信息公开率", "value": 96,
                             "sheet": "工作数据", "cell": "D4", "file": None}]
    assert "工作数据!D4" in b2["explanation"] and "20" in b2["explanation"]
    assert "中央记录!" in beijing["indicators"]["B1"]["explanation"]
    tianjin = next(u for u in report["units"] if u["code"] == "120000")
    assert any(f["code"] == "normalised-percent-format" for f in tianjin["findings"])


def test_same_inputs_give_byte_identical_scores(project: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        result = runner.invoke(app, ["score", "2030", str(project / "inbox"), "--central",
                                     str(project / "central.xlsx"), "-o", str(project / name)])
        assert result.exit_code == 0, result.output
        outputs.append(((project / name / "scores.json").read_bytes(),
                        (project / name / "ranking.xlsx").read_bytes()))
    assert outputs[0] == outputs[1]
    manifest = json.loads((project / "a" / "manifest.json").read_text(encoding="utf-8"))
    roles = sorted(entry["role"] for entry in manifest["inputs"])
    assert manifest["generated_at"]
    assert roles == ["catalogue", "central", "config", *["submission"] * 4, "units"]
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"] + manifest["outputs"])


def test_ranking_workbook(project: Path) -> None:
    runner.invoke(app, ["score", "2030", str(project / "inbox"), "--central", str(project / "central.xlsx"),
                        "-o", str(project / "out")])
    wb = load_workbook(project / "out" / "ranking.xlsx")
    assert wb.sheetnames == ["总表", "A 日常工作成效", "B 报送信息数据", "D 扣分项目"]
    summary = wb["总表"]  # a title row and a note above the header row (row 3)
    assert summary.freeze_panes == "D4"
    headers = [c.value for c in summary[3]]
    assert headers[:9] == ["名次", "单位代码", "单位", "地区", "区内名次", "总分", "等次", "档次",
                           "平安建设得分"]
    first = [c.value for c in summary[4]]
    assert first[:3] == [1, "110000", "北京市"] and first[5] == 86
    assert summary.cell(4, 6).number_format.startswith("0.00")
    statuses = [summary.cell(r, headers.index("状态") + 1).value for r in range(4, summary.max_row + 1)]
    assert statuses.count("已评分") == 3 and statuses.count("未评分") == 1 and statuses.count("未报送") == 28
    section_a = wb["A 日常工作成效"]
    assert [c.value for c in section_a[4]][:4] == [1, "110000", "北京市", 49]
