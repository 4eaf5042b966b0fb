"""Shared console helpers for the CLI: one stdout console, one stderr console, problem tables."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from scoring.problems import SEVERITY_LABELS, Problem, Severity

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def print_problems(problems: list[Problem], *, console: Console = err) -> None:
    """Problems one per line: location, severity, code and message, coloured by severity."""
    for p in problems:
        where = f"{escape(p.where())}: " if p.where() else ""
        console.print(f"{where}[{_STYLE[p.severity]}]{SEVERITY_LABELS[p.severity]}[/]"
                      f"[dim]{escape(f'[{p.code}]')}[/] {escape(p.message)}")


def fail(message: str, problems: list[Problem] | None = None) -> NoReturn:
    """Print an error (and its problems) to stderr and exit 1."""
    if problems and (len(problems) > 1 or problems[0].message not in message):
        print_problems(problems)
        files = sorted({p.file for p in problems if p.file})
        where = f"{'、'.join(files)}：" if files else ""
        message = f"{where}共 {len(problems)} 处问题，请逐一修正"
    err.print(f"[bold red]错误：[/]{escape(message)}")
    raise SystemExit(1)


def exit_with(code: int) -> NoReturn:
    """Leave the command with ``code``."""
    raise typer.Exit(code)


P = ParamSpec("P")
R = TypeVar("R")


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so its errors go to the one handler (``scoring.cli.errors``), never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the one error handler
            from scoring.cli.errors import report_error  # it prints through this module

            report_error(exc)

    return wrapper
