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


class ProblemKind(BaseModel):
    """One catalogued problem code: its usual severity, Chinese name, message template and 处理办法."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    severity: Severity
    title: str
    fix: str
    template: str | None = None

    def message(self, **fields: object) -> str:
        """The message rendered from the template with the call site's values."""
        if self.template is None:
            raise ValueError(f"problem code {self.code} has no message template")
        return self.template.format(**fields)


def kind(code: str) -> ProblemKind:
    """The catalogue entry of ``code``; an uncatalogued code is a programming error."""
    from scoring.problem_codes import CATALOGUE

    return CATALOGUE[code]


def make(code: str, severity: Severity | None = None, **where_and_fields: object) -> Problem:
    """A problem of catalogued ``code`` whose message is rendered from the catalogue's template.

    Location keywords (``file``, ``sheet``, ``cell``, ``value``, ``line``, ``path``) place the
    problem; every other keyword is a value for the template.
    """
    place = {k: where_and_fields.pop(k) for k in ("file", "line", "path", "sheet", "cell", "value")
             if k in where_and_fields}
    entry = kind(code)
    return Problem(code=code, severity=severity or entry.severity, message=entry.message(**where_and_fields),
                   **place)
