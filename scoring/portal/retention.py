"""``scoring audit-log prune``: remove audit rows past the retention period, keeping the chain verifiable.

The Cybersecurity Law (第二十一条) asks that network logs be kept for at least six months, and 等保
2.0 level 3 (安全审计) that audit records be protected from deletion; so a prune is refused when any
row younger than the retention period (``--keep-days``, never fewer than 180) would go, and when the chain is
already broken (a prune must not launder tampering). It removes the oldest rows only, a prefix of
the ids (a row older than the cut-off that follows a younger one is kept), in one transaction run by
the database's owner: on SQLite the delete trigger is dropped and re-created from its own stored
definition inside that transaction; on PostgreSQL it is disabled and enabled again (the portal's
role may do neither). The same transaction writes the ``audit_anchor`` row and the chained
``audit-prune`` row, and checks the chain from the anchor before committing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scoring.errors import ScoringError
from scoring.portal.settings import china_date
from scoring.portal.store import Database
from scoring.portal.store.audit import (
    CHAIN_LOCK,
    COMMAND_LINE,
    PRUNE_ACTION,
    ChainStatus,
    anchor_object,
    anchor_text,
    record,
    verify_chain,
)
from scoring.portal.store.models import AuditAnchor, AuditEntry
from scoring.report.formatting import BEIJING

MINIMUM_RETENTION_DAYS = 180  # 网络安全法：网络日志留存不少于六个月
SQLITE_DELETE_TRIGGER = "audit_log_no_delete"
POSTGRES_TRIGGER = "audit_log_append_only"


@dataclass(frozen=True)
class PruneReport:
    """What a prune removed and the chain it left."""

    database: str  # without its password
    before: date
    removed: int
    last_id: int | None  # the last row removed (the anchor's), None when nothing was old enough
    chain: ChainStatus

    def text(self) -> str:
        """The outcome in Chinese, as the CLI prints it."""
        if not self.removed:
            return f"{self.database}：没有早于 {self.before.isoformat()} 的审计记录，未删除任何记录"
        return (f"{self.database}：已删除早于 {self.before.isoformat()} 的 {self.removed} 条审计记录"
                f"（至第 {self.last_id} 条），清理锚点已记录；{self.chain.text()}")


def latest_cut_off(today: date, retention_days: int) -> date:
    """The latest cut-off date a prune may be given on ``today`` (Beijing)."""
    return today - timedelta(days=max(retention_days, MINIMUM_RETENTION_DAYS))


def prune_audit_log(url: str, before: date, *, now: datetime, retention_days: int) -> PruneReport:
    """Delete the audit rows older than ``before`` (00:00 Beijing time), as the database's owner, and
    record the prune; raises ``ScoringError`` (nothing deleted) for a cut-off inside the retention
    period, a broken chain or a connection that may not lift the append-only trigger."""
    kept_days = max(retention_days, MINIMUM_RETENTION_DAYS)
    latest = latest_cut_off(china_date(now), retention_days)
    if before > latest:
        raise ScoringError(f"拒绝清理：审计记录须保留至少 {kept_days} 天，截止日期最晚为 {latest.isoformat()}"
                           f"（给出的是 {before.isoformat()}）；未删除任何记录")
    shown = make_url(url).render_as_string(hide_password=True)
    database = Database(url)
    try:
        with database.transaction() as session:
            return _prune(session, shown, before, now)
    except DBAPIError as exc:
        raise ScoringError(f"清理失败（请以表的所有者身份连接，如 scoring db upgrade）："
                           f"{str(exc.orig).strip()[:300]}；未删除任何记录") from None
    finally:
        database.dispose()


def _prune(session: Session, shown: str, before: date, now: datetime) -> PruneReport:
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # no row is appended while the old ones go
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    status = verify_chain(session)
    if not status.intact:
        raise ScoringError(f"拒绝清理：审计日志{status.text()}；请先查明原因（清理不能掩盖篡改），"
                           "未删除任何记录")
    cut_off = datetime.combine(before, time(), BEIJING)
    first_kept = session.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.at >= cut_off))
    last_id = (first_kept - 1) if first_kept is not None else session.scalar(select(func.max(AuditEntry.id)))
    last = session.get(AuditEntry, last_id) if last_id else None
    if last is None:
        return PruneReport(shown, before, 0, None, status)
    removed = session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.id <= last.id)) or 0
    session.flush()
    session.expunge_all()  # the rows below are deleted behind the session's back
    if postgres:
        session.execute(text(f"ALTER TABLE audit_log DISABLE TRIGGER {POSTGRES_TRIGGER}"))
        session.execute(text("DELETE FROM audit_log WHERE id <= :last"), {"last": last.id})
        session.execute(text(f"ALTER TABLE audit_log ENABLE TRIGGER {POSTGRES_TRIGGER}"))
    else:
        definition = session.scalar(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                         "AND name = :name"), {"name": SQLITE_DELETE_TRIGGER})
        if not definition:
            raise ScoringError(f"拒绝清理：审计日志的删除保护触发器 {SQLITE_DELETE_TRIGGER} 不存在"
                               "（数据库被改动过或结构不是本程序的）；未删除任何记录")
        session.execute(text(f"DROP TRIGGER {SQLITE_DELETE_TRIGGER}"))
        session.execute(text("DELETE FROM audit_log WHERE id <= :last"), {"last": last.id})
        session.execute(text(definition))
    anchor = AuditAnchor(pruned_at=now, before=before, rows_removed=removed, last_id=last.id,
                         last_chain=last.chain or "")
    session.add(anchor)
    session.flush()
    first = status.start
    record(session, now, COMMAND_LINE, PRUNE_ACTION, obj=anchor_object(anchor),
           before=f"早于 {before.isoformat()} 的 {removed} 条记录（第 {first}–{last.id} 条）",
           after=anchor_text(anchor))
    chain = verify_chain(session)
    if not chain.intact:  # cannot happen unless something else wrote meanwhile: roll everything back
        raise ScoringError(f"清理后哈希链核对失败（{chain.text()}），已撤销；未删除任何记录")
    return PruneReport(shown, before, removed, last.id, chain)
