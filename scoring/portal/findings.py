"""Findings as a page shows them: every error first (across sheets, in workbook order), then the
warnings, then the notes; each with where it is, what was typed, what is wrong and what to do. Codes
stay out of the page (they are in the JSON); a deleted row is named by its Chinese name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.problems import SEVERITY_LABELS, Problem, Severity, kind
from scoring.workbook import layout as L
from scoring.workbook.source import TemplateSource

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_GROUP_TITLES = {Severity.ERROR: "错误（必须修改）", Severity.WARNING: "警告（请核对）",
                 Severity.INFO: "提示"}
_SHEET_LABELS = {L.META: "模板信息（隐藏工作表）", L.LISTS: "下拉列表（隐藏工作表）"}
# findings whose value is a row's hidden code, not something the person typed
_HIDDEN_CODE_VALUE = {"row-missing", "row-extra", "row-code-missing"}


@dataclass(frozen=True)
class ShownFinding:
    """One finding as a table row."""

    severity: str
    label: str
    code: str
    cell: str
    value: str
    message: str
    fix: str = ""


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one severity (or, for a run, of one unit)."""

    title: str
    errors: int
    warnings: int
    items: list[ShownFinding]


def _sheet_key(sheet: str | None) -> tuple[int, str]:
    if sheet is None:
        return (0, "")
    order = (*L.VISIBLE_SHEETS, L.META, L.LISTS, L.CENTRAL)
    return (1 + order.index(sheet), sheet) if sheet in order else (len(order) + 1, sheet)


def _fix(code: str) -> str:
    try:
        return kind(code).fix
    except KeyError:
        return ""


def _named(f: Problem, names: Mapping[str, str]) -> tuple[str, str]:
    """The message and the typed value of a finding, a row's hidden code replaced by its name."""
    if f.code not in _HIDDEN_CODE_VALUE or not f.value:
        return f.message, f.value or ""
    name = names.get(f.value)
    message = f.message.replace(f"“{f.value}”", f"“{name}”") if name else f.message
    return message, ""


def row_names(source: TemplateSource) -> dict[str, str]:
    """The Chinese name of every row code a workbook of the year hides: data items and tasks."""
    names = {i.code: i.name for i in source.province_items()}
    names.update({t.id: f"{t.id} {t.title}" for t in source.assessed_tasks()})
    return names


def group_findings(findings: list[Problem], names: Mapping[str, str] | None = None) -> list[FindingGroup]:
    """Findings by severity, errors first; within each, in workbook order (the file itself first).
    ``names`` gives the Chinese name of a row's hidden code (data items, tasks)."""
    names = names or {}
    groups = []
    for severity in sorted(_SEVERITY_ORDER, key=_SEVERITY_ORDER.__getitem__):
        mine = sorted((f for f in findings if f.severity is severity), key=lambda f: _sheet_key(f.sheet))
        if not mine:
            continue
        items = []
        for f in mine:
            sheet = "整个文件" if f.sheet is None else _SHEET_LABELS.get(f.sheet, f"“{f.sheet}”")
            message, value = _named(f, names)
            items.append(ShownFinding(severity=f.severity.value, label=SEVERITY_LABELS[f.severity],
                                      code=f.code, cell=f"{sheet} {f.cell}" if f.cell else sheet, value=value,
                                      message=message, fix=_fix(f.code)))
        groups.append(FindingGroup(title=_GROUP_TITLES[severity],
                                   errors=len(mine) if severity is Severity.ERROR else 0,
                                   warnings=len(mine) if severity is Severity.WARNING else 0, items=items))
    return groups


def _shown(f: Problem) -> ShownFinding:
    where = "！".join(part for part in (f.file, f.sheet, f.cell) if part)
    return ShownFinding(severity=f.severity.value, label=SEVERITY_LABELS[f.severity], code=f.code,
                        cell=where, value=f.value or "", message=f.message, fix=_fix(f.code))


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
