"""Review of the task statuses units declared (审核调整), checked and exported with the engine's code.

A review is about one submitted version: ``adjust`` lowers a task's status, ``restore`` goes back
to what the unit declared, each with a reason. The reviews in force for a run are the latest of
each task whose version is the unit's accepted version. They are written in the very format that
``scoring score --adjustments`` reads (``scoring.scores.adjustments``), and each new review is
checked by ``check_adjustments`` against the unit's validated submission before it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import yaml

from scoring.errors import ConfigError
from scoring.indicators.rules.base import TaskStatus
from scoring.portal.store.models import TaskReview
from scoring.report.formatting import BEIJING
from scoring.scores.adjustments import Adjustment, AdjustmentFile, Adjustments, check_adjustments
from scoring.scores.models import SubmissionRef
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import Submission

ADJUST, RESTORE = "adjust", "restore"
# the statuses a review page offers; whether a review may be recorded is the engine's decision
# (``check_review`` → ``check_adjustments``), never this table's
LOWER = {TaskStatus.DONE: (TaskStatus.PARTLY, TaskStatus.NOT_STARTED),
         TaskStatus.PARTLY: (TaskStatus.NOT_STARTED,),
         TaskStatus.NOT_APPLICABLE: (TaskStatus.DONE, TaskStatus.PARTLY, TaskStatus.NOT_STARTED)}


def file_name(year: int) -> str:
    """The adjustments file of a run: ``adjustments-2022.yaml``."""
    return f"adjustments-{year}.yaml"


def choices(declared: TaskStatus | None) -> tuple[TaskStatus, ...]:
    """The statuses a reviewer may set for a task declared ``declared`` (none when it was not declared)."""
    return LOWER.get(declared, ()) if declared is not None else ()


def check_review(config: YearConfig, unit: str, submission: Submission, task: str, status: TaskStatus,
                 reason: str) -> list[str]:
    """Why this review cannot be recorded, in Chinese, as the engine checks an adjustments file
    (empty: it fits the unit's submission)."""
    records = AdjustmentFile(year=config.indicator_set.year, adjustments=[
        Adjustment(unit=unit, task=task, status=status, reason=reason)])
    try:
        source = SubmissionRef(file="审核调整", sha256="", size=0)
        check_adjustments(Adjustments(records=records, source=source), config, {unit: submission})
    except ConfigError as exc:
        return [p.message for p in exc.problems]
    return []


@dataclass(frozen=True)
class InForce:
    """A review that a run applies."""

    unit: str
    task: str
    declared: TaskStatus
    status: TaskStatus
    reason: str
    reviewer: str
    at: datetime


def in_force(reviews: Mapping[tuple[str, str], TaskReview], accepted: Mapping[str, int],
             reviewers: Mapping[int, str]) -> list[InForce]:
    """The latest review of each task of the accepted units that is about the accepted version."""
    out = []
    for (unit, task), row in sorted(reviews.items()):
        if accepted.get(unit) != row.version_id:
            continue
        out.append(InForce(unit=unit, task=task, declared=TaskStatus(row.declared),
                           status=TaskStatus(row.status), reason=row.reason,
                           reviewer=reviewers.get(row.account_id, ""), at=row.at))
    return out


def adjustments_yaml(year: int, items: list[InForce]) -> bytes:
    """The reviews as the adjustments file ``scoring score --adjustments`` reads."""
    records = AdjustmentFile(year=year, adjustments=[
        Adjustment(unit=i.unit, task=i.task, status=i.status, reason=i.reason, reviewer=i.reviewer or None,
                   at=i.at.astimezone(BEIJING).replace(microsecond=0)) for i in items])
    body = records.model_dump(mode="json", exclude_none=True)
    text = "# 审核调整记录：全国双打办对单位自报任务落实情况的调整（由考核报送系统导出）\n"
    text += yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)
    return text.encode("utf-8")
