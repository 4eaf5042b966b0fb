"""Fill a generated template as a provincial office would: cover, task rows, data values.

Used by the sample generator and by tests; cells are found by the codes in column A, so a filled
workbook keeps the template's layout exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook

from scoring.workbook import layout as L

CellInput = str | int | float | bool | date | None


@dataclass
class Filling:
    """What to write: cover fields, task reports by task id, cell values by item code."""

    cover: dict[str, CellInput] = field(default_factory=dict)
    tasks: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    values: dict[str, CellInput] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _rows(wb: Workbook, sheet: str, column: str) -> dict[str, int]:
    ws = wb[sheet]
    return {str(ws[f"{column}{row}"].value): row for row in range(L.FIRST_ROW, ws.max_row + 1)
            if ws[f"{column}{row}"].value is not None}


def fill(wb: Workbook, filling: Filling) -> Workbook:
    """Write ``filling`` into a template workbook opened with openpyxl (in place)."""
    cover = wb[L.COVER]
    for key, value in filling.cover.items():
        cover[L.cover_cell(key)] = value
    tasks = wb[L.TASKS]
    task_rows = _rows(wb, L.TASKS, L.TASK_ID_COL)
    for task_id, (status, practice, evidence) in filling.tasks.items():
        row = task_rows[task_id]
        tasks[f"{L.TASK_STATUS_COL}{row}"] = status
        tasks[f"{L.TASK_PRACTICE_COL}{row}"] = practice
        tasks[f"{L.TASK_EVIDENCE_COL}{row}"] = evidence
    data = wb[L.DATA]
    item_rows = _rows(wb, L.DATA, L.DATA_CODE_COL)
    for code, value in filling.values.items():
        data[f"{L.DATA_VALUE_COL}{item_rows[code]}"] = value
    for code, note in filling.notes.items():
        data[f"{L.DATA_NOTE_COL}{item_rows[code]}"] = note
    return wb


def value_cells(wb: Workbook) -> Mapping[str, str]:
    """Each item code's value cell (``D5``) in a template."""
    return {code: f"{L.DATA_VALUE_COL}{row}" for code, row in _rows(wb, L.DATA, L.DATA_CODE_COL).items()}
