"""Findings as a page shows them: grouped by sheet in workbook order, errors before warnings."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.problems import SEVERITY_LABELS, Problem, Severity
from scoring.workbook import layout as L

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SHEET_LABELS = {L.META: "模板信息（隐藏工作表）", L.LISTS: "下拉列表（隐藏工作表）"}


@dataclass(frozen=True)
class ShownFinding:
    """One finding as a table row."""

    severity: str
    label: str
    code: str
    cell: str
    value: str
    message: str


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one sheet (or of the file as a whole)."""

    title: str
    errors: int
    warnings: int
    items: list[ShownFinding]


def _sheet_key(sheet: str | None) -> tuple[int, str]:
    if sheet is None:
        return (0, "")
    order = (*L.VISIBLE_SHEETS, L.META, L.LISTS, L.CENTRAL)
    return (1 + order.index(sheet), sheet) if sheet in order else (len(order) + 1, sheet)


def group_findings(findings: list[Problem]) -> list[FindingGroup]:
    """Findings grouped by sheet (the file itself first), each group errors → warnings → notes."""
    sheets = sorted({f.sheet for f in findings}, key=_sheet_key)
    groups = []
    for sheet in sheets:
        mine = sorted((f for f in findings if f.sheet == sheet), key=lambda f: _SEVERITY_ORDER[f.severity])
        title = "整个文件" if sheet is None else _SHEET_LABELS.get(sheet, f"工作表“{sheet}”")
        groups.append(FindingGroup(
            title=title,
            errors=sum(f.severity is Severity.ERROR for f in mine),
            warnings=sum(f.severity is Severity.WARNING for f in mine),
            items=[ShownFinding(severity=f.severity.value, label=SEVERITY_LABELS[f.severity], code=f.code,
                                cell=f.cell or "", value=f.value or "", message=f.message) for f in mine]))
    return groups


def _shown(f: Problem) -> ShownFinding:
    where = "！".join(part for part in (f.file, f.sheet, f.cell) if part)
    return ShownFinding(severity=f.severity.value, label=SEVERITY_LABELS[f.severity], code=f.code,
                        cell=where, value=f.value or "", message=f.message)


def run_findings(units: list[tuple[str, list[Problem]]], stray: list[Problem]) -> list[FindingGroup]:
    """Every finding of a run, one group per unit (units without findings left out), then the
    files no unit could be found for; each group errors → warnings → notes."""
    groups = []
    for title, findings in [*units, ("未归属任何单位的文件", stray)]:
        if not findings:
            continue
        mine = sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])
        groups.append(FindingGroup(
            title=title, errors=sum(f.severity is Severity.ERROR for f in mine),
            warnings=sum(f.severity is Severity.WARNING for f in mine), items=[_shown(f) for f in mine]))
    return groups
