"""Problems as data: a stable code, a severity, a location and a Chinese message."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """How bad a problem is; errors stop the work, warnings and info do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.ERROR: "错误",
    Severity.WARNING: "警告",
    Severity.INFO: "提示",
}


class Problem(BaseModel):
    """One finding, located in a file (line or YAML path) or a workbook (sheet and cell)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None

    def where(self) -> str:
        """The location as one human-readable string (``file:line`` or ``sheet!cell``)."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"第 {self.line} 行")
        if self.path:
            parts.append(self.path)
        if self.sheet:
            parts.append(self.sheet if self.cell is None else f"{self.sheet}!{self.cell}")
        return " ".join(parts)

    def render(self) -> str:
        """The problem as one line of text: location, severity, message."""
        where = self.where()
        head = f"{where}: " if where else ""
        return f"{head}{SEVERITY_LABELS[self.severity]}[{self.code}] {self.message}"


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)


def escalate(problems: list[Problem]) -> list[Problem]:
    """Turn every warning into an error (``--strict``)."""
    return [
        p.model_copy(update={"severity": Severity.ERROR}) if p.severity is Severity.WARNING else p
        for p in problems
    ]
