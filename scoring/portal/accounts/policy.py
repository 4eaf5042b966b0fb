"""Password policy (等保 2.0 身份鉴别 a): length, character classes, no reuse of the last passwords,
expiry. The same checks apply when the command line creates or resets an account, when a security
or system administrator resets one, and when a user changes their own password in the portal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.errors import ScoringError
from scoring.portal.settings import AccountPolicy
from scoring.portal.store.models import Account, PasswordHistory

CLASSES = (("小写字母", str.islower), ("大写字母", str.isupper), ("数字", str.isdigit))


class PasswordRefused(ScoringError):
    """A new password does not meet the policy; the message says what is missing."""


def password_problems(password: str, name: str, policy: AccountPolicy) -> list[str]:
    """What a new password lacks, in Chinese (empty when it meets the policy)."""
    problems = []
    if len(password) < policy.password_min_length:
        problems.append(f"长度至少 {policy.password_min_length} 个字符（现为 {len(password)} 个）")
    present = [label for label, test in CLASSES if any(test(ch) for ch in password)]
    missing = [label for label, test in CLASSES if not any(test(ch) for ch in password)]
    if any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password):
        present.append("其他字符")
    else:
        missing.append("其他字符（如 ! @ # -）")
    if len(present) < policy.password_min_classes:
        problems.append(f"须包含小写字母、大写字母、数字、其他字符中的至少 {policy.password_min_classes} 类"
                        f"（现有 {len(present)} 类，缺少：{'、'.join(missing)}）")
    if name and name.lower() in password.lower():
        problems.append("不得包含用户名")
    return problems


def check_password(password: str, name: str, policy: AccountPolicy) -> None:
    """Raise ``PasswordRefused`` listing every rule the password breaks."""
    problems = password_problems(password, name, policy)
    if problems:
        raise PasswordRefused("密码不符合要求：" + "；".join(problems))


def _recent_hashes(db: Session, account: Account, count: int) -> list[str]:
    rows = db.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.account_id == account.id)
                      .order_by(PasswordHistory.id.desc()).limit(max(count - 1, 0)))
    return [account.password_hash, *rows]


def change_password(db: Session, account: Account, password: str, policy: AccountPolicy, at: datetime, *,
                    reset_by_admin: bool) -> None:
    """Give ``account`` a new password that meets the policy and is none of its last N; a reset by an
    administrator must be changed by the user at the next sign-in. Sessions are the caller's."""
    from scoring.portal.auth import hash_password, password_matches

    check_password(password, account.name, policy)
    if policy.password_history and any(password_matches(old, password)
                                       for old in _recent_hashes(db, account, policy.password_history)):
        raise PasswordRefused(f"密码不符合要求：不得与最近 {policy.password_history} 次使用过的密码相同")
    db.add(PasswordHistory(account_id=account.id, password_hash=account.password_hash, set_at=at))
    account.password_hash = hash_password(password)
    account.password_changed_at = at
    account.must_change_password = reset_by_admin


def change_required(account: Account, policy: AccountPolicy, now: datetime) -> str | None:
    """Why the account must choose a new password before it may go on, or None."""
    if account.must_change_password:
        return "您的密码由管理员设置或重设，请设置新密码后继续"
    changed = account.password_changed_at or account.created_at
    if now - changed >= policy.password_max_age:
        days = policy.password_max_age.days
        return f"您的密码已使用超过 {days} 天，按规定须更换后继续"
    return None
