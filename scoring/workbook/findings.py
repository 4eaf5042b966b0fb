"""Collecting a workbook's findings, and folding repeated ones about one area into one.

A list of 300 rows pasted below the data table is one problem, not 300: content outside the
tables is reported by area as it is found (``tables.report_outside``), and other findings of a
kind that is about an area of a sheet (not about one data item) are grouped when they touch,
into one finding whose cell is the area's range (``A25:E324``) and whose message says how many.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.problems import Problem, Severity
from scoring.workbook.reader import column_index, column_letters, split_ref
from scoring.workbook.values import shown

# kinds of finding about a stretch of cells rather than one item, task or field
AREA_CODES = frozenset({"row-extra", "column-extra", "merged-cells"})
# rows further apart than this start a new area
AREA_GAP_ROWS = 3


class Findings:
    """An ordered list of findings with a short way to add one."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: str, severity: Severity, message: str, sheet: str | None = None,
            cell: str | None = None, value: object = None) -> None:
        """Add one finding."""
        self.items.append(Problem(code=code, severity=severity, message=message, sheet=sheet,
                                  cell=cell, value=shown(value)))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add findings made elsewhere."""
        self.items.extend(problems)

    def errors(self) -> int:
        """How many errors so far."""
        return sum(p.severity is Severity.ERROR for p in self.items)


def _box(cell: str) -> tuple[int, int, int, int] | None:
    """(first column, first row, last column, last row) of ``D5`` or ``A2:C9``."""
    try:
        first, _, last = cell.partition(":")
        c1, r1 = split_ref(first)
        c2, r2 = split_ref(last) if last else (c1, r1)
    except ValueError:
        return None
    return column_index(c1), r1, column_index(c2), r2


def _merge(group: list[tuple[Problem, tuple[int, int, int, int]]]) -> Problem:
    first = group[0][0]
    if len(group) == 1:
        return first
    left = min(b[0] for _, b in group)
    top = min(b[1] for _, b in group)
    right = max(b[2] for _, b in group)
    bottom = max(b[3] for _, b in group)
    area = f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"
    return first.model_copy(update={
        "cell": area,
        "message": f"{first.message}（同类问题共 {len(group)} 处，位于 {area}）",
    })


def group_repeated(problems: list[Problem]) -> list[Problem]:
    """Area findings of one kind in one sheet that touch (rows at most ``AREA_GAP_ROWS`` apart)
    become one finding with their range; every other finding is kept as it is, in order."""
    groups: dict[tuple[str, Severity, str], list[list[tuple[Problem, tuple[int, int, int, int]]]]] = {}
    bottoms: dict[tuple[str, Severity, str], int] = {}  # the last row of each key's latest run
    slots: list[Problem | tuple[str, Severity, str]] = []
    for problem in problems:
        box = _box(problem.cell) if problem.cell else None
        if problem.code not in AREA_CODES or problem.sheet is None or box is None:
            slots.append(problem)
            continue
        key = (problem.code, problem.severity, problem.sheet)
        if key not in groups:
            groups[key] = []
            slots.append(key)
        runs = groups[key]
        if runs and box[1] - bottoms[key] <= AREA_GAP_ROWS:
            runs[-1].append((problem, box))
            bottoms[key] = max(bottoms[key], box[3])
        else:
            runs.append([(problem, box)])
            bottoms[key] = box[3]
    out: list[Problem] = []
    for slot in slots:
        if isinstance(slot, Problem):
            out.append(slot)
        else:
            out.extend(_merge(run) for run in groups[slot])
    return out
