"""``scoring indicators draft``: next year's indicator set drafted from last year's and the new plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from scoring.catalogue.store import load_plan
from scoring.cli.console import err, exit_with, guarded
from scoring.indicators.draft import write_draft
from scoring.indicators.store import load_located
from scoring.settings import get_settings
from scoring.yamlfile import write_atomically

app = typer.Typer(help="指标配置：由新一年的任务目录起草下一年度的指标配置。", no_args_is_help=True)

YearArg = Annotated[int, typer.Argument(metavar="NEW_YEAR", min=2000, max=2100, help="新考核年度")]
PlanOpt = Annotated[Path, typer.Option("--plan", metavar="CATALOGUE.yaml", help="新一年的任务目录")]
FromOpt = Annotated[str, typer.Option("--from", metavar="OLD_YEAR|FILE.yaml", help="作为起点的上一年度配置")]
OutOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", metavar="DRAFT.yaml",
    help="写入此文件（可覆盖）；默认 indicators/NEW_YEAR-draft.yaml，已存在时不覆盖")]


@app.command("draft")
@guarded
def draft(new_year: YearArg, plan: PlanOpt, from_year: FromOpt, output: OutOpt = None) -> None:
    """由新任务目录和上一年度配置起草指标配置：任务编号按目录比较改写，新任务列入 todo，引文重新核对。"""
    old = load_located(from_year)
    new_plan = load_plan(str(plan))
    if new_plan.year != new_year:
        err.print(f"[bold red]错误：[/]{escape(str(plan))} 是 {new_plan.year} 年的任务目录，"
                  f"不是 {new_year} 年的")
        exit_with(1)
    target = output or get_settings().indicators_dir / f"{new_year}-draft.yaml"
    if output is None and target.exists():
        err.print(f"[bold red]错误：[/]{escape(str(target))} 已存在，未覆盖；如需覆盖请用 -o 指定")
        exit_with(1)
    text = write_draft(old.file, old.load_catalogue(), new_plan, plan, target)
    write_atomically(target, text)
    err.print(f"已写入 {escape(str(target))}；请用 scoring audit {escape(str(target))} 查看尚待决定的事项")
