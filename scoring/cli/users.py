"""``scoring users …``: portal accounts. Passwords are typed at a prompt or generated and shown once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.console import err, guarded, out
from scoring.cli.db import DbOpt, database_url

app = typer.Typer(help="门户账号：新增、停用、重设密码、列出、长期未登录、批量导入。", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="用户名")]
ROLE_HELP = ("province（省级单位）、central（全国双打办）、auditor（审核）、sysadmin（系统管理员：账号）、"
             "secadmin（安全管理员：策略、解锁、双因素重置）或 auditadmin（审计管理员：审计日志）")
RoleOpt = Annotated[str, typer.Option("--role", help=ROLE_HELP)]
UnitOpt = Annotated[str | None, typer.Option("--unit", metavar="CODE", help="省级单位代码，如 310000")]
GenerateOpt = Annotated[bool, typer.Option("--generate-password", help="生成随机密码并显示一次（不询问）")]


def _password(name: str, generate: bool) -> tuple[str, bool]:
    from scoring.portal.admin import generate_password

    if generate or not sys.stdin.isatty():
        return generate_password(name), True
    return typer.prompt("密码（至少 12 个字符，含大写、小写、数字、其他字符中的至少 3 类）", hide_input=True,
                        confirmation_prompt="再次输入密码"), False


@app.command("add")
@guarded
def add(name: NameArg, role: RoleOpt, unit: UnitOpt = None, generate: GenerateOpt = False,
        db: DbOpt = None) -> None:
    """新增账号；在终端中输入密码，或生成随机密码并只显示这一次。"""
    from scoring.portal.admin import add_user

    password, generated = _password(name, generate)
    add_user(database_url(db), name, role, unit, password)
    err.print(f"已新增账号 {escape(name)}")
    if generated:
        out.print(f"{escape(name)} 的初始密码（只显示这一次，请妥善转交）：{escape(password)}")


@app.command("disable")
@guarded
def disable(name: NameArg, db: DbOpt = None) -> None:
    """停用账号；该账号已登录的会话在下一次请求时即被退出。"""
    from scoring.portal.admin import disable_user

    ended = disable_user(database_url(db), name)
    err.print(f"已停用账号 {escape(name)}（结束 {ended} 个登录会话）")


@app.command("unlock")
@guarded
def unlock(name: NameArg, db: DbOpt = None) -> None:
    """解除账号的登录限制（清除各地址的失败计数和等待时间）。"""
    from scoring.portal.accounts.throttle import unlock_account
    from scoring.portal.store.audit import COMMAND_LINE

    waiting = unlock_account(database_url(db), name, COMMAND_LINE)
    err.print(f"已解除 {escape(name)} 的登录限制（{waiting} 个地址曾受限）")


@app.command("password")
@guarded
def password(name: NameArg, generate: GenerateOpt = False, db: DbOpt = None) -> None:
    """重设账号密码（已登录的会话随之结束）。"""
    from scoring.portal.admin import set_password

    value, generated = _password(name, generate)
    set_password(database_url(db), name, value)
    err.print(f"已重设 {escape(name)} 的密码")
    if generated:
        out.print(f"{escape(name)} 的新密码（只显示这一次）：{escape(value)}")


@app.command("list")
@guarded
def list_accounts(db: DbOpt = None) -> None:
    """列出全部账号（不显示密码）。"""
    from scoring.portal.admin import list_users
    from scoring.portal.settings import china_time
    from scoring.portal.store.accounts import ROLE_LABELS

    table = Table("用户名", "角色", "单位", "状态", "双因素", "上次登录（北京时间）")
    rows = list_users(database_url(db))
    for row in rows:
        state = "已停用" if row.disabled else "启用"
        table.add_row(escape(row.name), ROLE_LABELS[row.role], row.unit or "", state,
                      "已启用" if row.second_factor else "未启用",
                      china_time(row.last_sign_in) if row.last_sign_in else "从未登录")
    out.print(table)
    err.print(f"共 {len(rows)} 个账号")


DaysOpt = Annotated[int, typer.Option("--days", min=1, help="多少天未登录算长期未登录（默认 90）")]


@app.command("inactive")
@guarded
def inactive(days: DaysOpt = 90, db: DbOpt = None) -> None:
    """列出长期未登录的启用账号（从未登录的按创建时间算），供安全管理员停用或核实。"""
    from scoring.portal.admin import inactive_users
    from scoring.portal.settings import china_time
    from scoring.portal.store.accounts import ROLE_LABELS

    rows = inactive_users(database_url(db), days)
    table = Table("用户名", "角色", "单位", "上次登录（北京时间）")
    for row in rows:
        table.add_row(escape(row.name), ROLE_LABELS[row.role], row.unit or "",
                      china_time(row.last_sign_in) if row.last_sign_in else "从未登录")
    out.print(table)
    err.print(f"超过 {days} 天未登录的账号共 {len(rows)} 个")


FileArg = Annotated[Path, typer.Argument(metavar="FILE.csv", help="UTF-8 CSV，表头 name,role,unit")]


@app.command("import")
@guarded
def import_accounts(file: FileArg, db: DbOpt = None) -> None:
    """从 CSV 批量新增账号（全部成功或全部不加）；为每个账号生成密码并只显示这一次。"""
    from scoring.portal.admin import import_users

    created = import_users(database_url(db), file)
    table = Table("用户名", "角色", "单位", "初始密码（只显示这一次）")
    for row in created:
        table.add_row(escape(row.name), row.role, row.unit or "", escape(row.password))
    out.print(table)
    err.print(f"已新增 {len(created)} 个账号")
