"""Signing in and out: throttled per (account, address) pair (``accounts.throttle``), every attempt
audited; the steps after a right password (second factor, enrolment, password change) are in
``steps``."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.portal.accounts import steps, throttle
from scoring.portal.auth import (
    Ctx,
    endpoint,
    password_matches,
    session_cookie_name,
)
from scoring.portal.store import accounts as account_store
from scoring.portal.store.audit import Actor

FAILED = "sign-in-failed"
BAD_CREDENTIALS = "用户名或密码不正确"


def _login_page(ctx: Ctx, status_code: int = 200, error: str | None = None, name: str = "",
                notice: str | None = None) -> Response:
    return steps.sign_in_page(ctx, "login.html", status_code, error=error, notice=notice, name=name)


@endpoint(public=True)
async def login_form(ctx: Ctx) -> Response:
    """The sign-in page (a signed-in account goes to its home page)."""
    if ctx.principal is not None:
        return RedirectResponse("/", status_code=303)
    signed_out = ctx.request.query_params.get("out") == "1"
    return _login_page(ctx, notice="您已退出登录。" if signed_out else None)


def _login_csrf_ok(ctx: Ctx) -> bool:
    return steps.login_csrf_ok(ctx)


@endpoint(public=True)
async def login(ctx: Ctx) -> Response:
    """Check the name and password; then the second factor, enrolment or a password change where the
    account needs one, else a new session."""
    if not _login_csrf_ok(ctx):
        raise HTTPException(403, "登录页面已过期，请刷新页面后重新登录")
    name = ctx.form.get("name", "").strip()[:64]
    password = ctx.form.get("password", "")
    settings = ctx.portal.settings
    client = ctx.client
    # 1. count the attempt (a short write transaction), 2. check the password outside any
    # transaction (argon2 takes a while: never inside SQLite's write lock), 3. record the outcome
    reservation = await ctx.run(lambda db: throttle.reserve(db, name, client, ctx.now, settings.throttle))
    if not reservation.allowed:
        return _login_page(ctx, 429, f"登录失败次数过多，请 {reservation.wait_text()}后再试", name)
    ok = await run_in_threadpool(password_matches, reservation.password_hash, password)

    def outcome(db: Session) -> int | None:
        account = reservation.account
        if account is None or not ok or reservation.disabled:
            reason = "账号不存在" if account is None else "密码错误" if not ok else "账号已停用"
            ctx.audit(db, FAILED, obj=f"account:{name}", after=f"失败：{reason}",
                      actor=account or Actor(account_id=None, name=name or "（空）"))
            return None
        row_account = account_store.account_named(db, account.name)
        if row_account is None or row_account.disabled_at is not None:
            return None
        throttle.succeeded(db, account.name, client)
        return row_account.id

    account_id = await ctx.run(outcome)
    if account_id is None:
        return _login_page(ctx, 401, BAD_CREDENTIALS, name)
    return await steps.after_password(ctx, account_id)


@endpoint()
async def logout(ctx: Ctx) -> Response:
    """End this session."""
    from scoring.portal.store.models import SignInSession

    def end(db: Session) -> None:
        row = db.get(SignInSession, ctx.user.session_id)
        if row is not None and row.ended_at is None:
            row.ended_at = ctx.now
            ctx.audit(db, "sign-out", obj=f"session:{row.id}", before="已登录", after="已退出")

    await ctx.run(end)
    response = RedirectResponse("/login?out=1", status_code=303)
    settings = ctx.portal.settings
    response.delete_cookie(session_cookie_name(settings.secure_cookies), path="/", httponly=True,
                           samesite="lax", secure=settings.secure_cookies)
    return response


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    *steps.ROUTES,
]
