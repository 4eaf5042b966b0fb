"""The command line's one error handler: every error that reaches the edge becomes a Chinese message
and an exit code, never a traceback or click's English usage box.

* usage errors (a misspelt command, a missing or unknown option, a value of the wrong type): the
  message, the command's own usage line, exit 2;
* ``ConfigError`` / ``ScoringError``: the message (and the problems), exit 1;
* an interrupt: 已中断 and whether anything was written, exit 130;
* a file operation that failed: the file and the reason, exit 1;
* anything else is a programming error: 内部错误 with its type, exit 1 (``SCORING_DEBUG=1`` re-raises).
"""

from __future__ import annotations

import difflib
import os
import re
from typing import NoReturn

import typer
from rich.markup import escape
from typer import _click as click  # typer carries its own copy of click
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperGroup, TyperOption

from scoring.cli.console import err, fail
from scoring.errors import ConfigError, ScoringError

USAGE_EXIT = 2
_TYPES = {"integer": "整数", "float": "数字", "boolean": "是/否", "date": "日期"}


def report_error(exc: BaseException) -> NoReturn:
    """Turn ``exc`` into its Chinese message and exit; exits already decided pass through."""
    if isinstance(exc, typer.Exit | SystemExit):
        raise exc
    if isinstance(exc, UsageError):
        _usage_error(exc)
    if isinstance(exc, typer.Abort):
        err.print("[bold red]已中止[/]：未作任何更改")
        raise SystemExit(1)
    if isinstance(exc, click.ClickException):
        fail(f"命令行参数有误：{exc.format_message()}")
    if isinstance(exc, ConfigError):
        fail(str(exc), exc.problems)
    if isinstance(exc, ScoringError):
        fail(str(exc))
    if isinstance(exc, KeyboardInterrupt):
        committed = getattr(exc, "committed", False)  # the pipeline's Interrupted says
        err.print(f"[bold red]已中断[/]：{'新结果已完整写入' if committed else '输出未作任何更改'}")
        raise SystemExit(130)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}文件操作失败（{exc.strerror or exc}）")
    if os.environ.get("SCORING_DEBUG"):
        raise exc
    fail(f"内部错误：{type(exc).__name__}: {exc}（设置 SCORING_DEBUG=1 可查看详细信息）")


def usage_line(ctx: click.Context | None) -> str:
    """``scoring score [选项] YEAR INPUT_DIR``: the command's own usage, in Chinese."""
    if ctx is None:
        return "scoring [选项] 命令 [参数]..."
    pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
    pieces = pieces.replace("[OPTIONS]", "[选项]").replace("COMMAND", "命令").replace("[ARGS]", "[参数]")
    return re.sub(r"[{}]", "", f"{ctx.command_path} {pieces}")


def _hint(exc: BadParameter) -> str:
    if exc.param is None:
        return "参数"
    hint = exc.param.get_error_hint().strip("'")
    return hint if hint.startswith("-") else hint.upper()


def usage_message(exc: UsageError) -> str:
    """What was wrong with the command line, in Chinese."""
    if isinstance(exc, NoSuchOption):
        close = f"，是否想用 {'、'.join(sorted(exc.possibilities or []))}" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{close}"
    if isinstance(exc, MissingParameter):
        what = "选项" if isinstance(exc.param, TyperOption) else "参数"
        return f"缺少{what} {_hint(exc)}"
    if isinstance(exc, BadParameter):
        value = re.search(r"'([^']*)'", exc.message)
        given = f"“{value[1]}”" if value else ""
        if "does not exist" in exc.message:
            return f"{_hint(exc)} 指向的路径{given}不存在"
        kind = next((zh for en, zh in _TYPES.items() if en in exc.message.lower()), None)
        bound = re.search(r"(greater|less) than (or equal to )?(-?[\d.]+)", exc.message)
        if bound is not None:
            side = {("greater", True): "不小于", ("greater", False): "大于",
                    ("less", True): "不大于", ("less", False): "小于"}[(bound[1], bool(bound[2]))]
            return f"{_hint(exc)} 的值无效，应{side} {bound[3]}"
        return f"{_hint(exc)} 的值无效" + (f"，应为{kind}" if kind else "")
    if isinstance(exc, BadOptionUsage):
        return f"选项 {exc.option_name} 缺少取值" if "requires an argument" in exc.message else \
            f"选项 {exc.option_name} 用法有误"
    command = re.match(r"No such command '([^']*)'", exc.message)
    if command is not None:
        group = exc.ctx.command if exc.ctx is not None else None
        commands: list[str] = (group.list_commands(exc.ctx) if isinstance(group, TyperGroup) and exc.ctx
                               else [])
        similar = difflib.get_close_matches(command[1], commands, n=3)
        hint = f"，是否想用 {'、'.join(similar)}" if similar else ""
        return f"没有命令 {command[1]}{hint}"
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", exc.message)
    if extra is not None:
        return f"多余的参数：{extra[1]}"
    return "命令行参数有误"


def _usage_error(exc: UsageError) -> NoReturn:
    help_path = exc.ctx.command_path if exc.ctx is not None else "scoring"
    err.print(f"[bold red]错误：[/]{escape(usage_message(exc))}")
    err.print(f"用法：{escape(usage_line(exc.ctx))}")
    err.print(f"运行 {escape(help_path)} --help 查看说明")
    raise SystemExit(USAGE_EXIT)
