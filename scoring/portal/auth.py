"""Who is asking, and may they: sessions, CSRF, sign-in throttling and role checks, in one place.

Every route is an ``endpoint(...)``: it reads the form (an upload with its size cap), opens the
request's database session, finds the signed-in account from the signed session cookie (ending the
session of an account that was disabled meanwhile), checks the role and, on every POST, the CSRF
token, and only then calls the handler with a ``Ctx``. A province reaches unit data only through
``ctx.unit_scope()``, built from its own unit; the central office (and, read-only, the auditors)
through ``ctx.office_scope()``. Writes by the central office are routes for ``Role.CENTRAL`` only,
so an auditor's POST is refused (403) before any handler runs.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scoring.portal.forms import read_form, read_upload
from scoring.portal.store import accounts as account_store
from scoring.portal.store import audit
from scoring.portal.store.audit import Actor
from scoring.portal.store.models import Account, SignInSession
from scoring.portal.store.submissions import UnitScope
from scoring.report.formatting import beijing_time

if TYPE_CHECKING:
    from scoring.portal.app import Portal

T = TypeVar("T")

CSRF_FIELD = "csrf_token"
LOGIN_COOKIE = "scoring_login"


class Role(StrEnum):
    """What an account may do."""

    PROVINCE = "province"
    CENTRAL = "central"
    AUDITOR = "auditor"
    SYSADMIN = "sysadmin"  # 系统管理员: accounts only
    SECADMIN = "secadmin"  # 安全管理员: policies, unlocks, second-factor resets, inactive accounts
    AUDITADMIN = "auditadmin"  # 审计管理员: the audit log only


ANY_ROLE = tuple(Role)


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHasher:
    """argon2id with the library's recommended parameters."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return password_hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2 hash stored for a password."""
    return password_hasher().hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Check a password; an unknown account costs the same time as a known one."""
    try:
        return password_hasher().verify(stored_hash or _decoy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def session_cookie_name(secure: bool) -> str:
    """``__Host-`` cookies are refused by browsers unless Secure, path / and no domain."""
    return "__Host-scoring_session" if secure else "scoring_session"


@dataclass(frozen=True)
class PreviousSignIn:
    """What every page of a session tells the account about the sign-in before this one."""

    at: datetime | None
    address: str | None
    failed_since: int

    @property
    def notice(self) -> str:
        if self.at is None:
            text = "这是此账号的首次登录"
        else:
            text = f"上次登录：{beijing_time(self.at)}，地址 {self.address or '未知'}"
        return text + (f"；此后有 {self.failed_since} 次失败的登录尝试" if self.failed_since else "")


@dataclass(frozen=True)
class Principal:
    """The signed-in account of a request."""

    account_id: int
    session_id: int
    name: str
    role: Role
    unit_code: str | None
    csrf_token: str
    previous_sign_in: PreviousSignIn | None = None

    @property
    def actor(self) -> Actor:
        return Actor(account_id=self.account_id, name=self.name, role=self.role.value,
                     unit_code=self.unit_code)


def client_address(request: Request) -> str:
    """The client's address as the server saw it (or as a trusted proxy reported it), in canonical
    form; anything that is not an IP address (a forged header's text) is never stored."""
    return valid_address(request.client.host if request.client else "")


def valid_address(raw: str) -> str:
    """``raw`` as a canonical IP address, or "" when it is not one."""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return ""


@dataclass
class Ctx:
    """What a handler gets: the request, the portal, the request's database session, the account."""

    request: Request
    portal: Portal
    db: Session
    principal: Principal | None = None
    form: dict[str, str] = field(default_factory=dict)
    upload: UploadFile | None = None

    @property
    def now(self) -> datetime:
        return self.portal.settings.clock()

    @property
    def client(self) -> str:
        return client_address(self.request)

    @property
    def user(self) -> Principal:
        """The signed-in account (handlers of signed-in routes only)."""
        assert self.principal is not None
        return self.principal

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a worker thread as one transaction of this request's session."""
        return await run_in_threadpool(self._transaction, work)

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a worker thread as a read-only transaction of its own: for the checks a
        form makes before its slow part, which must not hold a writer's place meanwhile."""

        def once() -> T:
            with self.portal.db.transaction(writes=False) as db:
                return work(db)

        return await run_in_threadpool(once)

    def _transaction(self, work: Callable[[Session], T]) -> T:
        try:
            result = work(self.db)
            self.db.commit()
            return result
        except BaseException:
            self.db.rollback()
            raise

    def unit_scope(self, db: Session, year: int | None = None) -> UnitScope:
        """The signed-in province's own unit (in ``year``): the only door to unit data."""
        principal = self.user
        if principal.role is not Role.PROVINCE or principal.unit_code is None:
            raise HTTPException(403)
        return UnitScope(db, year, principal.unit_code)

    def office_scope(self, db: Session, year: int | None, unit_code: str) -> UnitScope:
        """Any unit's data, for the central office (and the auditors' read-only pages); the caller
        has checked that ``unit_code`` is one of the year's units."""
        if self.user.role not in (Role.CENTRAL, Role.AUDITOR):
            raise HTTPException(403)
        return UnitScope(db, year, unit_code)

    def audit(self, db: Session, action: str, *, obj: str | None = None, before: str | None = None,
              after: str | None = None, actor: Actor | None = None) -> None:
        """Append an audit row for this request."""
        who = actor or self.user.actor
        audit.record(db, self.now, who, action, obj=obj, before=before, after=after, client=self.client)


def _principal(ctx: Ctx) -> Principal | None:
    """The account behind the session cookie; None when absent, forged, expired or ended."""
    portal = ctx.portal
    raw = ctx.request.cookies.get(session_cookie_name(portal.settings.secure_cookies))
    if not raw:
        return None
    try:
        token = portal.signer.unsign(raw, max_age=int(portal.settings.session_lifetime.total_seconds()))
    except BadSignature:
        return None

    def load(db: Session) -> tuple[tuple[int, int, str, str, str | None, str, bool, bool],
                                   SessionTimes] | None:
        found = account_store.session_by_token(db, token.decode())
        if found is None:
            return None
        row, account = found
        expired = row.expires_at <= ctx.now
        return ((account.id, row.id, account.name, account_store.role_of(account), account.unit_code,
                 row.csrf_token, account.disabled_at is not None, expired), SessionTimes.of(row))

    with portal.db.transaction(writes=False) as db:
        found = load(db)
    if found is None:
        return None
    loaded, times = found
    account_id, session_id, name, role, unit_code, csrf, disabled, expired = loaded
    if not disabled and not expired and not _still_active(ctx, session_id, times,
                                                          Actor(account_id, name, role, unit_code)):
        return None
    if disabled:
        with portal.db.transaction(writes=True) as db:
            account = db.get(Account, account_id)
            assert account is not None
            if account_store.end_sessions(db, account, ctx.now):
                audit.record(db, ctx.now, Actor(account_id, name, role, unit_code), "sign-out",
                             obj=f"account:{name}", before="已登录", after="账号已停用，强制退出",
                             client=ctx.client)
        return None
    if expired:
        return None
    return Principal(account_id=account_id, session_id=session_id, name=name, role=Role(role),
                     unit_code=unit_code, csrf_token=csrf, previous_sign_in=times.previous)


@dataclass(frozen=True)
class SessionTimes:
    """When a session was last used, and the sign-in before it."""

    last_seen: datetime
    previous: PreviousSignIn

    @classmethod
    def of(cls, row: SignInSession) -> SessionTimes:
        return cls(last_seen=row.last_seen_at or row.created_at,
                   previous=PreviousSignIn(row.previous_sign_in_at, row.previous_sign_in_address,
                                           row.failed_since_previous or 0))


SEEN_EVERY = timedelta(minutes=1)  # how often a session's last use is written (not on every request)


def _still_active(ctx: Ctx, session_id: int, times: SessionTimes, who: Actor) -> bool:
    """End a session left idle longer than the idle timeout (等保 身份鉴别 b); else note its use."""
    now = ctx.now
    idle = ctx.portal.settings.accounts.idle_timeout
    if now - times.last_seen < SEEN_EVERY:
        return True
    with ctx.portal.db.transaction(writes=True) as db:
        row = db.get(SignInSession, session_id)
        if row is None or row.ended_at is not None:
            return False
        if now - times.last_seen >= idle:
            row.ended_at = now
            minutes = int(idle / timedelta(minutes=1))
            audit.record(db, now, who, "sign-out", obj=f"session:{row.id}", before="已登录",
                         after=f"空闲超过 {minutes} 分钟，自动退出", client=ctx.client)
            return False
        row.last_seen_at = now
    return True


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


Handler = Callable[[Ctx], Awaitable[Response]]


def endpoint(*roles: Role, public: bool = False, upload: bool = False,
             before_body: Callable[[Ctx, Session], None] | None = None) -> Callable[[Handler], Callable[
        [Request], Awaitable[Response]]]:
    """Wrap a handler: form, session, account, role and CSRF checks come first, always.
    ``before_body`` (uploads): a check of the signed-in account, in a read-only transaction,
    that may refuse the request before its body is read at all."""
    allowed = set(roles or ANY_ROLE)

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            portal: Portal = request.app.state.portal
            posting = request.method == "POST"
            db = portal.db.session(writes=posting)
            ctx = Ctx(request=request, portal=portal, db=db)
            try:
                if posting and upload:  # who is asking comes first: an anonymous body is never read
                    ctx.principal = await run_in_threadpool(_principal, ctx)
                    if ctx.principal is None and not public:
                        return RedirectResponse("/login", status_code=303)
                    if before_body is not None and ctx.principal is not None:
                        await ctx.read(lambda session: before_body(ctx, session))
                await _read_body(ctx, posting, upload)
                if not (posting and upload):
                    ctx.principal = await run_in_threadpool(_principal, ctx)
                if not public:
                    if ctx.principal is None:
                        return RedirectResponse("/login", status_code=303)
                    if ctx.principal.role not in allowed:
                        raise HTTPException(403)
                    if posting and not csrf_ok(ctx.principal.csrf_token, ctx.form.get(CSRF_FIELD)):
                        raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试")
                return await handler(ctx)
            finally:
                if ctx.upload is not None:
                    await ctx.upload.close()
                await run_in_threadpool(db.close)

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        return run

    return wrap


async def _read_body(ctx: Ctx, posting: bool, upload: bool) -> None:
    """The form (and upload) of a POST, within the read timeout: a client that sends its body
    slowly cannot hold a connection and its memory for long."""
    if not posting:
        return
    settings = ctx.portal.settings
    try:
        if upload:
            ctx.form, ctx.upload = await asyncio.wait_for(
                read_upload(ctx.request, settings.max_upload_bytes), settings.upload_read_timeout_s)
        else:
            ctx.form = await asyncio.wait_for(read_form(ctx.request), settings.upload_read_timeout_s)
    except TimeoutError:
        seconds = settings.upload_read_timeout_s
        raise HTTPException(408, f"上传未能在 {seconds:.0f} 秒内完成，请检查网络后重试") from None


def new_token() -> str:
    """A random token for sessions and CSRF."""
    return secrets.token_urlsafe(32)
