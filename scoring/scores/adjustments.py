"""Review adjustments (审核调整): a reviewer lowers (or restores) a task status a unit declared.

An adjustment is kept apart from the unit's upload and enters scoring as a recorded input: the
portal stores them, ``scoring score … --adjustments FILE`` reads the same records from a file::

    schema_version: 1
    year: 2022
    adjustments:
      - unit: "310000"
        task: 2022-1.1.1
        status: 部分完成          # the status after review
        reason: 佐证材料只有通知，未见落实情况
        reviewer: 审核员甲        # optional
        at: 2023-01-20T10:00:00+08:00   # optional

Each (unit, task) appears at most once. A status may only be lowered (已完成 → 部分完成 → 未开展) or
left as declared (a restore); 不适用 may be changed to any status. Adjustments are checked against
the units' validated submissions; anything that does not fit is a located problem, never ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field

from scoring.errors import ConfigError
from scoring.indicators.items import Strict
from scoring.indicators.rules.base import TaskState, TaskStatus
from scoring.problems import Problem, Severity
from scoring.scores.models import SubmissionRef
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import Submission
from scoring.yamlfile import decode_text, model_from_text

_ORDER = {TaskStatus.NOT_STARTED: 0, TaskStatus.PARTLY: 1, TaskStatus.DONE: 2}


class Adjustment(Strict):
    """One task of one unit, with the status a reviewer set and why."""

    unit: str = Field(pattern=r"^\d{6}$", description="单位代码")
    task: str = Field(min_length=1, description="任务编号")
    status: TaskStatus = Field(description="审核后的落实情况")
    reason: str = Field(min_length=1, description="调整理由")
    reviewer: str | None = None
    at: datetime | None = None


class AdjustmentFile(Strict):
    """A year's review adjustments."""

    schema_version: Literal[1] = 1
    year: int
    adjustments: list[Adjustment] = Field(default_factory=list)

    def by_unit(self) -> dict[str, dict[str, Adjustment]]:
        """Adjustments by unit code, then task id."""
        out: dict[str, dict[str, Adjustment]] = {}
        for item in self.adjustments:
            out.setdefault(item.unit, {})[item.task] = item
        return out


class Adjustments(Strict):
    """Adjustments read from a file, and the file they came from (for scores.json)."""

    records: AdjustmentFile
    source: SubmissionRef


def read_adjustments(data: bytes, path: Path) -> Adjustments:
    """Parse an adjustments file (YAML or JSON) read from ``path``; broken files raise
    ``ConfigError`` with file:line. scores.json names the file by its name only."""
    records = model_from_text(decode_text(data, path), str(path), AdjustmentFile)
    return Adjustments(records=records, source=SubmissionRef(
        file=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data)))


def _problem(name: str, index: int, message: str) -> Problem:
    return Problem(code="adjustment-invalid", severity=Severity.ERROR, file=name,
                   path=f"adjustments[{index}]", message=message)


def check_adjustments(adjustments: Adjustments, config: YearConfig,
                      submissions: Mapping[str, Submission]) -> None:
    """Raise ``ConfigError`` listing every adjustment that does not fit the year's submissions."""
    name = adjustments.source.file
    records = adjustments.records
    problems: list[Problem] = []
    if records.year != config.indicator_set.year:
        wanted = config.indicator_set.year
        problems.append(Problem(code="adjustment-invalid", severity=Severity.ERROR, file=name, path="year",
                                message=f"是 {records.year} 年度的审核调整，不是 {wanted} 年度的"))
    assessed = {t.id for t in config.source.assessed_tasks()}
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(records.adjustments):
        key = (item.unit, item.task)
        if key in seen:
            problems.append(_problem(name, index, f"单位 {item.unit} 的任务 {item.task} 重复调整"))
        seen.add(key)
        if item.unit not in config.units:
            problems.append(_problem(name, index, f"单位代码 {item.unit} 不是考核单位"))
            continue
        if item.task not in assessed:
            problems.append(_problem(name, index, f"任务 {item.task} 不是本年度考核的任务"))
            continue
        submission = submissions.get(item.unit)
        if submission is None:
            continue  # the unit is not scored: the adjustment is recorded but has nothing to apply to
        report = submission.tasks.get(item.task)
        declared = report.status if report is not None else None
        unit_name = config.units[item.unit].name
        if declared is None:
            problems.append(_problem(name, index, f"{unit_name}未填报任务 {item.task} 的落实情况，"
                                                  "无可调整的自报状态"))
        elif (declared is not TaskStatus.NOT_APPLICABLE and item.status is TaskStatus.NOT_APPLICABLE) or (
                declared in _ORDER and item.status in _ORDER and _ORDER[item.status] > _ORDER[declared]):
            problems.append(_problem(
                name, index, f"{unit_name}任务 {item.task} 自报{declared.value}，"
                             f"审核调整只能降低或恢复，不能改为{item.status.value}"))
    if problems:
        raise ConfigError(f"{name}: 审核调整有 {len(problems)} 处问题", problems)


def apply(tasks: dict[str, TaskState], adjustments: Mapping[str, Adjustment]) -> dict[str, TaskState]:
    """The unit's task states after review: each adjusted task keeps what was declared and why."""
    out = dict(tasks)
    for task_id, item in adjustments.items():
        before = tasks.get(task_id)
        if before is None:
            continue
        out[task_id] = TaskState(status=item.status, evidence=before.evidence, declared=before.status,
                                 reason=item.reason)
    return out
