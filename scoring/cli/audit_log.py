"""``scoring audit-log verify`` and ``prune``: the audit log's hash chain, and removing rows past the
retention period (never younger than 180 days)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from scoring.cli.console import exit_with, guarded, out
from scoring.cli.db import DbOpt, database_url, shown_url

app = typer.Typer(help="审计日志：核对哈希链（防篡改），清理超过保留期限的记录。", no_args_is_help=True)


@app.command("verify")
@guarded
def verify(db: DbOpt = None) -> None:
    """逐条核对审计日志的哈希链：完整时退出码 0；报告第一处断链并以退出码 1 结束。"""
    from scoring.portal.store import Database
    from scoring.portal.store.audit import verify_chain

    url = database_url(db)
    database = Database(url)
    try:
        with database.transaction(writes=False) as session:
            status = verify_chain(session)
    finally:
        database.dispose()
    out.print(f"{escape(shown_url(url))}：{escape(status.text())}")
    exit_with(0 if status.intact else 1)


BEFORE_HELP = "删除早于这一天（北京时间）的审计记录；最晚为今天减去保留天数（--keep-days）"
BeforeOpt = Annotated[str, typer.Option("--before", metavar="YYYY-MM-DD", help=BEFORE_HELP)]
# the floor is the law's six months (retention.MINIMUM_RETENTION_DAYS, which prune_audit_log applies
# again); a literal here keeps the portal out of the command line's start-up
KEEP_HELP = "审计记录至少保留的天数（默认 180，即网络安全法要求的六个月；不得少于 180）"
KeepDaysOpt = Annotated[int, typer.Option("--keep-days", metavar="N", min=180, help=KEEP_HELP)]


@app.command("prune")
@guarded
def prune(before: BeforeOpt, keep_days: KeepDaysOpt = 180, db: DbOpt = None) -> None:
    """以数据库所有者身份删除超过保留期限的审计记录（一个事务内），记下清理锚点和一条“清理审计日志”记录，哈希链照常可核对。
    截止日期晚于今天减去保留天数（--keep-days，默认且最少 180 天）、哈希链已断开时拒绝，且不删除任何记录。"""
    from datetime import date

    from scoring.errors import ScoringError
    from scoring.portal.retention import prune_audit_log
    from scoring.portal.settings import utc_now

    try:
        if len(before) != 10 or before[4] != "-" or before[7] != "-":  # not 20230101 or 2023-W01-1
            raise ValueError(before)
        cut_off = date.fromisoformat(before)
    except ValueError:
        raise ScoringError(f"截止日期“{before}”无效，应为 YYYY-MM-DD") from None
    report = prune_audit_log(database_url(db), cut_off, now=utc_now(), retention_days=keep_days)
    out.print(escape(report.text()))
