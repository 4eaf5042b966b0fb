"""Draft indicator configurations: uploads (append-only, bytes as blobs), their background
comparisons (one mutable row per job) and adoptions (append-only decisions, numbered per year)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoring.portal.store.models import Blob, ConfigAdoption, ConfigDraft, DraftComparison, YearEvent
from scoring.portal.store.submissions import store_blob

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


def add_draft(db: Session, *, year: int, sha256: str, data: bytes, file_name: str, errors: int,
              warnings: int, todo: int, at: datetime, account_id: int) -> ConfigDraft:
    """Store an uploaded draft and its bytes (in the caller's transaction)."""
    store_blob(db, sha256, data, at)
    draft = ConfigDraft(year=year, blob_sha256=sha256, file_name=file_name[:255], size=len(data),
                        errors=errors, warnings=warnings, todo=todo, at=at, account_id=account_id)
    db.add(draft)
    db.flush()
    return draft


def drafts(db: Session) -> list[ConfigDraft]:
    """Every draft, newest first."""
    return list(db.scalars(select(ConfigDraft).order_by(ConfigDraft.id.desc())))


def draft_with_bytes(db: Session, draft_id: int) -> tuple[ConfigDraft, bytes] | None:
    """A draft and its stored bytes."""
    row = db.execute(select(ConfigDraft, Blob.data).join(Blob, Blob.sha256 == ConfigDraft.blob_sha256)
                     .where(ConfigDraft.id == draft_id)).first()
    return (row[0], row[1]) if row else None


def year_ever_opened(db: Session, year: int) -> bool:
    """Whether the central office has ever opened ``year`` (adopting must come before)."""
    return db.scalar(select(func.count()).select_from(YearEvent)
                     .where(YearEvent.year == year, YearEvent.action == "open")) != 0


def adopt(db: Session, draft: ConfigDraft, reason: str, at: datetime, account_id: int) -> ConfigAdoption:
    """Record the adoption of ``draft`` for its year (numbered after the year's earlier ones)."""
    seq = (db.scalar(select(func.max(ConfigAdoption.seq)).where(ConfigAdoption.year == draft.year)) or 0) + 1
    adoption = ConfigAdoption(year=draft.year, seq=seq, draft_id=draft.id, sha256=draft.blob_sha256,
                              reason=reason, at=at, account_id=account_id)
    db.add(adoption)
    db.flush()
    return adoption


def adoptions(db: Session) -> list[ConfigAdoption]:
    """Every adoption, newest first."""
    return list(db.scalars(select(ConfigAdoption).order_by(ConfigAdoption.id.desc())))


def adopted(db: Session, year: int) -> tuple[ConfigAdoption, bytes] | None:
    """The adoption in force for ``year`` (its latest) and the adopted file's bytes."""
    row = db.execute(select(ConfigAdoption, Blob.data).join(Blob, Blob.sha256 == ConfigAdoption.sha256)
                     .where(ConfigAdoption.year == year).order_by(ConfigAdoption.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def queue_comparison(db: Session, draft_id: int, year: int, units: int, at: datetime, account_id: int,
                     owner: str) -> DraftComparison:
    """A queued comparison job of ``draft_id`` on ``year``'s accepted submissions."""
    job = DraftComparison(draft_id=draft_id, year=year, state=QUEUED, units=units, started_at=at,
                          account_id=account_id, owner=owner)
    db.add(job)
    db.flush()
    return job


def comparisons(db: Session, draft_id: int) -> list[DraftComparison]:
    """A draft's comparisons, newest first."""
    return list(db.scalars(select(DraftComparison).where(DraftComparison.draft_id == draft_id)
                           .order_by(DraftComparison.id.desc())))


def comparison(db: Session, job_id: int) -> DraftComparison | None:
    """One comparison job."""
    return db.get(DraftComparison, job_id)


def unfinished_comparisons(db: Session) -> list[DraftComparison]:
    """Comparison jobs still queued or running."""
    return list(db.scalars(select(DraftComparison).where(DraftComparison.state.in_((QUEUED, RUNNING)))))


def claim_comparison(db: Session, job_id: int, owner: str) -> bool:
    """Mark a queued job running under its job's process; False when it is no longer queued."""
    done = db.execute(update(DraftComparison)
                      .where(DraftComparison.id == job_id, DraftComparison.state == QUEUED)
                      .values(state=RUNNING, owner=owner))
    return bool(getattr(done, "rowcount", 0))


def finish_comparison(db: Session, job_id: int, at: datetime, *, result: str | None = None,
                      message: str | None = None) -> bool:
    """Mark an unfinished job succeeded (with its result JSON) or failed (with its reason)."""
    state = SUCCEEDED if result is not None else FAILED
    done = db.execute(update(DraftComparison)
                      .where(DraftComparison.id == job_id, DraftComparison.state.in_((QUEUED, RUNNING)))
                      .values(state=state, result=result, message=message, finished_at=at))
    return bool(getattr(done, "rowcount", 0))
