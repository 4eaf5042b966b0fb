"""The second sign-in factor (等保 2.0 身份鉴别 d): TOTP after RFC 6238 (30-second steps, six digits)
with pyotp, a QR code drawn on the server as inline SVG, and ten one-time recovery codes stored as
argon2 hashes. A code is accepted once: a step at or before the last one used is refused. Codes are
checked against the real time (the authenticator's), never the portal's settable business clock
(the demo's and the tests' deadlines move, phones do not)."""

from __future__ import annotations

import io
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.portal.settings import AccountPolicy
from scoring.portal.store.models import Account, RecoveryCode

ISSUER = "打击侵权假冒考核报送"
STEP_SECONDS = 30
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required(role: str, policy: AccountPolicy) -> bool:
    """Whether accounts of ``role`` must sign in with a second factor."""
    return role in policy.totp_required


def enrolled(account: Account) -> bool:
    """Whether the account has a confirmed authenticator."""
    return account.totp_enabled_at is not None and account.totp_secret is not None


def new_secret() -> str:
    """A random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(name: str, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element (no external service, no script)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title="扫描此二维码")
    return buffer.getvalue().decode()


def matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is ``code`` and that is
    later than ``after``; None when there is none."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def accept_code(account: Account, code: str, now: datetime) -> bool:
    """Check a code against the account's authenticator and mark its step used."""
    if account.totp_secret is None:
        return False
    step = matching_step(account.totp_secret, code, now, account.totp_last_step)
    if step is None:
        return False
    account.totp_last_step = step
    return True


def enrol(db: Session, account: Account, secret: str, step: int, now: datetime) -> list[str]:
    """Store a confirmed authenticator and new recovery codes; returns the codes (shown once)."""
    account.totp_secret = secret
    account.totp_enabled_at = now
    account.totp_last_step = step
    return new_recovery_codes(db, account, now)


def new_recovery_codes(db: Session, account: Account, now: datetime) -> list[str]:
    """Replace the account's recovery codes with ten new ones; only their hashes are stored."""
    from scoring.portal.auth import hash_password

    for old in db.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id,
                                                      RecoveryCode.used_at.is_(None))):
        old.used_at = now
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.add(RecoveryCode(account_id=account.id, code_hash=hash_password(code), created_at=now))
    db.flush()
    return codes


def use_recovery_code(db: Session, account: Account, code: str, now: datetime) -> bool:
    """Spend one unused recovery code; False when none matches."""
    from scoring.portal.auth import password_matches

    given = code.strip().lower()
    if len(given) != 14:
        return False
    for row in db.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id,
                                                      RecoveryCode.used_at.is_(None))):
        if password_matches(row.code_hash, given):
            row.used_at = now
            return True
    return False


def remove(db: Session, account: Account, now: datetime) -> None:
    """Take the authenticator off an account (the security administrator's 2FA reset)."""
    account.totp_secret = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    for row in db.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id,
                                                      RecoveryCode.used_at.is_(None))):
        row.used_at = now
