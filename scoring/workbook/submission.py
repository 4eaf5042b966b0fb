"""What validation returns: the unit's values and task reports with their cells, and every finding."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from scoring.indicators.rules.base import TaskStatus
from scoring.problems import Problem, Severity


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemValue(Strict):
    """A data item's value (None = blank) and the cell it came from."""

    code: str
    value: float | int | bool | date | str | None
    sheet: str
    cell: str | None


class TaskReport(Strict):
    """A unit's report on one task: status, what was done, the evidence named, and the row."""

    task_id: str
    status: TaskStatus | None
    practice: str | None = None
    evidence: str | None = None
    sheet: str
    cell: str | None


class Submission(Strict):
    """One validated workbook."""

    file: str
    sha256: str
    size: int
    year: int | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    indicator_sha256: str | None = None
    contact: dict[str, str | None] = Field(default_factory=dict)
    values: dict[str, ItemValue] = Field(default_factory=dict)
    tasks: dict[str, TaskReport] = Field(default_factory=dict)
    central: dict[str, dict[str, ItemValue]] = Field(
        default_factory=dict, description="a central-office workbook: values by unit, then item")
    findings: list[Problem] = Field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No errors (warnings and info allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def findings_json(self) -> list[dict[str, object]]:
        """The contracted JSON: each finding's code, severity, sheet, cell, value and message,
        with the unit, year and the file's SHA-256."""
        return [
            {"code": f.code, "severity": f.severity.value, "sheet": f.sheet, "cell": f.cell,
             "value": f.value, "message": f.message, "unit": self.unit_code, "year": self.year,
             "sha256": self.sha256}
            for f in self.findings
        ]
