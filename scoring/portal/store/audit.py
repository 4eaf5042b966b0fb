"""The append-only audit log: one row per state change and per sign-in burst, tamper-evident.

Each row carries ``chain``: a hash (SM3 where the library offers it, else SHA-256; the algorithm is
named in the value) of the previous row's ``chain`` and of every field of this row, so changing,
removing or inserting a row anywhere breaks every link after it; ``verify_chain`` finds the first
broken link. Rows are appended one at a time under a lock (PostgreSQL: a transaction-level advisory
lock; SQLite: its single writer), with ids given in order, so the chain never forks.

Rows past the retention period may be pruned (``scoring audit-log prune``, ``retention.py``): each
prune leaves an ``audit_anchor`` row holding the id and chain value of the last row removed, and the
chain of the rows kept is verified from the latest anchor instead of from ``GENESIS``. The prune
itself is a chained row (``audit-prune``) whose ``after`` names that anchor, so an anchor made up
afterwards, or rows removed without a prune, still break the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, inspect, or_, select, text
from sqlalchemy.orm import Session

from scoring.portal.store.models import AuditAnchor, AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who did something: an account, or the command line / system when ``account_id`` is None."""

    account_id: int | None
    name: str
    role: str | None = None
    unit_code: str | None = None


COMMAND_LINE = Actor(account_id=None, name="命令行", role="admin")


CHAIN_LOCK = 0x5C0A_A0D1  # the advisory lock that serialises appends on PostgreSQL
GENESIS = ""


def chain_algorithm() -> str:
    """SM3 (GB/T 32905) when this Python's hashlib offers it, else SHA-256."""
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def row_digest(previous: str, row: AuditEntry, algorithm: str) -> str:
    """The chain value of ``row`` after the row whose chain value is ``previous``."""
    fields = [row.id, row.at.astimezone(UTC).isoformat(timespec="microseconds"), row.account_id,
              row.account_name, row.role, row.unit_code, row.action, row.object, row.before, row.after,
              row.client]
    payload = json.dumps([previous, fields], ensure_ascii=False, separators=(",", ":")).encode()
    return f"{algorithm}:{hashlib.new(algorithm, payload).hexdigest()}"


PRUNE_ACTION = "audit-prune"


def _last(db: Session) -> AuditEntry | None:
    return db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()


def latest_anchor(db: Session) -> AuditAnchor | None:
    """The anchor of the latest prune (None: never pruned, or a schema from before pruning)."""
    if not inspect(db.connection()).has_table("audit_anchor"):
        return None
    return db.scalars(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1)).first()


def anchor_text(anchor: AuditAnchor) -> str:
    """What the ``audit-prune`` row records about its anchor (``verify_rows`` compares it)."""
    return f"锚点：第 {anchor.last_id} 条记录 {anchor.last_chain}"


def anchor_object(anchor: AuditAnchor) -> str:
    """The ``object`` of the ``audit-prune`` row of an anchor."""
    return f"audit_anchor:{anchor.id}"


def record(db: Session, at: datetime, actor: Actor, action: str, *, obj: str | None = None,
           before: str | None = None, after: str | None = None, client: str | None = None) -> None:
    """Append one row to the audit log, chained to the last one (in the caller's transaction)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    db.flush()
    last = _last(db)
    if last is not None:
        last_id, previous = last.id, last.chain or GENESIS
    elif (anchor := latest_anchor(db)) is not None:  # every row was pruned: go on from the anchor
        last_id, previous = anchor.last_id, anchor.last_chain
    else:
        last_id, previous = 0, GENESIS
    row = AuditEntry(id=last_id + 1, at=at, account_id=actor.account_id,
                     account_name=actor.name[:255], role=actor.role, unit_code=actor.unit_code, action=action,
                     object=obj, before=before, after=after, client=(client or None) and client[:64])
    row.chain = row_digest(previous, row, chain_algorithm())
    db.add(row)
    db.flush()


@dataclass(frozen=True)
class ChainStatus:
    """What ``verify_chain`` found: how many rows, and the first broken link (None: 完整)."""

    rows: int
    broken_at: int | None = None
    reason: str = ""
    head: str = ""
    start: int = 1  # the first row's id: after a prune, the one after the anchor

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def text(self) -> str:
        """The status in Chinese, as the CLI and the auditor's page show it."""
        if self.intact and self.start > 1:
            return (f"完整：第 {self.start} 条起的 {self.rows} 条审计记录的哈希链逐条核对无误"
                    "（之前的记录已按保留期限清理）")
        if self.intact:
            return f"完整：{self.rows} 条审计记录的哈希链逐条核对无误"
        return f"已被篡改：第 {self.broken_at} 条记录{self.reason}（共 {self.rows} 条）"


def verify_chain(db: Session, *, batch: int = 5000) -> ChainStatus:
    """Recompute every link of the chain in id order (from the latest prune's anchor, if any) and
    report the first broken one."""

    def batches() -> Iterator[AuditEntry]:
        after_id = 0
        while rows := list(db.scalars(select(AuditEntry).where(AuditEntry.id > after_id)
                                      .order_by(AuditEntry.id).limit(batch))):
            yield from rows
            after_id = rows[-1].id

    return verify_rows(batches(), latest_anchor(db))


def verify_rows(rows: Iterable[AuditEntry], anchor: AuditAnchor | None = None) -> ChainStatus:
    """The chain check of ``verify_chain`` over rows given in id order (from the database, or read
    back from a backup file before it is restored), starting after ``anchor`` when the log was
    pruned: the first row must follow the anchor's, and the prune must be recorded by a chained
    ``audit-prune`` row naming that anchor."""
    previous, expected_id, count = GENESIS, 1, 0
    recorded = anchor is None
    if anchor is not None:
        previous, expected_id = anchor.last_chain, anchor.last_id + 1
    for row in rows:
        count += 1
        if row.id != expected_id:
            return ChainStatus(count, expected_id, f"缺失（下一条是第 {row.id} 条）")
        algorithm = (row.chain or "").partition(":")[0]
        if algorithm not in ("sm3", "sha256") or algorithm not in hashlib.algorithms_available:
            return ChainStatus(count, row.id, "没有可核对的哈希值")
        if row.chain != row_digest(previous, row, algorithm):
            return ChainStatus(count, row.id, "的内容或其前一条记录与哈希链不符")
        previous, expected_id = row.chain, row.id + 1
        if anchor is not None and row.action == PRUNE_ACTION and row.object == anchor_object(anchor):
            recorded = row.after == anchor_text(anchor)
    if not recorded:
        assert anchor is not None
        return ChainStatus(count, anchor.last_id + 1,
                           "之前的记录被删除，但没有与清理锚点相符的“清理审计日志”记录")
    return ChainStatus(rows=count, head=previous, start=anchor.last_id + 1 if anchor else 1)


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


def about(db: Session, action: str, obj: str, *, limit: int = 20) -> list[AuditEntry]:
    """The latest rows of one action on one object (``verify`` of ``run:7``), newest first."""
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object == obj)
                           .order_by(AuditEntry.id.desc()).limit(limit)))


def entries(db: Session, *, limit: int = 1000) -> list[AuditEntry]:
    """The latest rows, newest first."""
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
