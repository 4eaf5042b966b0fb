"""Gather a year's submissions from a folder: validate each, attribute it to a unit.

A file is attributed by the unit code in its hidden metadata, else by the six digits its name
starts with (so even a corrupt ``110000-北京.xlsx`` is reported against 北京). Two files for
one unit, or a file no unit can be found for, are reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scoring.problems import Problem, Severity
from scoring.workbook.submission import Submission
from scoring.workbook.validate import ConfigLoader, validate_submission

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
_CODE_PREFIX = re.compile(r"^(\d{6})")


@dataclass
class Collected:
    """Submissions by unit code, duplicates, and files no unit could be found for."""

    by_unit: dict[str, Submission] = field(default_factory=dict)
    duplicates: dict[str, list[Submission]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    read: list[tuple[Path, Submission]] = field(default_factory=list)


def workbook_files(folder: Path) -> list[Path]:
    """Candidate files in a folder, in name order (Office lock files and hidden files skipped)."""
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", "."))
    )


def collect(folder: Path, year: int, load_config: ConfigLoader, units: set[str],
            progress: object | None = None) -> Collected:
    """Validate every workbook in ``folder`` and attribute it to a unit."""
    result = Collected()
    for path in workbook_files(folder):
        submission = validate_submission(path, load_config, expected_year=year)
        result.read.append((path, submission))
        if callable(progress):
            progress(path)
        code = submission.unit_code
        if code is None or code not in units:
            prefix = _CODE_PREFIX.match(path.name)
            code = prefix[1] if prefix and prefix[1] in units else None
        if code is None:
            result.problems.append(Problem(
                code="file-unattributed", severity=Severity.WARNING, file=path.name,
                message="无法确定该文件属于哪个单位（模板信息缺失且文件名不以单位代码开头），已跳过"))
            continue
        if submission.unit_code is None:
            submission.unit_code = code
        if code in result.by_unit or code in result.duplicates:
            result.duplicates.setdefault(code, [result.by_unit.pop(code)] if code in result.by_unit else [])
            result.duplicates[code].append(submission)
            continue
        result.by_unit[code] = submission
    return result
