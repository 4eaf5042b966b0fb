"""``scoring render``: a year's PDFs (a scorecard per unit and the national summary) from scores.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape

from scoring.cli.console import err, guarded
from scoring.errors import ScoringError
from scoring.indicators.store import load_indicator_set
from scoring.report import render_reports
from scoring.report.moment import run_moment
from scoring.scores.models import ScoreReport
from scoring.settings import get_settings

YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
ScoresOpt = Annotated[Path | None, typer.Option(
    "-i", "--input", metavar="SCORES.json", help="评分结果（默认 outputs/YEAR/scores.json）")]
OutOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", metavar="DIR", help="输出目录（默认 outputs/YEAR）")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, max=64, help="并行渲染的进程数（默认等于 CPU 数）")]


def load_scores(path: Path) -> ScoreReport:
    """Read scores.json strictly; a missing or invalid file is a ``ScoringError`` with a Chinese message."""
    if not path.is_file():
        raise ScoringError(f"{path}: 文件不存在（先运行 scoring run 或 scoring score）")
    try:
        return ScoreReport.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "（根）"
        raise ScoringError(f"{path}: 不是有效的评分结果（{where}: {first['msg']}，"
                           f"共 {exc.error_count()} 处）") from exc


@guarded
def render(year: YearArg, scores: ScoresOpt = None, output: OutOpt = None,
           workers: WorkersOpt = None) -> None:
    """渲染 PDF：每个单位一份成绩单（DIR/scorecards/代码-名称.pdf）和全国汇总（DIR/summary.pdf）。"""
    year_dir = get_settings().outputs_dir / str(year)
    scores_file = scores or year_dir / "scores.json"
    out_dir = output or year_dir
    report = load_scores(scores_file)
    if report.year != year:
        raise ScoringError(f"{scores_file}: 是 {report.year} 年度的评分结果，不是 {year} 年度")
    indicator_set = load_indicator_set(str(year))
    paths = render_reports(report, indicator_set, out_dir, generated_at=run_moment(scores_file),
                           workers=workers)
    cards = sum(1 for p in paths if p.parent.name == "scorecards")
    err.print(f"已生成 {cards} 份成绩单和全国汇总：{escape(str(out_dir))}/")
