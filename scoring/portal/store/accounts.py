"""Accounts and sign-in sessions."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.portal.store.models import Account, SignInSession

ROLES = ("province", "central", "auditor", "sysadmin", "secadmin", "auditadmin")
ROLE_LABELS = {"province": "省级单位", "central": "全国双打办", "auditor": "审核人员",
               "sysadmin": "系统管理员", "secadmin": "安全管理员", "auditadmin": "审计管理员",
               "admin": "管理员（命令行）"}
# the three administrators are stored as role "admin" with one duty each (separation of duties)
ADMIN_DUTIES = {"sysadmin": "system", "secadmin": "security", "auditadmin": "audit"}
_ROLE_OF_DUTY = {duty: role for role, duty in ADMIN_DUTIES.items()}


def role_of(account: Account) -> str:
    """The account's role as the portal knows it (one of ``ROLES``)."""
    if account.role == "admin":
        return _ROLE_OF_DUTY.get(account.admin_duty or "", "auditadmin")
    return account.role


def token_digest(token: str) -> str:
    """The SHA-256 under which a session token is stored (the token itself never is)."""
    return hashlib.sha256(token.encode()).hexdigest()


def account_named(db: Session, name: str) -> Account | None:
    """The account with this name, or None."""
    return db.scalar(select(Account).where(Account.name == name))


def all_accounts(db: Session) -> list[Account]:
    """Every account, by role then unit then name."""
    return list(db.scalars(select(Account).order_by(Account.role, Account.unit_code, Account.name)))


def add_account(db: Session, name: str, role: str, unit_code: str | None, password_hash: str,
                at: datetime) -> Account:
    """A new account (the caller checks name, role and unit first)."""
    duty = ADMIN_DUTIES.get(role)
    account = Account(name=name, role="admin" if duty else role, admin_duty=duty, unit_code=unit_code,
                      password_hash=password_hash, created_at=at, password_changed_at=at,
                      must_change_password=False)
    db.add(account)
    db.flush()
    return account


def start_session(db: Session, account: Account, token: str, csrf_token: str, at: datetime,
                  expires_at: datetime, *, address: str = "", failed_since: int = 0) -> SignInSession:
    """Record a new sign-in session for ``account``, remembering its previous sign-in for the pages."""
    row = SignInSession(token_sha256=token_digest(token), account_id=account.id, csrf_token=csrf_token,
                        created_at=at, expires_at=expires_at, last_seen_at=at,
                        previous_sign_in_at=account.last_sign_in_at,
                        previous_sign_in_address=account.last_sign_in_address,
                        failed_since_previous=failed_since)
    account.last_sign_in_at = at
    account.last_sign_in_address = address[:64]
    db.add(row)
    db.flush()
    return row


def inactive_accounts(db: Session, before: datetime) -> list[Account]:
    """Enabled accounts whose last sign-in (or creation, if never) is before ``before``."""
    rows = db.scalars(select(Account).where(Account.disabled_at.is_(None)).order_by(Account.name))
    return [row for row in rows if (row.last_sign_in_at or row.created_at) < before]


def session_by_token(db: Session, token: str) -> tuple[SignInSession, Account] | None:
    """A session that has not been ended, with its account."""
    row = db.execute(select(SignInSession, Account).join(Account, Account.id == SignInSession.account_id)
                     .where(SignInSession.token_sha256 == token_digest(token),
                            SignInSession.ended_at.is_(None))).first()
    return None if row is None else (row[0], row[1])


def end_sessions(db: Session, account: Account, at: datetime) -> int:
    """End every open session of an account (it was disabled or its password changed)."""
    rows = list(db.scalars(select(SignInSession).where(SignInSession.account_id == account.id,
                                                       SignInSession.ended_at.is_(None))))
    for row in rows:
        row.ended_at = at
    return len(rows)


def account_names(db: Session, ids: set[int]) -> dict[int, str]:
    """Account names by id (for showing who uploaded)."""
    if not ids:
        return {}
    rows = db.execute(select(Account.id, Account.name).where(Account.id.in_(ids)))
    return {row.id: row.name for row in rows}
