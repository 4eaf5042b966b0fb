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


class ReadSummary(Strict):
    """What was read from a workbook that could be opened: how many task reports and data values."""

    tasks: int = 0
    values: int = 0
    central_units: int = 0


class Submission(Strict):
    """One validated workbook.

    ``read`` is set once the workbook's sheets were read (None: the file was refused before,
    see the findings). ``sha256`` is of the bytes read; empty when the file could not be read.
    """

    file: str
    sha256: str
    size: int
    read: ReadSummary | None = None
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

    def count(self, severity: Severity) -> int:
        """How many findings of this severity."""
        return sum(f.severity is severity for f in self.findings)

    def summary_text(self) -> str:
        """One Chinese line: what was read and how many errors and warnings were found."""
        who = self.unit_name or (f"单位 {self.unit_code} " if self.unit_code else "未知单位")
        year = f" {self.year} 年度" if self.year else ""
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        verdict = (f"{errors} 个错误、{warnings} 个警告" if errors or warnings else "未发现问题")
        if self.read is None:
            return f"未能读取文件“{self.file}”：{verdict}"
        if self.central:
            return f"已读取全国办中央记录{year}：{self.read.central_units} 个单位，{verdict}"
        return (f"已读取{who}{year}报送：{self.read.tasks} 项任务、{self.read.values} 项数据，{verdict}")

    def findings_json(self) -> list[dict[str, object]]:
        """The contracted JSON: each finding's code, severity, sheet, cell, value and message,
        with the unit, year and the file's SHA-256."""
        return [
            {"code": f.code, "severity": f.severity.value, "sheet": f.sheet, "cell": f.cell,
             "value": f.value, "message": f.message, "unit": self.unit_code, "year": self.year,
             "sha256": self.sha256}
            for f in self.findings
        ]
