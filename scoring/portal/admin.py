"""What the command line does to the portal's database: schema, accounts, assessment years.

Each function raises ``ScoringError`` with a Chinese message for anything the user must fix; the CLI
prints. Every change is written to the audit log as done by the command line.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from scoring.errors import ScoringError
from scoring.portal.auth import hash_password
from scoring.portal.settings import AccountPolicy, utc_now
from scoring.portal.store import Database
from scoring.portal.store import accounts as account_store
from scoring.portal.store.audit import COMMAND_LINE, Actor, record
from scoring.portal.store.drafts import adopted
from scoring.portal.store.migrate import SchemaState, code_head, schema_state, upgrade
from scoring.portal.store.models import Account
from scoring.portal.store.submissions import add_year_event, open_years, year_standing
from scoring.portal.validation import year_files
from scoring.portal.workflow import opening_refused

NAME = re.compile(r"^[\w.@-]{2,64}$")


@contextmanager
def _opened(url: str) -> Iterator[Database]:
    """The database at ``url``, its pooled connections closed when the block ends, however it ends."""
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Apply the migrations; returns the revision before and after."""
    with _opened(url) as db:
        state, before = schema_state(db.engine)
        if state is SchemaState.NEWER:
            raise ScoringError(f"数据库结构版本 {before} 比本程序新（本程序最高 {code_head()}），请升级程序")
        if state is SchemaState.FOREIGN:
            raise ScoringError("数据库中已有其他表，不是本系统的数据库；请指定一个空数据库")
        upgrade(db.engine)
        return before, code_head()


def prepare_for_serving(url: str) -> str:
    """Create and migrate an empty database; refuse one that is behind, newer or not ours."""
    with _opened(url) as db:
        state, revision = schema_state(db.engine)
    if state is SchemaState.EMPTY:
        upgrade_database(url)
        return "已创建数据库并完成初始化"
    if state is SchemaState.NEWER:
        raise ScoringError(f"数据库结构版本 {revision} 比本程序新（本程序最高 {code_head()}），"
                           "拒绝启动；请升级程序")
    if state is SchemaState.BEHIND:
        raise ScoringError(f"数据库结构版本 {revision} 较旧，请先备份数据库，再运行 scoring db upgrade")
    if state is SchemaState.FOREIGN:
        raise ScoringError("数据库中已有其他表，不是本系统的数据库；请指定一个空数据库")
    return "数据库结构为当前版本"


def generate_password(name: str) -> str:
    """A random password for account ``name`` that is easy to type (no look-alike characters) and
    meets the default password policy: 16 characters with lower case, upper case and digits, and
    not containing the name (a short name such as "zj" may otherwise turn up by chance)."""
    from scoring.portal.accounts.policy import password_problems

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(16))
        if not password_problems(candidate, name, AccountPolicy()):
            return candidate


def _check(name: str, role: str, unit: str | None, known_units: set[str]) -> None:
    if not NAME.match(name):
        raise ScoringError(f"用户名“{name}”无效：应为 2–64 个字母、数字、汉字或 . _ - @")
    if role not in account_store.ROLES:
        raise ScoringError(f"角色“{role}”无效，应为 {'、'.join(account_store.ROLES)} 之一")
    if role == "province" and not unit:
        raise ScoringError("省级单位账号须用 --unit 指定单位代码，如 310000")
    if role != "province" and unit:
        raise ScoringError("只有省级单位账号（--role province）才有单位代码")
    if unit and unit not in known_units:
        raise ScoringError(f"单位代码 {unit} 不是 32 个考核单位之一（见 indicators/units.yaml）")


def _known_units() -> set[str]:
    from scoring.indicators.units import load_units

    return set(load_units().by_code())


def add_user(url: str, name: str, role: str, unit: str | None, password: str) -> None:
    """Create an account; the password (checked against the policy) is stored only as its argon2
    hash, and its user must choose a new one at the first sign-in."""
    from scoring.portal.accounts.policy import check_password

    _check(name, role, unit, _known_units())
    check_password(password, name, AccountPolicy())
    _add_many(url, [(name, role, unit, hash_password(password))])


def add_account_in(db: Session, name: str, role: str, unit: str | None, password: str, at: datetime,
                   actor: Actor, client: str = "") -> None:
    """Create an account in an open transaction (the 系统管理员's page), as ``add_user`` does."""
    from scoring.portal.accounts.policy import check_password

    _check(name, role, unit, _known_units())
    check_password(password, name, AccountPolicy())
    if account_store.account_named(db, name) is not None:
        raise ScoringError(f"用户名“{name}”已存在")
    account = account_store.add_account(db, name, role, unit, hash_password(password), at)
    account.must_change_password = True
    record(db, at, actor, "account-add", obj=f"account:{name}",
           after=f"{account_store.ROLE_LABELS[role]}{' ' + unit if unit else ''}", client=client)


def reset_password_in(db: Session, account: Account, password: str, at: datetime, actor: Actor,
                      client: str = "") -> None:
    """Give an account a password set by an administrator (checked against the policy); its
    sessions end and its user must choose a new one at the next sign-in."""
    from scoring.portal.accounts.policy import change_password

    change_password(db, account, password, AccountPolicy(), at, reset_by_admin=True)
    account_store.end_sessions(db, account, at)
    record(db, at, actor, "account-password", obj=f"account:{account.name}",
           after="密码已重设，下次登录须更换", client=client)


def _add_many(url: str, rows: list[tuple[str, str, str | None, str]]) -> None:
    with _opened(url) as db:
        with db.transaction() as session:
            now = utc_now()
            for name, role, unit, password_hash in rows:
                if account_store.account_named(session, name) is not None:
                    raise ScoringError(f"用户名“{name}”已存在")
                account = account_store.add_account(session, name, role, unit, password_hash, now)
                account.must_change_password = True
                record(session, now, COMMAND_LINE, "account-add", obj=f"account:{account.name}",
                       after=f"{account_store.ROLE_LABELS[role]}{' ' + unit if unit else ''}")


@dataclass(frozen=True)
class Imported:
    """An account created by ``users import`` and its one-time password."""

    name: str
    role: str
    unit: str | None
    password: str


def import_users(url: str, file: Path) -> list[Imported]:
    """Create the accounts listed in a CSV file (columns name, role, unit), all or none, each with a
    generated password returned once."""
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ScoringError(f"{file}: 无法读取（{exc.strerror}）") from None
    except UnicodeDecodeError:
        raise ScoringError(f"{file}: 不是 UTF-8 编码的 CSV 文件") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"name", "role"} <= set(reader.fieldnames):
        raise ScoringError(f"{file}: 第 1 行应为表头 name,role,unit")
    known, seen, result = _known_units(), set(), []
    for line, row in enumerate(reader, start=2):
        name, role = (row.get("name") or "").strip(), (row.get("role") or "").strip()
        unit = (row.get("unit") or "").strip() or None
        try:
            _check(name, role, unit, known)
        except ScoringError as exc:
            raise ScoringError(f"{file}:{line}: {exc}") from None
        if name in seen:
            raise ScoringError(f"{file}:{line}: 用户名“{name}”重复")
        seen.add(name)
        result.append(Imported(name, role, unit, generate_password(name)))
    if not result:
        raise ScoringError(f"{file}: 没有账号")
    _add_many(url, [(i.name, i.role, i.unit, hash_password(i.password)) for i in result])
    return result


def disable_user(url: str, name: str) -> int:
    """Disable an account; its sessions end at once. Returns how many sessions were ended."""
    with _opened(url) as db:
        with db.transaction() as session:
            account = account_store.account_named(session, name)
            if account is None:
                raise ScoringError(f"没有用户名为“{name}”的账号")
            if account.disabled_at is not None:
                raise ScoringError(f"账号“{name}”已停用")
            now = utc_now()
            account.disabled_at = now
            ended = account_store.end_sessions(session, account, now)
            record(session, now, COMMAND_LINE, "account-disable", obj=f"account:{name}", before="启用",
                   after=f"停用（结束 {ended} 个登录会话）")
            return ended


def set_password(url: str, name: str, password: str) -> None:
    """Replace an account's password (checked against the policy); its sessions end and its user
    must choose a new one at the next sign-in."""
    from scoring.portal.accounts.policy import check_password

    check_password(password, name, AccountPolicy())
    with _opened(url) as db:
        with db.transaction() as session:
            account = account_store.account_named(session, name)
            if account is None:
                raise ScoringError(f"没有用户名为“{name}”的账号")
            reset_password_in(session, account, password, utc_now(), COMMAND_LINE)


@dataclass(frozen=True)
class AccountRow:
    """An account as ``users list`` shows it."""

    name: str
    role: str
    unit: str | None
    disabled: bool
    last_sign_in: datetime | None = None
    second_factor: bool = False


def list_users(url: str) -> list[AccountRow]:
    """Every account (never a password or its hash)."""
    with _opened(url) as db:
        with db.transaction(writes=False) as session:
            return [AccountRow(a.name, account_store.role_of(a), a.unit_code, a.disabled_at is not None,
                               a.last_sign_in_at, a.totp_enabled_at is not None)
                    for a in account_store.all_accounts(session)]


def inactive_users(url: str, days: int) -> list[AccountRow]:
    """Enabled accounts without a sign-in (or, never signed in, created) in the last ``days`` days."""
    from datetime import timedelta

    with _opened(url) as db:
        with db.transaction(writes=False) as session:
            before = utc_now() - timedelta(days=days)
            return [AccountRow(a.name, account_store.role_of(a), a.unit_code, False, a.last_sign_in_at,
                               a.totp_enabled_at is not None)
                    for a in account_store.inactive_accounts(session, before)]


def open_year(url: str, year: int, deadline: date | None = None) -> date | None:
    """Open an assessment year (its configuration must exist), optionally with the central office's
    deadline instead of the configuration's; returns the deadline in force."""
    from scoring.portal.years import configured_deadline

    installed = year_files(year)  # refuses a year without a configuration, with the file named
    with _opened(url) as db:
        with db.transaction() as session:
            now = utc_now()
            if year not in open_years(session):
                in_force = adopted(session, year)
                refusal = opening_refused(year, in_force[0].sha256 if in_force else None,
                                          installed.indicator_file.sha256)
                if refusal:
                    raise ScoringError(refusal)
                add_year_event(session, year, "open", now, None)
                record(session, now, COMMAND_LINE, "year-open", obj=f"year:{year}", before="未开放",
                       after="开放")
            if deadline is not None:
                before = year_standing(session, year, configured_deadline(year)).deadline
                add_year_event(session, year, "deadline", now, None, deadline=deadline)
                record(session, now, COMMAND_LINE, "year-deadline", obj=f"year:{year}",
                       before=before.isoformat() if before else "未设定", after=deadline.isoformat())
            return year_standing(session, year, configured_deadline(year)).deadline
