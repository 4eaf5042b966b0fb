"""``scoring score`` and ``scoring run``: parse arguments, call the pipeline, print the result."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from scoring.cli.console import err, exit_with, guarded, out
from scoring.pipeline import PipelineRequest, PipelineResult, previous_results_file, run_pipeline
from scoring.scores.models import ScoreReport, UnitStatus
from scoring.settings import get_settings
from scoring.workbook.layout import central_file_name

YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
InputArg = Annotated[Path, typer.Argument(metavar="INPUT_DIR", help="各单位报送工作簿所在目录")]
CentralOpt = Annotated[Path | None, typer.Option("--central", help="全国办中央记录工作簿")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="输出目录（默认 outputs/YEAR）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="在标准输出打印 scores.json 内容")]
PreviousOpt = Annotated[Path | None, typer.Option(
    "--previous", metavar="SCORES.json", help="上一考核年度的 scores.json（用于与上年比较）")]
AdjustmentsOpt = Annotated[Path | None, typer.Option(
    "--adjustments", metavar="FILE.yaml", help="审核调整记录（全国办对自报任务落实情况的调整及理由）")]
ObjectionsOpt = Annotated[Path | None, typer.Option(
    "--objections", metavar="FILE.json",
    help="反馈征求意见期间的异议及答复（门户导出的 objections-YEAR.json）")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", metavar="FILE.yaml", help="指标配置（默认 indicators/YEAR.yaml）")]
UnitsOpt = Annotated[Path | None, typer.Option(
    "--units", metavar="FILE.yaml", help="考核单位名单（默认 indicators/units.yaml）")]


class ConsoleProgress:
    """The pipeline's progress as a rich progress bar on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, label: str, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(label, total=total)

    def advance(self, label: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=label)


def command_line(ctx: typer.Context) -> list[str]:
    """The command and the options it was given (as parsed), for the manifest."""
    words = ["scoring", ctx.info_name or ""]
    for name, value in ctx.params.items():
        if value is None or value is False:
            continue
        words.append(name if value is True else f"{name}={value}")
    return words


def _summary(report: ScoreReport, result: PipelineResult) -> None:
    scored = report.scored()
    table = Table(title=f"{report.year} 年度考核结果（{len(scored)} 个单位已评分）")
    for column in ("名次", "单位", "总分", "等次", "档次", "稳健区间"):
        table.add_column(column, justify="right" if column in ("名次", "总分") else "left")
    shown = scored if len(scored) <= 10 else scored[:5] + scored[-5:]
    decimals = report.total_decimals
    for index, unit in enumerate(shown):
        if len(scored) > 10 and index == 5:
            table.add_row("…", "…", "", "", "", "")
        interval = "" if unit.robustness is None else (
            f"{unit.robustness.p05}" if unit.robustness.p05 == unit.robustness.p95
            else f"{unit.robustness.p05}–{unit.robustness.p95}")
        rank = str(unit.rank) if unit.rank is not None else "不排名"
        name = unit.name + ("（一票否决）" if unit.vetoes else "")
        table.add_row(rank, name, f"{unit.total:.{decimals}f}", unit.grade or "", unit.tier or "", interval)
    out.print(table)
    for unit in report.units:
        if unit.status is not UnitStatus.SCORED:
            label = "未评分" if unit.status is UnitStatus.NOT_SCORED else "未报送"
            out.print(f"[yellow]{label}[/] {escape(unit.name)}：{escape(unit.reason or '')}")
        for veto in unit.vetoes:
            out.print(f"[yellow]一票否决[/] {escape(unit.name)}：{escape(veto.name)}，{escape(veto.effect)}")
    for problem in report.findings:
        out.print(f"[yellow]注意[/] {escape(problem.render())}")
    pdfs = [p for p in result.files if p.suffix == ".pdf"]
    out.print("输出文件：" + "、".join(escape(str(p)) for p in result.files if p.suffix != ".pdf"))
    if pdfs:
        out.print(f"PDF：{len(pdfs)} 份（成绩单在 {escape(str(result.output / 'scorecards'))}/，"
                  "全国汇总 summary.pdf）")
    if report.previous is not None:
        years = sorted({u.trend.previous_year for u in report.units if u.trend is not None})
        compared = f"与{years[0]}年度比较" if len(years) == 1 else "与以往年度比较"
        source = next((r.path for r in result.manifest.inputs if r.role == "previous"), report.previous.file)
        out.print(f"{compared}，所用结果：{escape(os.path.normpath(result.output / source))}")


@guarded
def score(ctx: typer.Context, year: YearArg, input_dir: InputArg, central: CentralOpt = None,
          output: OutOpt = None, previous: PreviousOpt = None, config: ConfigOpt = None,
          units: UnitsOpt = None, adjustments: AdjustmentsOpt = None, objections: ObjectionsOpt = None,
          as_json: JsonOpt = False) -> None:
    """校验目录中的全部报送工作簿，评分、排名，写出 scores.json、ranking.xlsx、manifest.json。"""
    target = output or get_settings().outputs_dir / str(year)
    request = PipelineRequest(year=year, input_dir=input_dir, output=target, central=central,
                              previous=previous, adjustments=adjustments, objections=objections,
                              config=config, units=units, command=command_line(ctx))
    result = run_pipeline(request)
    if as_json:
        typer.echo(json.dumps(json.loads(result.report.model_dump_json()), ensure_ascii=False, indent=2))
    else:
        _summary(result.report, result)
    exit_with(0 if result.report.scored() else 1)


NoPdfOpt = Annotated[bool, typer.Option("--no-pdf", help="不生成 PDF 成绩单和全国汇总")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, help="生成 PDF 的进程数（默认每核一个）")]


@guarded
def run(ctx: typer.Context, year: YearArg, no_pdf: NoPdfOpt = False, workers: WorkersOpt = None,
        previous: PreviousOpt = None) -> None:
    """主任务：对 sample_inputs/YEAR 及其中央记录评分排名，全部结果（含 PDF）写入 outputs/YEAR/。

    与上年比较：默认使用 outputs/ 下此前最近一个考核年度的 scores.json（若有），可用 --previous 指定。
    """
    settings = get_settings()
    central = settings.sample_inputs_dir / central_file_name(year)
    request = PipelineRequest(
        year=year, input_dir=settings.sample_inputs_dir / str(year), output=settings.outputs_dir / str(year),
        central=central if central.is_file() else None,
        previous=previous or previous_results_file(settings.outputs_dir, year),
        pdf=not no_pdf, workers=workers, command=command_line(ctx))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err, transient=True) as progress:
        result = run_pipeline(request, ConsoleProgress(progress))
    _summary(result.report, result)
    exit_with(0 if result.report.scored() else 1)
