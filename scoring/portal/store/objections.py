"""Feedback periods and objections (issue 22): append-only rows, read back as each objection's state.

An objection's state follows from its one closing event (none: still lodged). A province reaches
objections only through its ``UnitScope``; the central office reads them by year or feedback.
The year's objections and answers are also written, deterministically, as ``objections-YEAR.json``
among a run's inputs (``objections_json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.portal.store.models import (
    Blob,
    Feedback,
    Objection,
    ObjectionEvent,
    ObjectionFile,
    Publication,
    PublicationObjection,
    Run,
)
from scoring.portal.store.submissions import UnitScope, store_blob
from scoring.portal.workflow import ObjectionState

SUBJECT_KINDS = {"indicator": "指标", "task": "任务"}
STATE_LABELS = {ObjectionState.LODGED: "待答复", ObjectionState.WITHDRAWN: "已撤回",
                ObjectionState.ACCEPTED: "采纳", ObjectionState.REJECTED: "不予采纳"}


def file_name(year: int) -> str:
    """The objections file among a run's inputs."""
    return f"objections-{year}.json"


# —— feedback periods ——


def feed_back(db: Session, run: Run, deadline: date, at: datetime, account_id: int) -> Feedback:
    """Feed ``run`` back until ``deadline`` (flushed); a second time collides on a unique key."""
    row = Feedback(run_id=run.id, year=run.year, deadline=deadline, at=at, account_id=account_id)
    db.add(row)
    db.flush()
    return row


def feedback_of(db: Session, run_id: int) -> Feedback | None:
    """The feedback of a run, if it was fed back."""
    return db.scalar(select(Feedback).where(Feedback.run_id == run_id))


def year_feedbacks(db: Session, year: int) -> list[Feedback]:
    """The year's feedback periods, newest first."""
    return list(db.scalars(select(Feedback).where(Feedback.year == year).order_by(Feedback.id.desc())))


def get_feedback(db: Session, feedback_id: int) -> Feedback | None:
    """A feedback period by id."""
    return db.get(Feedback, feedback_id)


# —— objections ——


@dataclass(frozen=True)
class ObjectionView:
    """An objection with its files and the event that closed it (if any)."""

    objection: Objection
    files: list[ObjectionFile]
    closed: ObjectionEvent | None

    @property
    def state(self) -> ObjectionState:
        return ObjectionState(self.closed.action) if self.closed else ObjectionState.LODGED

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def _views(db: Session, objections: list[Objection]) -> list[ObjectionView]:
    ids = [o.id for o in objections]
    if not ids:
        return []
    files: dict[int, list[ObjectionFile]] = {}
    for item in db.scalars(select(ObjectionFile).where(ObjectionFile.objection_id.in_(ids))
                           .order_by(ObjectionFile.objection_id, ObjectionFile.seq)):
        files.setdefault(item.objection_id, []).append(item)
    events = {e.objection_id: e for e in db.scalars(select(ObjectionEvent).where(ObjectionEvent.objection_id
                                                                                 .in_(ids)))}
    return [ObjectionView(o, files.get(o.id, []), events.get(o.id)) for o in objections]


def lodge(scope: UnitScope, feedback: Feedback, *, subject_kind: str, subject_id: str, subject_label: str,
          reason: str, at: datetime, account_id: int,
          attachment: tuple[str, str, str, bytes] | None = None) -> Objection:
    """A new objection of the scope's unit (flushed), with its file (name, media type, SHA-256, bytes)."""
    row = Objection(feedback_id=feedback.id, year=feedback.year, unit_code=scope.unit_code,
                    subject_kind=subject_kind, subject_id=subject_id, subject_label=subject_label[:500],
                    reason=reason, at=at, account_id=account_id)
    scope.db.add(row)
    scope.db.flush()
    if attachment is not None:
        name, media_type, sha256, data = attachment
        store_blob(scope.db, sha256, data, at)
        scope.db.add(ObjectionFile(objection_id=row.id, seq=1, blob_sha256=sha256, file_name=name,
                                   media_type=media_type, size=len(data)))
        scope.db.flush()
    return row


def unit_objections(scope: UnitScope) -> list[ObjectionView]:
    """The scope's unit's objections of its year, oldest first."""
    rows = scope.db.scalars(select(Objection).where(Objection.year == scope.year,
                                                    Objection.unit_code == scope.unit_code)
                            .order_by(Objection.id))
    return _views(scope.db, list(rows))


def own_objection(scope: UnitScope, objection_id: int) -> ObjectionView | None:
    """One of the unit's objections (another unit's is None, like one that does not exist)."""
    row = scope.db.scalar(select(Objection).where(Objection.id == objection_id,
                                                  Objection.unit_code == scope.unit_code))
    return None if row is None else _views(scope.db, [row])[0]


def objection(db: Session, objection_id: int) -> ObjectionView | None:
    """Any objection, for the central office."""
    row = db.get(Objection, objection_id)
    return None if row is None else _views(db, [row])[0]


def year_objections(db: Session, year: int, feedback_id: int | None = None) -> list[ObjectionView]:
    """The year's objections (of one feedback period when given), oldest first."""
    query = select(Objection).where(Objection.year == year)
    if feedback_id is not None:
        query = query.where(Objection.feedback_id == feedback_id)
    return _views(db, list(db.scalars(query.order_by(Objection.id))))


def close(db: Session, objection_id: int, action: ObjectionState, text: str, at: datetime, account_id: int,
          correction: str | None = None) -> ObjectionEvent:
    """Close an objection (withdrawn or answered), once: a second event collides on a unique key."""
    row = ObjectionEvent(objection_id=objection_id, action=action.value, text=text, correction=correction,
                         at=at, account_id=account_id)
    db.add(row)
    db.flush()
    return row


def own_file(scope: UnitScope, file_id: int) -> tuple[ObjectionFile, bytes] | None:
    """A file of one of the unit's objections with its bytes, or None."""
    query = (select(ObjectionFile, Blob.data).join(Objection, Objection.id == ObjectionFile.objection_id)
             .join(Blob, Blob.sha256 == ObjectionFile.blob_sha256)
             .where(ObjectionFile.id == file_id, Objection.unit_code == scope.unit_code))
    row = scope.db.execute(query).first()
    return None if row is None else (row[0], row[1])


def any_file(db: Session, file_id: int) -> tuple[ObjectionFile, Objection, bytes] | None:
    """Any objection file with its objection and bytes, for the central office."""
    row = db.execute(select(ObjectionFile, Objection, Blob.data)
                     .join(Objection, Objection.id == ObjectionFile.objection_id)
                     .join(Blob, Blob.sha256 == ObjectionFile.blob_sha256)
                     .where(ObjectionFile.id == file_id)).first()
    return None if row is None else (row[0], row[1], row[2])


def unanswered(views: Iterable[ObjectionView]) -> int:
    """How many objections are lodged and neither withdrawn nor answered."""
    return sum(1 for v in views if v.state is ObjectionState.LODGED)


# —— publication ——


ANSWERED = (ObjectionState.ACCEPTED, ObjectionState.REJECTED)


def record_answered(db: Session, publication: Publication) -> list[int]:
    """Record that ``publication`` answers every answered objection of its year so far; their ids."""
    ids = [v.objection.id for v in year_objections(db, publication.year) if v.state in ANSWERED]
    for objection_id in ids:
        db.add(PublicationObjection(publication_id=publication.id, objection_id=objection_id))
    db.flush()
    return ids


def answered_by(db: Session, publication_id: int) -> list[ObjectionView]:
    """The objections a publication answers, oldest first."""
    link = PublicationObjection
    rows = db.scalars(select(Objection).join(link, link.objection_id == Objection.id)
                      .where(link.publication_id == publication_id).order_by(Objection.id))
    return _views(db, list(rows))


# —— the run input ——


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def counts(views: Iterable[ObjectionView]) -> dict[str, int]:
    """Objections lodged in all (``total``), and how many stand in each state (``lodged``: not yet
    answered nor withdrawn)."""
    listed = list(views)
    found = {state.value: sum(1 for v in listed if v.state is state) for state in ObjectionState}
    return {"total": len(listed), **found}


def objections_json(db: Session, year: int) -> bytes | None:
    """The year's objections and answers as a run reads them (None when there are none): sorted by
    id, keys sorted, so the same decisions always give the same bytes."""
    views = year_objections(db, year)
    if not views:
        return None
    runs = {f.id: f.run_id for f in year_feedbacks(db, year)}
    items = []
    for view in views:
        o, closed = view.objection, view.closed
        items.append({
            "id": o.id, "feedback_run": runs.get(o.feedback_id), "unit": o.unit_code,
            "subject_kind": o.subject_kind, "subject": o.subject_id, "subject_label": o.subject_label,
            "reason": o.reason, "lodged_at": _moment(o.at), "state": view.state.value,
            "files": [{"name": f.file_name, "sha256": f.blob_sha256, "size": f.size} for f in view.files],
            "answer": None if closed is None else {"text": closed.text, "correction": closed.correction,
                                                   "at": _moment(closed.at)},
        })
    body = {"year": year, "counts": counts(views), "objections": items}
    return (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
