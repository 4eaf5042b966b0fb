"""The append-only audit log: one row per state change and per sign-in attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scoring.portal.store.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who did something: an account, or the command line / system when ``account_id`` is None."""

    account_id: int | None
    name: str
    role: str | None = None
    unit_code: str | None = None


COMMAND_LINE = Actor(account_id=None, name="命令行", role="admin")


def record(db: Session, at: datetime, actor: Actor, action: str, *, obj: str | None = None,
           before: str | None = None, after: str | None = None, client: str | None = None) -> None:
    """Append one row to the audit log (in the caller's transaction)."""
    db.add(AuditEntry(at=at, account_id=actor.account_id, account_name=actor.name[:255], role=actor.role,
                      unit_code=actor.unit_code, action=action, object=obj, before=before, after=after,
                      client=(client or None) and client[:64]))


def count_since(db: Session, action: str, since: datetime, *, name: str | None = None,
                client: str | None = None) -> int:
    """How many rows of ``action`` since a moment, for one account name or one client address."""
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action,
                                                             AuditEntry.at >= since)
    if name is not None:
        query = query.where(AuditEntry.account_name == name[:255])
    if client is not None:
        query = query.where(AuditEntry.client == client[:64])
    return db.scalar(query) or 0


def filtered(db: Session, *, unit: str = "", user: str = "", action: str = "", since: datetime | None = None,
             until: datetime | None = None, limit: int | None = 500) -> list[AuditEntry]:
    """Rows matching every given filter, newest first: ``unit`` matches the acting account's unit
    or an object about that unit; ``since`` inclusive, ``until`` exclusive."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if unit:
        query = query.where(or_(AuditEntry.unit_code == unit, AuditEntry.object.contains(f"unit:{unit}")))
    if user:
        query = query.where(AuditEntry.account_name == user[:255])
    if action:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if limit is not None:
        query = query.limit(limit)
    return list(db.scalars(query))


def entries(db: Session, *, limit: int = 1000) -> list[AuditEntry]:
    """The latest rows, newest first."""
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
