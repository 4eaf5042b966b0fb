"""Builders for hand-worked scoring examples: a small config, a small unit list, filled workbooks.

The worked examples in ``test_scores_*.py`` fill real templates (built from the config, exactly as
provinces receive them) with values chosen so every point can be derived by hand, then score them
through the pipeline's public entry points.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from conftest import ROOT
from openpyxl import load_workbook

from scoring.pipeline import PipelineRequest, load_year_files, run_pipeline
from scoring.workbook import layout as L
from scoring.workbook.central_template import build_central_template
from scoring.workbook.filling import CellInput, Filling, fill
from scoring.workbook.template import build_template, workbook_bytes

DATA = ROOT / "tests" / "data" / "scores"
CONFIG_2030 = DATA / "2030.yaml"
SMALL_UNITS = DATA / "units.yaml"
COVER: dict[str, CellInput] = {"contact": "张三", "phone": "010-1", "filled_on": date(2031, 1, 5)}
ALL_DONE = {t: ("已完成", "做法", "文件") for t in ("2030-01", "2030-02", "2030-03")}


@dataclass
class UnitData:
    """What one unit reports (task rows, data values) and what the central office records for it."""

    values: dict[str, CellInput]
    central: dict[str, CellInput]
    tasks: dict[str, tuple[str | None, str | None, str | None]] = field(
        default_factory=lambda: dict(ALL_DONE))


def config_variant(folder: Path, replacements: Mapping[str, str], source: Path = CONFIG_2030) -> Path:
    """A copy of ``source`` (with its catalogue beside it) where each key, found exactly once, is
    replaced by its value."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (folder / "tasks").mkdir(parents=True, exist_ok=True)
    shutil.copy(source.parent / "tasks" / f"{source.stem[:4]}.yaml", folder / "tasks")
    target = folder / source.name
    target.write_text(text, encoding="utf-8")
    return target


def write_inputs(folder: Path, year: int, units: Mapping[str, UnitData], *, config: Path | None = None,
                 unit_list: Path = SMALL_UNITS) -> tuple[Path, Path]:
    """Filled workbooks for ``units`` in ``folder/inbox`` and the central records in
    ``folder/central.xlsx``; returns both paths."""
    files = load_year_files(year, config, unit_list)
    source, known = files.config.source, files.config.units
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for code, data in units.items():
        wb = load_workbook(io.BytesIO(workbook_bytes(build_template(source, known[code]))))
        fill(wb, Filling(cover=dict(COVER), tasks=data.tasks, values=data.values))
        wb.save(inbox / f"{code}.xlsx")
    central = load_workbook(io.BytesIO(workbook_bytes(
        build_central_template(source, sorted(known.values(), key=lambda u: u.code)))))
    ws = central[L.CENTRAL]
    columns = {ws.cell(L.CENTRAL_CODE_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    for row in range(L.CENTRAL_FIRST_ROW, ws.max_row + 1):
        data = units.get(str(ws.cell(row, 1).value))
        for item, value in (data.central if data else {}).items():
            ws.cell(row, columns[item], value)
    central_path = folder / "central.xlsx"
    central.save(central_path)
    return inbox, central_path


def published_2030(config: Path, inbox: Path, central: Path, out: Path) -> dict[str, Any]:
    """The scores.json the pipeline publishes for 2030 from these inputs and the small unit list."""
    result = run_pipeline(PipelineRequest(year=2030, input_dir=inbox, output=out, central=central,
                                          config=config, units=SMALL_UNITS))
    report: dict[str, Any] = json.loads((result.output / "scores.json").read_text(encoding="utf-8"))
    return report


def scored_units(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's scored units by code."""
    return {u["code"]: u for u in report["units"] if u["status"] == "scored"}
