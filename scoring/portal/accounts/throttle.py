"""The sign-in throttle's rules, in one place: per (account, address) pair, growing delays.

A pair gets ``per_account`` free attempts; from then on each failed attempt makes the pair wait,
first ``first_delay``, doubling with each further failure up to ``max_delay``. Nothing locks an
account as such: the real user at another address is never kept out by an attacker's guesses,
and no address is locked for every account behind it (an office behind one NAT or proxy). The
security administrator lifts a wait with ``unlock`` (``scoring users unlock NAME``). Every attempt
whose password is checked is counted first (``reserve``), atomically; a refused attempt checks no
password, and only the first refusal of each wait is written to the audit log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from scoring.portal.settings import Throttle
from scoring.portal.store import throttle as pairs
from scoring.portal.store.accounts import account_named
from scoring.portal.store.audit import Actor, record


def wait_after(failures: int, throttle: Throttle) -> timedelta | None:
    """How long a pair waits after ``failures`` counted attempts (None: no wait)."""
    if failures < throttle.per_account:
        return None
    doublings = min(failures - throttle.per_account, 30)
    return min(throttle.first_delay * (1 << doublings), throttle.max_delay)


@dataclass(frozen=True)
class Reservation:
    """What ``reserve`` decided: check the password (``allowed``) or refuse for ``wait``."""

    allowed: bool
    wait: timedelta = timedelta(0)
    password_hash: str | None = None
    account: Actor | None = None
    disabled: bool = False

    def wait_text(self) -> str:
        """The wait in Chinese, rounded up."""
        seconds = max(1, math.ceil(self.wait.total_seconds()))
        return f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"


def reserve(db: Session, name: str, client: str, now: datetime, throttle: Throttle) -> Reservation:
    """Count one attempt of ``name`` from ``client`` before its password is checked, or refuse it
    (in the caller's short transaction; the first refusal of a wait is audited)."""
    account = account_named(db, name) if name else None
    row = pairs.locked_pair(db, account.name if account else pairs.UNKNOWN_ACCOUNT, client)
    if row.blocked_until is not None and now < row.blocked_until:
        row.refusals += 1
        if row.refusals == 1:
            who = Actor(account.id, account.name, account.role, account.unit_code) if account else \
                Actor(None, name or "（空）")
            record(db, now, who, "sign-in-throttled", obj=f"account:{name}", client=client,
                   after=f"拒绝：失败次数过多，需等待至 {row.blocked_until.isoformat(timespec='seconds')}"
                         "（此次等待期间的后续尝试不再逐条记录）")
        return Reservation(allowed=False, wait=row.blocked_until - now)
    row.failures += 1
    wait = wait_after(row.failures, throttle)
    row.blocked_until = now + wait if wait else None
    row.refusals = 0
    if account is None:
        return Reservation(allowed=True)
    return Reservation(allowed=True, password_hash=account.password_hash,
                       account=Actor(account.id, account.name, account.role, account.unit_code),
                       disabled=account.disabled_at is not None)


def succeeded(db: Session, name: str, client: str) -> None:
    """A correct password from ``client``: that pair starts afresh."""
    pairs.clear(db, name, client)


def unlock(db: Session, name: str, now: datetime, actor: Actor, client: str | None = None) -> int:
    """Lift every wait of account ``name`` (the security administrator's unlock), audited with
    the administrator's ``client`` address when from the portal; how many address pairs were
    waiting."""
    waiting = pairs.clear(db, name)
    record(db, now, actor, "account-unlock", obj=f"account:{name}", before=f"{waiting} 个地址受限",
           after="已解除登录限制", client=client)
    return waiting


def unlock_account(url: str, name: str, actor: Actor) -> int:
    """``unlock`` in a transaction of its own on database ``url`` (the CLI and the security
    administrator's page); raises ``ScoringError`` for an unknown account."""
    from scoring.errors import ScoringError
    from scoring.portal.settings import utc_now
    from scoring.portal.store import Database

    db = Database(url)
    try:
        with db.transaction() as session:
            if account_named(session, name) is None:
                raise ScoringError(f"没有用户名为“{name}”的账号")
            return unlock(session, name, utc_now(), actor)
    finally:
        db.dispose()
