"""The central office's own records of a year: reviews of declared task statuses (审核调整) and
versions of the central records (通报, 约谈, 挂牌督办 …). Both tables are append-only; what is in
force is the latest row (per unit and task; per year)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.portal.store.models import CentralRecord, TaskReview


def task_reviews(db: Session, year: int, unit_code: str) -> list[TaskReview]:
    """Every review of a unit's tasks in ``year``, oldest first."""
    return list(db.scalars(select(TaskReview)
                           .where(TaskReview.year == year, TaskReview.unit_code == unit_code)
                           .order_by(TaskReview.task_id, TaskReview.seq)))


def reviews_in_force(db: Session, year: int) -> dict[tuple[str, str], TaskReview]:
    """The latest review of each (unit, task) in ``year``."""
    latest: dict[tuple[str, str], TaskReview] = {}
    for row in db.scalars(select(TaskReview).where(TaskReview.year == year)
                          .order_by(TaskReview.unit_code, TaskReview.task_id, TaskReview.seq)):
        latest[(row.unit_code, row.task_id)] = row
    return latest


def add_task_review(db: Session, year: int, unit_code: str, task_id: str, *, action: str, version_id: int,
                    declared: str, status: str, reason: str, at: datetime, account_id: int) -> TaskReview:
    """Record a review numbered after the task's last one; a concurrent review makes the flush fail."""
    seq = (db.scalar(select(func.max(TaskReview.seq)).where(
        TaskReview.year == year, TaskReview.unit_code == unit_code, TaskReview.task_id == task_id)) or 0) + 1
    row = TaskReview(year=year, unit_code=unit_code, task_id=task_id, seq=seq, action=action,
                     version_id=version_id, declared=declared, status=status, reason=reason, at=at,
                     account_id=account_id)
    db.add(row)
    db.flush()
    return row


def central_history(db: Session, year: int) -> list[CentralRecord]:
    """Every version of the year's central records, newest first."""
    return list(db.scalars(select(CentralRecord).where(CentralRecord.year == year)
                           .order_by(CentralRecord.number.desc())))


def central_in_force(db: Session, year: int) -> CentralRecord | None:
    """The newest version of the year's central records, or None before the first."""
    return db.scalar(select(CentralRecord).where(CentralRecord.year == year)
                     .order_by(CentralRecord.number.desc()).limit(1))


def add_central_record(db: Session, year: int, *, source: str, values_json: str, warnings: int, at: datetime,
                       account_id: int, unit_code: str | None = None, blob_sha256: str | None = None,
                       file_name: str | None = None, after_number: int) -> CentralRecord:
    """Record the next version after ``after_number``; a concurrent change makes the flush fail."""
    row = CentralRecord(year=year, number=after_number + 1, source=source, unit_code=unit_code,
                        blob_sha256=blob_sha256, file_name=file_name, values=values_json, warnings=warnings,
                        at=at, account_id=account_id)
    db.add(row)
    db.flush()
    return row
