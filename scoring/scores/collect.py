"""Gather a year's submissions from a folder: every entry read or reported, each given to a unit.

Every entry of the folder is accounted for: a workbook is validated; anything else (a folder
named ``x.xlsx``, a pipe, ``.ods``/``.et``/``.xls``/``.pdf``, a file without read permission) is
"validated" into its own findings, so one bad entry never stops the others. Office lock files
and hidden files are listed as ignored. A file belongs to the unit its content names (hidden
metadata and cover), else to the six digits its name starts with (so even a corrupt
``110000-北京.xlsx`` is reported against 北京). When name and content disagree, the file is
an error told to both units and credited to neither. A unit with one recognised workbook and
other files beside it is scored from the workbook, with a warning about the rest; two
recognised workbooks for one unit are reported, never guessed. A file no unit can be found
for is reported with its own findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scoring.problems import Problem, Severity
from scoring.workbook import layout as L
from scoring.workbook.submission import Submission
from scoring.workbook.validate import ConfigLoader, add_previous_year_findings, validate_submission

_CODE_PREFIX = re.compile(r"^(\d{6})")
_IGNORED = {"~$": "Office 临时锁定文件（文件正在被编辑时自动生成）", ".": "隐藏文件"}


@dataclass(frozen=True)
class FileRecord:
    """One entry of the input folder: its submission (None when ignored) and its units."""

    path: Path
    submission: Submission | None
    unit_code: str | None = None
    """The unit it was counted for: the one its content names, else its name's prefix; none when
    name and content disagree."""
    name_unit: str | None = None
    """The unit whose code the file name starts with."""
    content_unit: str | None = None
    """The unit its hidden metadata and cover name."""

    @property
    def name_mismatch(self) -> bool:
        """File name and content name different units."""
        return bool(self.name_unit and self.content_unit and self.name_unit != self.content_unit)


@dataclass
class Collected:
    """Submissions by unit code, duplicates, every file's record, and findings not tied to one
    file's unit (stray files, ignored entries) or about a unit another file was counted for."""

    by_unit: dict[str, Submission] = field(default_factory=dict)
    duplicates: dict[str, list[Submission]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    unit_findings: dict[str, list[Problem]] = field(default_factory=dict)

    def findings_for(self, code: str) -> list[Problem]:
        """Findings about ``code`` that came from files counted elsewhere (e.g. a file named for
        this unit that holds another unit's submission)."""
        return list(self.unit_findings.get(code, []))


def input_entries(folder: Path) -> list[Path]:
    """Every entry of the folder, in name order."""
    return sorted(folder.iterdir())


def _ignored(path: Path) -> str | None:
    return next((why for prefix, why in _IGNORED.items() if path.name.startswith(prefix)), None)


def workbook_files(folder: Path) -> list[Path]:
    """The entries collection reads (every entry but Office lock files and hidden files)."""
    return [p for p in input_entries(folder) if _ignored(p) is None]


def _recognised(submission: Submission) -> bool:
    """A workbook made from one of the system's templates (it carries the template metadata)."""
    return submission.read is not None and submission.indicator_sha256 is not None


def _unit_name(code: str, names: Mapping[str, str]) -> str:
    return names.get(code, code)


def _mismatch(record: FileRecord, names: Mapping[str, str], result: Collected) -> None:
    """A file named for one unit that holds another's submission: an error on the file, told to
    both units, and the file credited to neither."""
    assert record.submission is not None and record.name_unit and record.content_unit
    file = record.path.name
    named, holds = _unit_name(record.name_unit, names), _unit_name(record.content_unit, names)
    error = Problem(
        code="submission-unit-mismatch", severity=Severity.ERROR, file=file,
        message=f"文件“{file}”以{named}的代码命名，但内容（封面和模板信息）是{holds}的报送；"
                f"该文件不计入{named}，也不计入{holds}。请核对文件是否放错或命名有误")
    record.submission.findings = [*record.submission.findings, error]
    result.problems.append(error)
    result.unit_findings.setdefault(record.name_unit, []).append(error)
    result.unit_findings.setdefault(record.content_unit, []).append(error)


def _set_aside(kept: Submission, other: Submission) -> Problem:
    errors = [f for f in other.findings if f.severity is Severity.ERROR]
    why = errors[0].message if errors else "与本单位的报送工作簿重复"
    return Problem(code="file-not-used", severity=Severity.WARNING, file=other.file,
                   message=f"同一单位的另一文件“{other.file}”未使用（已读取“{kept.file}”）：{why}")


def _assign(candidates: dict[str, list[Submission]], result: Collected) -> None:
    for code, subs in candidates.items():
        recognised = [s for s in subs if _recognised(s)]
        if len(subs) == 1:
            result.by_unit[code] = subs[0]
        elif len(recognised) == 1:
            kept = recognised[0]
            kept.findings = [*kept.findings, *(_set_aside(kept, s) for s in subs if s is not kept)]
            result.by_unit[code] = kept
        else:
            result.duplicates[code] = subs
    for code, extra in result.unit_findings.items():
        if code in result.by_unit:  # the unit's own file is scored; another unit's error only told
            submission = result.by_unit[code]
            submission.findings = [*submission.findings, *(_told(f) for f in extra)]


def _told(problem: Problem) -> Problem:
    """Another file's error, as a warning on a unit whose own submission is scored."""
    if problem.severity is not Severity.ERROR:
        return problem
    return problem.model_copy(update={"code": "submission-unit-mismatch-elsewhere",
                                      "severity": Severity.WARNING})


def collect(folder: Path, year: int, load_config: ConfigLoader, units: set[str],
            progress: Callable[[Path], None] | object | None = None, *,
            previous: Mapping[str, Mapping[str, float]] | None = None) -> Collected:
    """Validate every entry of ``folder`` and attribute each to a unit.

    ``previous`` holds each unit's previous-year figures (unit code → item code → value), for
    the warning on figures that changed more than the item's ``previous_factor``.
    """
    result = Collected()
    config = load_config(year)
    names = {code: unit.name for code, unit in config.units.items()} if config else {}
    candidates: dict[str, list[Submission]] = {}
    for path in input_entries(folder):
        why = _ignored(path)
        if why is not None:
            result.files.append(FileRecord(path=path, submission=None))
            result.problems.append(Problem(code="file-ignored", severity=Severity.INFO, file=path.name,
                                           message=f"已忽略：{why}"))
            continue
        submission = validate_submission(path, load_config, expected_year=year)
        if callable(progress):
            progress(path)
        prefix = _CODE_PREFIX.match(path.name)
        name_unit = prefix[1] if prefix and prefix[1] in units else None
        content_unit = submission.unit_code if submission.unit_code in units else None
        mismatch = bool(name_unit and content_unit and name_unit != content_unit)
        code = None if mismatch else content_unit or name_unit
        record = FileRecord(path=path, submission=submission, unit_code=code, name_unit=name_unit,
                            content_unit=content_unit)
        result.files.append(record)
        if record.name_mismatch:
            _mismatch(record, names, result)
            continue
        if code is None:
            central = submission.unit_code == L.CENTRAL_UNIT
            result.problems.append(Problem(
                code="file-unattributed", severity=Severity.WARNING, file=path.name,
                message="这是全国办中央记录工作簿，不是单位报送，已跳过（请用 --central 指定）" if central
                else "无法确定该文件属于哪个单位（不是本系统的报送模板，文件名也不以单位代码开头），已跳过"))
            result.problems.extend(f.model_copy(update={"file": path.name}) for f in submission.findings
                                   if f.severity is not Severity.INFO and not central)
            continue
        if submission.unit_code is None:
            submission.unit_code = code
        if previous is not None and config is not None and code in previous:
            add_previous_year_findings(submission, config, previous[code])
        candidates.setdefault(code, []).append(submission)
    _assign(candidates, result)
    return result
