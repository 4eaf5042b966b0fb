"""Shared console helpers for the CLI: one stdout console, one stderr console, problem tables."""

from __future__ import annotations

from typing import NoReturn

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
    if problems and len(problems) > 1:
        print_problems(problems)
    err.print(f"[bold red]错误：[/]{escape(message)}")
    raise SystemExit(1)


def exit_with(code: int) -> NoReturn:
    """Leave the command with ``code``."""
    raise typer.Exit(code)
