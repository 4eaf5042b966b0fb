"""The ``scoring`` command line: the only place that prints or exits."""

from __future__ import annotations

import sys

import typer

from scoring.cli.audit import audit, schema
from scoring.cli.audit_log import app as audit_log_app
from scoring.cli.compare import compare
from scoring.cli.db import app as db_app
from scoring.cli.db import years_app
from scoring.cli.draft import app as indicators_app
from scoring.cli.errors import report_error
from scoring.cli.render import render
from scoring.cli.scores import run, score
from scoring.cli.serve import serve
from scoring.cli.tasks import app as tasks_app
from scoring.cli.users import app as users_app
from scoring.cli.verify import verify
from scoring.cli.workbooks import sample, template, validate

app = typer.Typer(
    name="scoring",
    help="打击侵权假冒工作考核评分引擎：任务目录、指标配置、报送模板与校验、评分排名、成绩单。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(tasks_app, name="tasks")
app.add_typer(indicators_app, name="indicators")
app.command("audit")(audit)
app.command("schema")(schema)
app.command("template")(template)
app.command("validate")(validate)
app.command("sample")(sample)
app.command("render")(render)
app.command("score")(score)
app.command("run")(run)
app.command("verify")(verify)
app.command("compare")(compare)
app.command("serve")(serve)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(years_app, name="years")
app.add_typer(audit_log_app, name="audit-log")


def main() -> None:
    """Entry point: run the app; every error becomes a Chinese message and an exit code (see
    ``scoring.cli.errors``), never a traceback or an English usage box."""
    try:
        code = app(standalone_mode=False)
    except BaseException as exc:  # noqa: BLE001 - the one edge where every error is reported
        report_error(exc)
    sys.exit(code if isinstance(code, int) else 0)
