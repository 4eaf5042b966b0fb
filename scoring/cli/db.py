"""``scoring db upgrade`` and ``scoring years open``: the portal database's schema and open years."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from scoring.cli.console import err, guarded

DB_HELP = "数据库地址，如 postgresql+psycopg://…（默认 SCORING_DB_URL 或 var/portal.sqlite3）"
DbOpt = Annotated[str | None, typer.Option("--db", metavar="URL", help=DB_HELP)]

app = typer.Typer(help="门户数据库：结构升级、最小权限、备份与恢复。", no_args_is_help=True)
years_app = typer.Typer(help="考核年度：开放年度、设定截止日期。", no_args_is_help=True)


def database_url(db: str | None) -> str:
    """The URL given, else ``SCORING_DB_URL``, else the default SQLite file."""
    from scoring.portal.settings import database_url_from_env
    from scoring.settings import get_settings

    return db or database_url_from_env(get_settings().root)


def shown_url(url: str) -> str:
    """A database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("upgrade")
@guarded
def upgrade(db: DbOpt = None) -> None:
    """把数据库结构升级到本程序的版本（首次使用时创建全部表）。请先备份数据库。"""
    from scoring.portal.admin import upgrade_database

    url = database_url(db)
    before, after = upgrade_database(url)
    if before == after:
        err.print(f"{escape(shown_url(url))}：已是最新结构（{after}）")
    else:
        err.print(f"{escape(shown_url(url))}：结构已从 {before or '空库'} 升级到 {after}")


RoleArg = Annotated[str, typer.Argument(metavar="ROLE", help="门户连接数据库所用的 PostgreSQL 角色")]


@app.command("grant")
@guarded
def grant(role: RoleArg, db: DbOpt = None) -> None:
    """（PostgreSQL）以表的所有者身份运行：只授予门户角色所需的最小权限（不能修改或删除只追加的表、不能删除触发器）。"""
    from sqlalchemy.exc import DBAPIError

    from scoring.errors import ScoringError
    from scoring.portal.store.db import is_sqlite, make_engine
    from scoring.portal.store.migrate import grant_portal_role

    url = database_url(db)
    if is_sqlite(url):
        raise ScoringError("SQLite 没有数据库角色：只追加由触发器保证；请保护数据库文件的权限（0600）")
    engine = make_engine(url)
    try:
        statements = grant_portal_role(engine, role)
    except DBAPIError as exc:
        raise ScoringError(f"授权失败（请以表的所有者身份连接）：{str(exc.orig).strip()}") from None
    finally:
        engine.dispose()
    err.print(f"已为角色 {escape(role)} 设定最小权限（{len(statements)} 条授权语句）")


FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="备份文件")]


@app.command("backup")
@guarded
def backup(file: FileArg, db: DbOpt = None) -> None:
    """备份数据库到 FILE（PostgreSQL 用 pg_dump），写后核对表、行数和审计日志哈希链；不覆盖已有文件。"""
    from scoring.portal.backup import backup_database

    report = backup_database(database_url(db), file)
    err.print(escape(report.text()))


@app.command("restore")
@guarded
def restore(file: FileArg, db: DbOpt = None) -> None:
    """把 FILE 恢复到一个空数据库（PostgreSQL 用 pg_restore），前后核对结构版本、行数和审计日志哈希链。"""
    from scoring.portal.backup import restore_database
    from scoring.portal.store.db import is_sqlite

    url = database_url(db)
    report = restore_database(file, url)
    err.print(escape(report.text()))
    if not is_sqlite(url):
        err.print("权限未随备份恢复：门户使用专用角色时，请以表的所有者身份运行 scoring db grant ROLE")


YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
DeadlineOpt = Annotated[str | None, typer.Option("--deadline", metavar="YYYY-MM-DD",
                                                 help="全国双打办设定的报送截止日期（默认取指标配置）")]


@years_app.command("open")
@guarded
def open_year(year: YearArg, deadline: DeadlineOpt = None, db: DbOpt = None) -> None:
    """开放一个考核年度供各单位报送（可设定截止日期）。"""
    from scoring.errors import ScoringError
    from scoring.portal.admin import open_year as do_open

    try:
        chosen = date.fromisoformat(deadline) if deadline else None
    except ValueError:
        raise ScoringError(f"截止日期“{deadline}”无效，应为 YYYY-MM-DD") from None
    in_force = do_open(database_url(db), year, chosen)
    err.print(f"{year} 年度已开放，报送截止日期：{in_force.isoformat() if in_force else '未设定'}")
