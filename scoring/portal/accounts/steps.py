"""The sign-in steps after a right password: the second factor (TOTP or a recovery code), first
enrolment of an authenticator where the role requires one, and the change of an expired or reset
password. Between the steps the browser carries a short-lived signed cookie naming the account and
the step reached; a session starts only when every step is done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from itsdangerous import BadSignature
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.portal.accounts import policy, totp
from scoring.portal.auth import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    Ctx,
    csrf_ok,
    endpoint,
    new_token,
    session_cookie_name,
)
from scoring.portal.settings import utc_now
from scoring.portal.store import accounts as account_store
from scoring.portal.store import audit
from scoring.portal.store.audit import Actor
from scoring.portal.store.models import Account
from scoring.portal.web import render

PENDING_COOKIE = "scoring_pending"
ENROL_COOKIE = "scoring_enrol"
STEP_SECONDS = 600  # the steps after the password must be done within ten minutes
SECOND_FACTOR_FAILED = "sign-in-2fa-failed"
PASSWORD_STAGE, FACTOR_STAGE = "password", "factor"


def sign_in_page(ctx: Ctx, page: str, status_code: int = 200, /, **context: object) -> Response:
    """A page of the sign-in steps, with a fresh CSRF token bound to the sign-in cookie."""
    token = new_token()
    values: dict[str, object] = {"error": None, "reason": None, **context}
    response = render(ctx.request, page, status_code=status_code, principal=None, csrf_token=token,
                      demo=ctx.portal.settings.demo, **values)
    response.set_cookie(LOGIN_COOKIE, ctx.portal.signer.sign(token).decode(), max_age=3600, httponly=True,
                        samesite="strict", secure=ctx.portal.settings.secure_cookies, path="/login")
    return response


def login_csrf_ok(ctx: Ctx) -> bool:
    """Whether the form's CSRF token is the one the sign-in cookie carries."""
    raw = ctx.request.cookies.get(LOGIN_COOKIE, "")
    try:
        expected = ctx.portal.signer.unsign(raw, max_age=3600).decode()
    except (BadSignature, UnicodeDecodeError):
        return False
    return csrf_ok(expected, ctx.form.get(CSRF_FIELD))


def _set_cookie(ctx: Ctx, response: Response, cookie: str, value: str) -> None:
    response.set_cookie(cookie, ctx.portal.signer.sign(value).decode(), max_age=STEP_SECONDS, httponly=True,
                        samesite="strict", secure=ctx.portal.settings.secure_cookies, path="/login")


def _cookie(ctx: Ctx, cookie: str) -> str | None:
    raw = ctx.request.cookies.get(cookie)
    if not raw:
        return None
    try:
        return ctx.portal.signer.unsign(raw, max_age=STEP_SECONDS).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def _pending(ctx: Ctx, stage: str) -> int:
    """The account that has reached ``stage``; otherwise back to the sign-in page."""
    value = _cookie(ctx, PENDING_COOKIE)
    account_id, _, reached = (value or "").partition(":")
    if reached != stage or not account_id.isdigit():
        raise _Restart()
    return int(account_id)


class _Restart(Exception):
    """The sign-in steps must start again from the password."""


def _to(ctx: Ctx, path: str, account_id: int, stage: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    _set_cookie(ctx, response, PENDING_COOKIE, f"{account_id}:{stage}")
    return response


def _actor(account: Account) -> Actor:
    return Actor(account.id, account.name, account_store.role_of(account), account.unit_code)


def _account(db: Session, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None or account.disabled_at is not None:
        raise _Restart()
    return account


async def after_password(ctx: Ctx, account_id: int) -> Response:
    """The step after a right password: the second factor, enrolment, or what follows them."""
    rules = ctx.portal.settings.accounts

    def need(db: Session) -> str:
        account = _account(db, account_id)
        if totp.enrolled(account):
            return "/login/totp"
        return "/login/enrol" if totp.required(account_store.role_of(account), rules) else ""

    path = await ctx.read(need)
    if path:
        return _to(ctx, path, account_id, PASSWORD_STAGE)
    return await _after_factor(ctx, account_id)


async def _after_factor(ctx: Ctx, account_id: int) -> Response:
    def reason(db: Session) -> str | None:
        return policy.change_required(_account(db, account_id), ctx.portal.settings.accounts, ctx.now)

    if await ctx.read(reason):
        return _to(ctx, "/login/password", account_id, FACTOR_STAGE)
    return await _start_session(ctx, account_id)


async def _start_session(ctx: Ctx, account_id: int) -> Response:
    from scoring.portal.accounts.signin import FAILED

    settings = ctx.portal.settings

    def start(db: Session) -> str:
        account = _account(db, account_id)
        since = account.last_sign_in_at or account.created_at
        failed = audit.count_since(db, FAILED, since, name=account.name) + \
            audit.count_since(db, SECOND_FACTOR_FAILED, since, name=account.name)
        token = new_token()
        row = account_store.start_session(db, account, token, new_token(), ctx.now,
                                          ctx.now + settings.session_lifetime, address=ctx.client,
                                          failed_since=failed)
        ctx.audit(db, "sign-in", obj=f"session:{row.id}", before="未登录", after="已登录",
                  actor=_actor(account))
        return token

    token = await ctx.run(start)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(session_cookie_name(settings.secure_cookies), ctx.portal.signer.sign(token).decode(),
                        max_age=int(settings.session_lifetime.total_seconds()), httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/")
    for cookie in (LOGIN_COOKIE, PENDING_COOKIE, ENROL_COOKIE):
        response.delete_cookie(cookie, path="/login")
    return response


def _restarting(handler: Callable[[Ctx], Awaitable[Response]]) -> Callable[[Ctx], Awaitable[Response]]:
    """Send a browser whose step cookie is missing, forged or stale back to the sign-in page."""

    async def run(ctx: Ctx) -> Response:
        if ctx.request.method == "POST" and not login_csrf_ok(ctx):
            raise HTTPException(403, "登录页面已过期，请刷新页面后重新登录")
        try:
            return await handler(ctx)
        except _Restart:
            response = RedirectResponse("/login", status_code=303)
            response.delete_cookie(PENDING_COOKIE, path="/login")
            return response

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


@endpoint(public=True)
@_restarting
async def second_factor_form(ctx: Ctx) -> Response:
    """Ask for the six-digit code of the authenticator app (or a recovery code)."""
    _pending(ctx, PASSWORD_STAGE)
    return sign_in_page(ctx, "account/second_factor.html")


@endpoint(public=True)
@_restarting
async def second_factor(ctx: Ctx) -> Response:
    """Check the code; each code is accepted once, and failures are throttled like passwords."""
    account_id = _pending(ctx, PASSWORD_STAGE)
    code = ctx.form.get("code", "").strip()[:32]
    rules = ctx.portal.settings.accounts

    def check(db: Session) -> str:
        account = _account(db, account_id)
        if audit.count_since(db, SECOND_FACTOR_FAILED, ctx.now - rules.totp_pause,
                             name=account.name) >= rules.totp_max_failures:
            return "throttled"
        if totp.accept_code(account, code, utc_now()):
            return "ok"
        if totp.use_recovery_code(db, account, code, ctx.now):
            ctx.audit(db, "recovery-code-used", obj=f"account:{account.name}", after="以恢复码完成登录",
                      actor=_actor(account))
            return "ok"
        ctx.audit(db, SECOND_FACTOR_FAILED, obj=f"account:{account.name}",
                  after="失败：动态验证码不正确或已使用", actor=_actor(account))
        return "failed"

    outcome = await ctx.run(check)
    if outcome == "throttled":
        minutes = int(rules.totp_pause / timedelta(minutes=1))
        return sign_in_page(ctx, "account/second_factor.html", 429,
                            error=f"验证码错误次数过多，请 {minutes} 分钟后再试")
    if outcome == "failed":
        return sign_in_page(ctx, "account/second_factor.html", 401,
                            error="动态验证码不正确或已经使用过，请输入验证器中新的验证码")
    return await _after_factor(ctx, account_id)


def enrolment_context(name: str, secret: str) -> dict[str, object]:
    """What the enrolment page shows: the QR code (inline SVG) and the secret for typing in."""
    return {"qr_svg": totp.qr_svg(totp.provisioning_uri(name, secret)), "secret": secret, "name": name}


@endpoint(public=True)
@_restarting
async def enrol_form(ctx: Ctx) -> Response:
    """The QR code of a new authenticator secret, for an account that must have a second factor."""
    account_id = _pending(ctx, PASSWORD_STAGE)
    account_name = await ctx.read(lambda db: _account(db, account_id).name)
    secret = _cookie(ctx, ENROL_COOKIE) or totp.new_secret()
    response = sign_in_page(ctx, "account/enrol.html", action="/login/enrol",
                            **enrolment_context(account_name, secret))
    _set_cookie(ctx, response, ENROL_COOKIE, secret)
    return response


@endpoint(public=True)
@_restarting
async def enrol(ctx: Ctx) -> Response:
    """Confirm the authenticator with its first code; show the recovery codes once."""
    account_id = _pending(ctx, PASSWORD_STAGE)
    secret = _cookie(ctx, ENROL_COOKIE)
    if secret is None:
        raise _Restart()
    code = ctx.form.get("code", "")

    def confirm(db: Session) -> tuple[str, list[str] | None]:
        account = _account(db, account_id)
        if totp.enrolled(account):
            raise _Restart()
        step = totp.matching_step(secret, code, utc_now(), None)
        if step is None:
            return account.name, None
        codes = totp.enrol(db, account, secret, step, ctx.now)
        ctx.audit(db, "totp-enrol", obj=f"account:{account.name}", before="未启用双因素",
                  after="已启用双因素", actor=_actor(account))
        return account.name, codes

    name, codes = await ctx.run(confirm)
    if codes is None:
        return sign_in_page(ctx, "account/enrol.html", 400, action="/login/enrol",
                            error="验证码不正确：请输入验证器应用中显示的 6 位数字",
                            **enrolment_context(name, secret))
    response = sign_in_page(ctx, "account/recovery_codes.html", codes=codes, action="/login/continue")
    _set_cookie(ctx, response, PENDING_COOKIE, f"{account_id}:{FACTOR_STAGE}")
    response.delete_cookie(ENROL_COOKIE, path="/login")
    return response


@endpoint(public=True)
@_restarting
async def proceed(ctx: Ctx) -> Response:
    """Go on after the recovery codes were shown."""
    return await _after_factor(ctx, _pending(ctx, FACTOR_STAGE))


@endpoint(public=True)
@_restarting
async def expired_password_form(ctx: Ctx) -> Response:
    """Ask for a new password when the old one expired or was set by an administrator."""
    account_id = _pending(ctx, FACTOR_STAGE)
    reason = await ctx.read(lambda db: policy.change_required(_account(db, account_id),
                                                              ctx.portal.settings.accounts, ctx.now))
    return sign_in_page(ctx, "account/new_password.html", reason=reason, rules=password_rules(ctx))


def password_rules(ctx: Ctx) -> str:
    """The password policy in one Chinese sentence, for the forms that set one."""
    rules = ctx.portal.settings.accounts
    return (f"至少 {rules.password_min_length} 个字符，包含小写字母、大写字母、数字、其他字符中的至少 "
            f"{rules.password_min_classes} 类，不得包含用户名，"
            f"不得与最近 {rules.password_history} 次的密码相同")


@endpoint(public=True)
@_restarting
async def expired_password(ctx: Ctx) -> Response:
    """Store the new password (checked against the policy), then start the session."""
    account_id = _pending(ctx, FACTOR_STAGE)
    new, again = ctx.form.get("password", ""), ctx.form.get("password_again", "")

    def change(db: Session) -> str | None:
        account = _account(db, account_id)
        if new != again:
            return "两次输入的新密码不一致"
        try:
            policy.change_password(db, account, new, ctx.portal.settings.accounts, ctx.now,
                                   reset_by_admin=False)
        except policy.PasswordRefused as exc:
            return str(exc)
        ctx.audit(db, "password-change", obj=f"account:{account.name}", after="登录时更换密码",
                  actor=_actor(account))
        return None

    problem = await ctx.run(change)
    if problem:
        return sign_in_page(ctx, "account/new_password.html", 400, error=problem, rules=password_rules(ctx))
    return await _start_session(ctx, account_id)


ROUTES = [
    Route("/login/totp", second_factor_form, methods=["GET"]),
    Route("/login/totp", second_factor, methods=["POST"]),
    Route("/login/enrol", enrol_form, methods=["GET"]),
    Route("/login/enrol", enrol, methods=["POST"]),
    Route("/login/continue", proceed, methods=["POST"]),
    Route("/login/password", expired_password_form, methods=["GET"]),
    Route("/login/password", expired_password, methods=["POST"]),
]
