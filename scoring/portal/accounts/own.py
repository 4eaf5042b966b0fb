"""A signed-in account's own page: its last sign-in, a password change (checked against the
policy) and, for an account without one, enrolment of an authenticator (optional for provinces)."""

from __future__ import annotations

from itsdangerous import BadSignature
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.portal.accounts import policy, totp
from scoring.portal.accounts.steps import enrolment_context, password_rules
from scoring.portal.auth import Ctx, endpoint, password_matches
from scoring.portal.settings import utc_now
from scoring.portal.store.models import Account
from scoring.portal.web import render

ENROL_COOKIE = "scoring_enrol"


def _own(db: Session, ctx: Ctx) -> Account:
    account = db.get(Account, ctx.user.account_id)
    assert account is not None
    return account


@endpoint()
async def account_page(ctx: Ctx) -> Response:
    """The account's sign-in record and second-factor state."""
    enrolled = await ctx.run(lambda db: totp.enrolled(_own(db, ctx)))
    notice = {"password": "密码已更换", "enrolled": "双因素验证已启用"}.get(
        ctx.request.query_params.get("done", "")
    )
    return render(ctx.request, "account/own.html", principal=ctx.user, enrolled=enrolled, notice=notice)


def _password_page(ctx: Ctx, status_code: int = 200, error: str | None = None) -> Response:
    return render(
        ctx.request,
        "account/new_password.html",
        status_code=status_code,
        principal=ctx.user,
        csrf_token=ctx.user.csrf_token,
        reason=None,
        error=error,
        rules=password_rules(ctx),
        action="/account/password",
        current=True,
    )


@endpoint()
async def password_form(ctx: Ctx) -> Response:
    """The form to change one's own password."""
    return _password_page(ctx)


@endpoint()
async def change_password(ctx: Ctx) -> Response:
    """Change one's own password: the current one first, then the policy and the history."""
    current = ctx.form.get("current", "")
    new, again = ctx.form.get("password", ""), ctx.form.get("password_again", "")

    def change(db: Session) -> str | None:
        account = _own(db, ctx)
        if not password_matches(account.password_hash, current):
            return "当前密码不正确"
        if new != again:
            return "两次输入的新密码不一致"
        try:
            policy.change_password(
                db, account, new, ctx.portal.settings.accounts, ctx.now, reset_by_admin=False
            )
        except policy.PasswordRefused as exc:
            return str(exc)
        ctx.audit(db, "password-change", obj=f"account:{account.name}", after="本人更换密码")
        return None

    problem = await ctx.run(change)
    if problem:
        return _password_page(ctx, 400, problem)
    return RedirectResponse("/account?done=password", status_code=303)


def _secret(ctx: Ctx) -> str | None:
    raw = ctx.request.cookies.get(ENROL_COOKIE)
    try:
        return ctx.portal.signer.unsign(raw, max_age=600).decode() if raw else None
    except (BadSignature, UnicodeDecodeError):
        return None


def _enrol_page(ctx: Ctx, secret: str, status_code: int = 200, error: str | None = None) -> Response:
    response = render(
        ctx.request,
        "account/enrol.html",
        status_code=status_code,
        principal=ctx.user,
        csrf_token=ctx.user.csrf_token,
        action="/account/second-factor",
        error=error,
        **enrolment_context(ctx.user.name, secret),
    )
    response.set_cookie(
        ENROL_COOKIE,
        ctx.portal.signer.sign(secret).decode(),
        max_age=600,
        httponly=True,
        samesite="strict",
        secure=ctx.portal.settings.secure_cookies,
        path="/account",
    )
    return response


@endpoint()
async def enrol_form(ctx: Ctx) -> Response:
    """The QR code of a new authenticator secret (for an account that has none)."""
    if await ctx.run(lambda db: totp.enrolled(_own(db, ctx))):
        raise HTTPException(409, "此账号已启用双因素验证；如需更换手机，请联系安全管理员重置")
    return _enrol_page(ctx, _secret(ctx) or totp.new_secret())


@endpoint()
async def enrol(ctx: Ctx) -> Response:
    """Confirm the authenticator with its first code; show the recovery codes once."""
    secret = _secret(ctx)
    if secret is None:
        return RedirectResponse("/account/second-factor", status_code=303)
    code = ctx.form.get("code", "")

    def confirm(db: Session) -> list[str] | None:
        account = _own(db, ctx)
        if totp.enrolled(account):
            raise HTTPException(409, "此账号已启用双因素验证")
        step = totp.matching_step(secret, code, utc_now(), None)
        if step is None:
            return None
        codes = totp.enrol(db, account, secret, step, ctx.now)
        ctx.audit(
            db, "totp-enrol", obj=f"account:{account.name}", before="未启用双因素", after="已启用双因素"
        )
        return codes

    codes = await ctx.run(confirm)
    if codes is None:
        return _enrol_page(ctx, secret, 400, "验证码不正确：请输入验证器应用中显示的 6 位数字")
    response = render(
        ctx.request,
        "account/recovery_codes.html",
        principal=ctx.user,
        codes=codes,
        csrf_token=ctx.user.csrf_token,
        action=None,
    )
    response.delete_cookie(ENROL_COOKIE, path="/account")
    return response


ROUTES = [
    Route("/account", account_page, methods=["GET"]),
    Route("/account/password", password_form, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/account/second-factor", enrol_form, methods=["GET"]),
    Route("/account/second-factor", enrol, methods=["POST"]),
]
