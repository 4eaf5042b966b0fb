"""Scoring runs (a job row each), the files they read and wrote, and their publication.

A run is queued with ``active = 1``: the unique constraint on that column lets only one run be
queued or running at any moment, whichever process asks. Its job claims it, reports progress and
a heartbeat, stores its scores as soon as they are computed (``store_scores``: scores.json as a
blob named in the row's ``summary``, so pages show the ranking while the PDFs render), and
finishes it in one transaction that stores every input and output file as a blob with the run's
final state; a run that fails keeps no files and its row no longer names its scores (the blob,
append-only, stays unreferenced). Publishing is one row, once per run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoring.portal.store.models import Blob, Publication, Run, RunFile
from scoring.portal.store.submissions import store_blob
from scoring.portal.workflow import RunState

UNFINISHED = (RunState.QUEUED, RunState.RUNNING)


def start_run(db: Session, year: int, account_id: int, at: datetime, *, pdf: bool,
              supersedes_run_id: int | None, note: str | None, units_json: str) -> Run:
    """Queue a run (flushed): raises ``IntegrityError`` when another run is queued or running."""
    run = Run(year=year, state=RunState.QUEUED, active=1, stage="排队等待", done=0, total=None, pdf=pdf,
              started_at=at, account_id=account_id, supersedes_run_id=supersedes_run_id, note=note,
              units=units_json)
    db.add(run)
    db.flush()
    return run


def get_run(db: Session, run_id: int) -> Run | None:
    """A run by id."""
    return db.get(Run, run_id)


def all_runs(db: Session, year: int | None = None) -> list[Run]:
    """Runs, newest first (of one year when given)."""
    query = select(Run).order_by(Run.id.desc())
    if year is not None:
        query = query.where(Run.year == year)
    return list(db.scalars(query))


def run_numbers(db: Session) -> dict[int, int]:
    """Each run's number within its year (the N-th run of that year), by run id: what pages call
    it ("第 N 次评分"); the id stays in URLs."""
    numbers: dict[int, int] = {}
    seen: dict[int, int] = {}
    for run_id, year in db.execute(select(Run.id, Run.year).order_by(Run.id)):
        seen[year] = seen.get(year, 0) + 1
        numbers[run_id] = seen[year]
    return numbers


def run_number(db: Session, run: Run) -> int:
    """``run``'s number within its year."""
    return int(db.scalar(select(func.count()).select_from(Run)
                         .where(Run.year == run.year, Run.id <= run.id)) or 0)


def active_run(db: Session) -> Run | None:
    """The run that is queued or running, if any."""
    return db.scalar(select(Run).where(Run.active == 1))


def claim(db: Session, run_id: int, owner: str, at: datetime) -> bool:
    """The job takes its queued run; False when it is no longer queued."""
    result = db.execute(update(Run).where(Run.id == run_id, Run.state == RunState.QUEUED).values(
        state=RunState.RUNNING, owner=owner, heartbeat_at=at, stage="开始评分"))
    return bool(getattr(result, "rowcount", 0))


def report_progress(db: Session, run_id: int, at: datetime, *, stage: str | None = None,
                    done: int | None = None, total: int | None = None, new_stage: bool = False) -> None:
    """Progress and heartbeat of a running run (ignored once it has finished)."""
    values: dict[str, object] = {"heartbeat_at": at}
    if stage is not None:
        values["stage"] = stage[:500]
    if done is not None:
        values["done"] = done
    if new_stage:
        values["total"] = total
    db.execute(update(Run).where(Run.id == run_id, Run.state == RunState.RUNNING).values(**values))


@dataclass(frozen=True)
class StoredFile:
    """A file of a run to store: its path in the run's folder, input or output, and its bytes."""

    path: str
    kind: str
    sha256: str
    data: bytes


def finish(db: Session, run_id: int, at: datetime, files: Iterable[StoredFile], *, summary_json: str,
           generated_at: datetime) -> bool:
    """Store every file and mark the run succeeded, in the caller's one transaction; False (and
    nothing stored) when the run is no longer running (it was marked failed meanwhile)."""
    result = db.execute(update(Run).where(Run.id == run_id, Run.state == RunState.RUNNING).values(
        state=RunState.SUCCEEDED, active=None, finished_at=at, heartbeat_at=at, stage="完成",
        summary=summary_json,
        generated_at=generated_at))
    if not getattr(result, "rowcount", 0):
        return False
    for item in files:
        store_blob(db, item.sha256, item.data, at)
        db.add(RunFile(run_id=run_id, path=item.path, kind=item.kind, blob_sha256=item.sha256,
                       size=len(item.data)))
    db.flush()
    return True


SCORES_KEY = "scores_sha256"  # in a running run's summary: its scores.json, stored before the PDFs


def store_scores(db: Session, run_id: int, at: datetime, scores: StoredFile, counts: dict[str, int]) -> bool:
    """Store a running run's scores.json as soon as it is computed and name it, with the counts,
    in the run's summary; False (nothing stored) when the run is no longer running."""
    summary_json = json.dumps({**counts, SCORES_KEY: scores.sha256}, sort_keys=True)
    result = db.execute(update(Run).where(Run.id == run_id, Run.state == RunState.RUNNING).values(
        summary=summary_json, heartbeat_at=at))
    if not getattr(result, "rowcount", 0):
        return False
    store_blob(db, scores.sha256, scores.data, at)
    return True


def stored_scores(db: Session, run: Run) -> bytes | None:
    """The scores.json a running run stored before its PDFs (None before, and once it has ended:
    a finished run's scores are among its files, a failed run has none)."""
    if run.state != RunState.RUNNING:
        return None
    sha256 = json.loads(run.summary or "{}").get(SCORES_KEY)
    return None if sha256 is None else db.scalar(select(Blob.data).where(Blob.sha256 == sha256))


def fail(db: Session, run_id: int, at: datetime, message: str) -> bool:
    """Mark an unfinished run failed with a Chinese message (its row no longer names any scores);
    False when it had already finished."""
    result = db.execute(update(Run).where(Run.id == run_id, Run.state.in_(UNFINISHED)).values(
        state=RunState.FAILED, active=None, finished_at=at, message=message[:2000], summary=None))
    return bool(getattr(result, "rowcount", 0))


def unfinished(db: Session) -> list[Run]:
    """Runs that are queued or running."""
    return list(db.scalars(select(Run).where(Run.state.in_(UNFINISHED))))


def run_files(db: Session, run_id: int) -> list[RunFile]:
    """A finished run's files, by path."""
    return list(db.scalars(select(RunFile).where(RunFile.run_id == run_id).order_by(RunFile.path)))


def run_file(db: Session, run_id: int, path: str) -> tuple[RunFile, bytes] | None:
    """One file of a run and its bytes, or None."""
    row = db.execute(select(RunFile, Blob.data).join(Blob, Blob.sha256 == RunFile.blob_sha256)
                     .where(RunFile.run_id == run_id, RunFile.path == path)).first()
    return None if row is None else (row[0], row[1])


def run_file_data(db: Session, run_id: int, paths: Iterable[str] | None = None) -> dict[str, bytes]:
    """The bytes of a run's files (all, or those named), by path."""
    query = (select(RunFile.path, Blob.data).join(Blob, Blob.sha256 == RunFile.blob_sha256)
             .where(RunFile.run_id == run_id))
    if paths is not None:
        query = query.where(RunFile.path.in_(list(paths)))
    return {path: data for path, data in db.execute(query)}


def publication_of(db: Session, run_id: int) -> Publication | None:
    """The publication of a run, if it was published."""
    return db.scalar(select(Publication).where(Publication.run_id == run_id))


def current_publication(db: Session, year: int) -> Publication | None:
    """The year's publication in force (the latest), if any."""
    return db.scalar(select(Publication).where(Publication.year == year).order_by(Publication.seq.desc())
                     .limit(1))


def publications(db: Session) -> dict[int, Publication]:
    """Every publication by its run."""
    return {p.run_id: p for p in db.scalars(select(Publication))}


def previous_publication(db: Session, year: int) -> Publication | None:
    """The publication in force of the latest earlier year that has one."""
    earlier = db.scalar(select(func.max(Publication.year)).where(Publication.year < year))
    return None if earlier is None else current_publication(db, earlier)


def publish(db: Session, run: Run, at: datetime, account_id: int, after: Publication | None) -> Publication:
    """Publish ``run`` after ``after`` (the year's publication in force); flushed. Two publishes
    of one run, or two at the same place in the year's sequence, collide on a unique constraint."""
    row = Publication(year=run.year, seq=(after.seq if after else 0) + 1, run_id=run.id,
                      supersedes_id=after.id if after else None, at=at, account_id=account_id)
    db.add(row)
    db.flush()
    return row
