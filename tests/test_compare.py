"""scoring compare: the same inputs under two configs; one unit's change checked by hand."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from scoring.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "sample_inputs" / "2022"
CENTRAL = ROOT / "sample_inputs" / "central-2022.xlsx"
CONFIG_A = ROOT / "indicators" / "2022.yaml"


def test_one_units_change_matches_a_hand_computation(tmp_path: Path) -> None:
    text = CONFIG_A.read_text(encoding="utf-8")
    old_rule = "rule: {kind: linear, items: [info_reports_adopted], points_per: 0.5}"
    assert text.count(old_rule) == 1
    config_b = tmp_path / "2022-b.yaml"
    config_b.write_text(text.replace(old_rule, old_rule.replace("0.5}", "0.25}")), encoding="utf-8")
    scored = runner.invoke(app, ["score", "2022", str(INPUTS), "--central", str(CENTRAL),
                                 "-o", str(tmp_path / "a")])
    assert scored.exit_code == 0, scored.output
    report_a = json.loads((tmp_path / "a" / "scores.json").read_text(encoding="utf-8"))

    result = runner.invoke(app, ["compare", "2022", str(CONFIG_A), str(config_b), "--inputs", str(INPUTS),
                                 "--central", str(CENTRAL), "--json", "-o", str(tmp_path / "比较.xlsx")])
    assert result.exit_code == 0, result.output
    units = {u["code"]: u for u in json.loads(result.output[result.output.index("{"):])["units"]}
    assert len(units) == 32
    unit = next(u for u in report_a["units"] if u["status"] == "scored" and not u["vetoes"]
                and u["indicators"]["C4"]["points"] > 0)
    c4 = unit["indicators"]["C4"]
    adopted = next(i["value"] for i in c4["inputs"] if i["item"] == "info_reports_adopted")
    by_hand = Decimal(str(unit["total_exact"] - c4["points"] + min(5.0, adopted * 0.25)))
    total_b = float(by_hand.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    row = units[unit["code"]]
    assert row["total_a"] == unit["total"]
    assert row["total_b"] == total_b
    assert row["total_change"] == round(total_b - unit["total"], 2)
    assert row["drivers"][0]["indicator"] == "C4"
    assert set(row) == {"code", "name", "total_a", "total_b", "total_change", "rank_a", "rank_b",
                        "rank_change", "grade_a", "grade_b", "tier_a", "tier_b", "drivers"}
    moved = [u["grade_a"] != u["grade_b"] or u["tier_a"] != u["tier_b"] for u in units.values()]
    assert moved == sorted(moved, reverse=True)
    sheet = load_workbook(tmp_path / "比较.xlsx").active
    assert sheet is not None and sheet["B1"].value == "单位"
