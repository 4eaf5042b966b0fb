"""``intake.percent_cells``: a ratio in a cell formatted as a percentage, read by its stored or its
displayed value, through validation and the pipeline.

The 2030 hand-worked config (see test_scores_ties.py): B2 gives 20 points at 95 % disclosed and
10 at 80 %. 北京's office computed its rate with a formula and Excel stored 0.94996 in the value
cell, formatted "0.0%", so the sheet shows 95.0 %:

  percent_cells       read as     B2
  stored (default)    94.996 %    10 (below 95: a warning on the cell says it shows 95.0 %)
  displayed           95 %        20 (a note on the cell gives the stored 94.996 %)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from handworked import SMALL_UNITS, UnitData, config_variant, published_2030, scored_units, write_inputs
from openpyxl import load_workbook

from scoring.pipeline import load_year_files
from scoring.workbook import layout as L
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_submission

RANKING = "ranking:\n  ties: competition\n"
CENTRAL = {"submission_date": date(2031, 1, 14), "notified_count": 0, "major_incident": "否"}
UNITS = {"110000": UnitData({"cases_transferred": 5, "cases_opened": 100, "disclosure_rate": 50}, CENTRAL),
         "120000": UnitData({"cases_transferred": 5, "cases_opened": 100, "disclosure_rate": 96}, CENTRAL)}


def _as_excel_computes_it(path: Path) -> None:
    """The rate cell as an office's formula leaves it: 0.94996 stored, shown through "0.0%"."""
    wb = load_workbook(path)
    ws = wb[L.DATA]
    row = next(r for r in range(1, ws.max_row + 1) if "disclosure_rate" in [c.value for c in ws[r]])
    cell = next(c for c in ws[row] if c.value == 50)
    cell.value = 0.94996
    cell.number_format = "0.0%"
    wb.save(path)


def run(tmp_path: Path, choice: str | None) -> tuple[Submission, dict[str, dict[str, object]]]:
    stated = "" if choice is None else f"intake: {{percent_cells: {choice}}}\n"
    config = config_variant(tmp_path / "config", {RANKING: RANKING + stated})
    inbox, central = write_inputs(tmp_path, 2030, UNITS, config=config)
    _as_excel_computes_it(inbox / "110000.xlsx")
    files = load_year_files(2030, config, SMALL_UNITS)
    checked = validate_submission(inbox / "110000.xlsx", lambda y: files.config if y == 2030 else None)
    return checked, scored_units(published_2030(config, inbox, central, tmp_path / "out"))


@pytest.mark.parametrize(("choice", "read", "b2", "code", "severity", "says"), [
    (None, 94.996, 10, "percent-display-differs", "warning", "按存储值评分"),
    ("stored", 94.996, 10, "percent-display-differs", "warning", "按存储值评分"),
    ("displayed", 95, 20, "percent-displayed", "info", "按显示值评分"),
])
def test_a_percent_cell_is_read_as_the_config_says(tmp_path: Path, choice: str | None, read: float, b2: float,
                                                   code: str, severity: str, says: str) -> None:
    checked, units = run(tmp_path, choice)
    value = checked.values["disclosure_rate"]
    assert value.value == pytest.approx(read)
    notes = [f for f in checked.findings if f.cell == value.cell and f.sheet == value.sheet]
    assert [(f.code, f.severity) for f in notes] == [(code, severity)]
    assert "单元格显示为 95.0%，存储值为 94.996%" in notes[0].message and says in notes[0].message
    assert checked.valid
    indicator = units["110000"]["indicators"]["B2"]
    assert indicator["points"] == b2


def test_the_explanation_never_prints_the_stored_value_on_the_boundary(tmp_path: Path) -> None:
    _, units = run(tmp_path, None)
    explanation = str(units["110000"]["indicators"]["B2"]["explanation"])
    assert "94.996% 在 80%–95% 之间" in explanation and " 95% 在" not in explanation
