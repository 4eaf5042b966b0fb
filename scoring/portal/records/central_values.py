"""The central office's records in the portal: one value per unit and central data item.

They are stored as JSON (``{unit: {item: value}}``, a date as YYYY-MM-DD). A unit that submitted
through the portal never has a typed submission date: the date (Beijing) of its latest submit is
put in whenever the central workbook is generated (``with_submit_dates``), so the workbook a run
reads is exactly what ``scoring.workbook.central_template.central_workbook`` builds from the
stored values and the submit times. A form edit is checked by generating that workbook with the
edited values and running the same validator as an uploaded central workbook, keeping the
findings of the edited unit's row. Nothing here decides whether a value is valid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.units import Unit
from scoring.problems import Problem
from scoring.report.formatting import chinese_date
from scoring.workbook.central_template import CentralValue, central_workbook
from scoring.workbook.source import TemplateSource
from scoring.workbook.submission import Submission

SUBMISSION_DATE = "submission_date"

Values = dict[str, dict[str, CentralValue]]


def values_json(values: Mapping[str, Mapping[str, CentralValue]]) -> str:
    """Stored form: sorted keys, dates as ISO text."""
    def plain(value: CentralValue) -> object:
        return value.isoformat() if isinstance(value, date) else value

    return json.dumps({unit: {item: plain(v) for item, v in sorted(items.items())}
                       for unit, items in sorted(values.items())}, ensure_ascii=False, sort_keys=True)


def parse_values(text: str, items: list[DataItem]) -> Values:
    """Stored JSON back to values (dates of date items as dates)."""
    kinds = {i.code: i.kind for i in items}
    raw: dict[str, dict[str, object]] = json.loads(text) if text else {}
    out: Values = {}
    for unit, row in raw.items():
        values: dict[str, CentralValue] = {}
        for code, value in row.items():
            if kinds.get(code) is ItemKind.DATE and isinstance(value, str):
                try:
                    values[code] = date.fromisoformat(value)
                    continue
                except ValueError:
                    pass
            values[code] = value  # type: ignore[assignment]
        out[unit] = values
    return out


def from_submission(submission: Submission) -> Values:
    """The values a validated central workbook holds."""
    return {unit: {code: item.value for code, item in row.items()}
            for unit, row in submission.central.items()}


def with_submit_dates(values: Mapping[str, Mapping[str, CentralValue]],
                      submitted: Mapping[str, date]) -> Values:
    """The values with each portal-submitted unit's submission date set to its submit date."""
    out: Values = {unit: dict(row) for unit, row in values.items()}
    for unit, day in submitted.items():
        out.setdefault(unit, {})[SUBMISSION_DATE] = day
    return out


def workbook(source: TemplateSource, units: Mapping[str, Unit],
             values: Mapping[str, Mapping[str, CentralValue]], submitted: Mapping[str, date]) -> bytes:
    """The central workbook a run reads: the stored values with the portal's submit dates."""
    ordered = sorted(units.values(), key=lambda u: u.code)
    return central_workbook(source, ordered, with_submit_dates(values, submitted))


def form_value(item: DataItem, raw: str) -> CentralValue:
    """A typed form field as a workbook cell would hold it: numbers as numbers, ISO dates as
    dates, anything else as the text typed (which the validator then reports)."""
    text = raw.strip()
    if not text:
        return None
    if item.kind in (ItemKind.COUNT, ItemKind.AMOUNT, ItemKind.RATIO):
        for parse in (int, float):
            try:
                return parse(text)
            except ValueError:
                continue
        return text
    if item.kind is ItemKind.DATE:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def edited(values: Mapping[str, Mapping[str, CentralValue]], unit: str,
           new: Mapping[str, CentralValue]) -> Values:
    """The records after one unit's row is replaced by ``new``."""
    out: Values = {code: dict(row) for code, row in values.items()}
    out[unit] = dict(new)
    return out


def unit_findings(submission: Submission, unit: str) -> list[Problem]:
    """The findings about one unit's row of a validated central workbook."""
    cells = {item.cell for item in submission.central.get(unit, {}).values() if item.cell}
    return [f for f in submission.findings if f.cell in cells]


def by_item(submission: Submission, unit: str, findings: list[Problem]) -> dict[str, list[Problem]]:
    """Findings of a unit's row by the item whose cell they name."""
    items = {value.cell: code for code, value in submission.central.get(unit, {}).items() if value.cell}
    out: dict[str, list[Problem]] = {}
    for problem in findings:
        out.setdefault(items.get(problem.cell or "", ""), []).append(problem)
    return out


def blank_counts(values: Mapping[str, Mapping[str, CentralValue]], units: list[str],
                 items: list[DataItem]) -> dict[str, int]:
    """How many central items each unit has no value for."""
    return {unit: sum(values.get(unit, {}).get(i.code) is None for i in items) for unit in units}


def shown(value: CentralValue) -> str:
    """A value as a page shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return chinese_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
