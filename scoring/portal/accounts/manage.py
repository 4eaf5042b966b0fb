"""The three administrators' pages, none able to do another's work (等保 2.0 访问控制 c, d):
系统管理员 manages accounts (add, reset a password, disable); 安全管理员 sees the policies, lifts
sign-in restrictions, removes a lost authenticator and sees the inactive accounts; 审计管理员 reads
the audit log (``auditor.routes``). Each is a route for one role only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.errors import ScoringError
from scoring.portal.accounts import throttle, totp
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.parsing import or_not_found
from scoring.portal.settings import AccountPolicy
from scoring.portal.store import accounts as account_store
from scoring.portal.store.models import Account
from scoring.portal.web import render


@dataclass(frozen=True)
class AccountRow:
    """One line of the account tables."""

    name: str
    role: str
    role_label: str
    unit: str | None
    disabled: bool
    second_factor: bool
    last_sign_in: datetime | None
    must_change: bool


def account_rows(accounts: list[Account]) -> list[AccountRow]:
    """The account table's lines."""
    rows = []
    for account in accounts:
        role = account_store.role_of(account)
        rows.append(
            AccountRow(
                account.name,
                role,
                account_store.ROLE_LABELS[role],
                account.unit_code,
                account.disabled_at is not None,
                totp.enrolled(account),
                account.last_sign_in_at,
                account.must_change_password,
            )
        )
    return rows


def _named(db: Session, name: str) -> Account:
    account = or_not_found(account_store.account_named(db, name))
    return account


# —— 系统管理员: accounts ——


@endpoint(Role.SYSADMIN)
async def accounts_page(ctx: Ctx) -> Response:
    """Every account, with the forms to add one, reset a password and disable one."""
    return await _page_after(ctx, 200, None, None)


async def _page_after(
    ctx: Ctx, status_code: int, shown: tuple[str, str] | None, error: str | None
) -> Response:
    rows = await ctx.run(lambda db: account_rows(account_store.all_accounts(db)))
    return render(
        ctx.request,
        "account/manage.html",
        status_code=status_code,
        principal=ctx.user,
        rows=rows,
        roles=account_store.ROLES,
        labels=account_store.ROLE_LABELS,
        shown=shown,
        error=error,
    )


@endpoint(Role.SYSADMIN)
async def add_account(ctx: Ctx) -> Response:
    """Create an account with a generated password shown once (changed by its user at first sign-in)."""
    from scoring.portal.admin import add_account_in, generate_password

    name, role = ctx.form.get("name", "").strip(), ctx.form.get("role", "")
    unit = ctx.form.get("unit", "").strip() or None
    password = generate_password(name)

    def add(db: Session) -> None:
        add_account_in(db, name, role, unit, password, ctx.now, ctx.user.actor, ctx.client)

    try:
        await ctx.run(add)
    except ScoringError as exc:
        return await _page_after(ctx, 400, None, str(exc))
    return await _page_after(ctx, 200, (name, password), None)


@endpoint(Role.SYSADMIN)
async def reset_password(ctx: Ctx) -> Response:
    """Give an account a generated password shown once; its sessions end, and its user must choose
    a new one at the next sign-in."""
    from scoring.portal.admin import generate_password, reset_password_in

    name = ctx.request.path_params["name"]
    password = generate_password(name)
    await ctx.run(
        lambda db: reset_password_in(db, _named(db, name), password, ctx.now, ctx.user.actor, ctx.client)
    )
    return await _page_after(ctx, 200, (name, password), None)


@endpoint(Role.SYSADMIN)
async def disable_account(ctx: Ctx) -> Response:
    """Disable an account; its sessions end."""
    name = ctx.request.path_params["name"]

    def disable(db: Session) -> None:
        account = _named(db, name)
        if account.id == ctx.user.account_id:
            raise ScoringError("不能停用自己的账号")
        if account.disabled_at is None:
            account.disabled_at = ctx.now
            ended = account_store.end_sessions(db, account, ctx.now)
            ctx.audit(
                db,
                "account-disable",
                obj=f"account:{account.name}",
                before="启用",
                after=f"已停用（结束 {ended} 个登录会话）",
            )

    try:
        await ctx.run(disable)
    except ScoringError as exc:
        return await _page_after(ctx, 409, None, str(exc))
    return RedirectResponse("/admin/accounts", status_code=303)


# —— 安全管理员: policies, unlocks, second-factor resets, inactive accounts ——


def policy_lines(rules: AccountPolicy) -> list[tuple[str, str]]:
    """The account policy as the security administrator's page shows it."""
    return [
        ("密码最短长度", f"{rules.password_min_length} 个字符"),
        ("密码字符类别", f"小写字母、大写字母、数字、其他字符中至少 {rules.password_min_classes} 类"),
        ("不得重复使用", f"最近 {rules.password_history} 次的密码"),
        ("密码有效期", f"{rules.password_max_age.days} 天，到期后登录时须更换"),
        ("空闲超时", f"{int(rules.idle_timeout.total_seconds() // 60)} 分钟无操作自动退出"),
        ("必须使用双因素的角色", "、".join(account_store.ROLE_LABELS[r] for r in rules.totp_required)),
        ("长期未登录提醒", f"{rules.inactive_after.days} 天未登录"),
    ]


@endpoint(Role.SECADMIN)
async def security_page(ctx: Ctx) -> Response:
    """The policies in force, every account's second factor and the inactive accounts."""
    rules = ctx.portal.settings.accounts

    def load(db: Session) -> tuple[list[AccountRow], list[AccountRow]]:
        every = account_rows(account_store.all_accounts(db))
        idle = account_rows(account_store.inactive_accounts(db, ctx.now - rules.inactive_after))
        return every, idle

    rows, inactive = await ctx.run(load)
    notice = {
        "unlocked": "已解除该账号的登录限制",
        "reset": "已移除该账号的双因素验证，其下次登录时须重新启用",
    }.get(ctx.request.query_params.get("done", ""))
    return render(
        ctx.request,
        "account/security.html",
        principal=ctx.user,
        rows=rows,
        inactive=inactive,
        policy=policy_lines(rules),
        inactive_days=rules.inactive_after.days,
        notice=notice,
        error=None,
    )


@endpoint(Role.SECADMIN)
async def unlock(ctx: Ctx) -> Response:
    """Lift the sign-in throttle of an account (the throttle's own function does the work and
    writes the audit row)."""
    name = ctx.request.path_params["name"]

    def lift(db: Session) -> None:
        account = _named(db, name)
        throttle.unlock(db, account.name, ctx.now, ctx.user.actor, ctx.client)

    await ctx.run(lift)
    return RedirectResponse("/security?done=unlocked", status_code=303)


@endpoint(Role.SECADMIN)
async def reset_second_factor(ctx: Ctx) -> Response:
    """Remove an account's authenticator (lost phone); its sessions end and it enrols again."""
    name = ctx.request.path_params["name"]

    def reset(db: Session) -> None:
        account = _named(db, name)
        totp.remove(db, account, ctx.now)
        account_store.end_sessions(db, account, ctx.now)
        ctx.audit(
            db, "totp-reset", obj=f"account:{account.name}", before="已启用双因素", after="已移除双因素"
        )

    await ctx.run(reset)
    return RedirectResponse("/security?done=reset", status_code=303)


ROUTES = [
    Route("/admin/accounts", accounts_page, methods=["GET"]),
    Route("/admin/accounts", add_account, methods=["POST"]),
    Route("/admin/accounts/{name}/password", reset_password, methods=["POST"]),
    Route("/admin/accounts/{name}/disable", disable_account, methods=["POST"]),
    Route("/security", security_page, methods=["GET"]),
    Route("/security/accounts/{name}/unlock", unlock, methods=["POST"]),
    Route("/security/accounts/{name}/second-factor/reset", reset_second_factor, methods=["POST"]),
]
