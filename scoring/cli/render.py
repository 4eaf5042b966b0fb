"""``scoring render``: a year's PDFs (a scorecard per unit and the national summary) from scores.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from scoring.cli.console import err, guarded
from scoring.pipeline import render_results
from scoring.settings import get_settings

YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
ScoresOpt = Annotated[Path | None, typer.Option(
    "-i", "--input", metavar="SCORES.json", help="评分结果（默认 outputs/YEAR/scores.json）")]
OutOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", metavar="DIR", help="输出目录（默认为评分结果所在目录）")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, max=64, help="并行渲染的进程数（默认等于 CPU 数）")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", metavar="FILE.yaml",
    help="评分时所用的指标配置（默认 indicators/YEAR.yaml；须与评分结果记录的 SHA-256 一致）")]


@guarded
def render(year: YearArg, scores: ScoresOpt = None, output: OutOpt = None,
           workers: WorkersOpt = None, config: ConfigOpt = None) -> None:
    """渲染 PDF：每个单位一份成绩单（DIR/scorecards/代码-名称.pdf）和全国汇总（DIR/summary.pdf）。"""
    scores_file = scores or get_settings().outputs_dir / str(year) / "scores.json"
    result = render_results(year, scores_file, output, config=config, workers=workers)
    cards = sum(1 for p in result.files if p.parent.name == "scorecards")
    err.print(f"已生成 {cards} 份成绩单和全国汇总：{escape(str(result.output))}/")
