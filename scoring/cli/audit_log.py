"""``scoring audit-log verify``: the audit log's hash chain (no retention or pruning command yet)."""

from __future__ import annotations

import typer
from rich.markup import escape

from scoring.cli.console import exit_with, guarded, out
from scoring.cli.db import DbOpt, database_url, shown_url

app = typer.Typer(help="审计日志：核对哈希链（防篡改）。", no_args_is_help=True)


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


