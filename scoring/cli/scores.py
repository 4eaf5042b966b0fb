"""``scoring score`` and ``scoring run``: validate, score, rank and write the year's results."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from scoring.cli.console import err, exit_with, guarded, out
from scoring.errors import ScoringError
from scoring.indicators.store import indicator_path
from scoring.scores.collect import workbook_files
from scoring.scores.models import ScoreReport, UnitStatus
from scoring.settings import get_settings
from scoring.workbook.layout import central_file_name
from scoring.workbook.source import YearConfig
from scoring.workbook.years import load_year_config

YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
InputArg = Annotated[Path, typer.Argument(metavar="INPUT_DIR", help="各单位报送工作簿所在目录")]
CentralOpt = Annotated[Path | None, typer.Option("--central", help="全国办中央记录工作簿")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="输出目录（默认 outputs/YEAR）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="在标准输出打印 scores.json 内容")]


def _config(year: int) -> YearConfig:
    config = load_year_config(year)
    if config is None:
        raise ScoringError(f"没有 {year} 年度的指标配置（indicators/{year}.yaml）")
    return config


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise ScoringError(f"{folder}: 目录不存在")
    if not folder.is_dir():
        raise ScoringError(f"{folder}: 不是目录")


def _score(year: int, folder: Path, central: Path | None, output: Path,
           progress: Progress | None = None, pdf: bool = False,
           workers: int | None = None) -> tuple[ScoreReport, list[Path]]:
    from scoring.scores.outputs import write_manifest, write_results  # openpyxl, numpy: only here
    from scoring.scores.year import score_folder

    _check_folder(folder)
    if output.exists() and not output.is_dir():
        raise ScoringError(f"{output}: 已存在且不是目录，无法写入结果")
    if central is not None and not central.is_file():
        raise ScoringError(f"{central}: 中央记录工作簿不存在")
    config = _config(year)
    files = workbook_files(folder)
    task = progress.add_task("校验并读取报送工作簿", total=len(files)) if progress else None

    def advance(path: Path) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=1, description=f"校验 {path.name}")

    report = score_folder(config, folder, central, load_year_config,
                          outputs_dir=output.parent, progress=advance)
    generated_at = datetime.now(UTC).replace(microsecond=0)
    written = write_results(report, output)
    if pdf:
        from scoring.report import render_reports  # WeasyPrint: only when PDFs are wanted

        if progress is not None:
            progress.add_task(f"生成 {len(report.units)} 份成绩单和全国汇总（PDF）", total=None)
        written += render_reports(report, config.indicator_set, output, generated_at=generated_at,
                                  workers=workers)
    inputs = files + ([central] if central is not None else [])
    written.append(write_manifest(report, output, indicator_path(str(year)), inputs, written,
                                  generated_at))
    return report, written


def _summary(report: ScoreReport, written: list[Path]) -> None:
    scored = report.scored()
    table = Table(title=f"{report.year} 年度考核结果（{len(scored)} 个单位已评分）")
    for column in ("名次", "单位", "总分", "等次", "档次", "稳健区间"):
        table.add_column(column, justify="right" if column in ("名次", "总分") else "left")
    shown = scored if len(scored) <= 10 else scored[:5] + scored[-5:]
    for index, unit in enumerate(shown):
        if len(scored) > 10 and index == 5:
            table.add_row("…", "…", "", "", "", "")
        interval = f"{unit.robustness.p05}–{unit.robustness.p95}" if unit.robustness else ""
        table.add_row(str(unit.rank), unit.name, f"{unit.total:.2f}", unit.grade or "",
                      unit.tier or "", interval)
    out.print(table)
    for unit in report.units:
        if unit.status is not UnitStatus.SCORED:
            label = "未评分" if unit.status is UnitStatus.NOT_SCORED else "未报送"
            out.print(f"[yellow]{label}[/] {escape(unit.name)}：{escape(unit.reason or '')}")
    for problem in report.findings:
        out.print(f"[yellow]注意[/] {escape(problem.render())}")
    pdfs = [p for p in written if p.suffix == ".pdf"]
    out.print("输出文件：" + "、".join(escape(str(p)) for p in written if p.suffix != ".pdf"))
    if pdfs:
        cards = next((p.parent for p in pdfs if p.parent.name == "scorecards"), None)
        where = f"成绩单在 {escape(str(cards))}/，" if cards else ""
        out.print(f"PDF：{len(pdfs)} 份（{where}全国汇总 summary.pdf）")


@guarded
def score(year: YearArg, input_dir: InputArg, central: CentralOpt = None, output: OutOpt = None,
          as_json: JsonOpt = False) -> None:
    """校验目录中的全部报送工作簿，评分、排名，写出 scores.json、ranking.xlsx、manifest.json。"""
    target = output or get_settings().outputs_dir / str(year)
    report, written = _score(year, input_dir, central, target)
    if as_json:
        typer.echo(json.dumps(json.loads(report.model_dump_json()), ensure_ascii=False, indent=2))
    else:
        _summary(report, written)
    exit_with(0 if report.scored() else 1)


NoPdfOpt = Annotated[bool, typer.Option("--no-pdf", help="不生成 PDF 成绩单和全国汇总")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, help="生成 PDF 的进程数（默认每核一个）")]


@guarded
def run(year: YearArg, no_pdf: NoPdfOpt = False, workers: WorkersOpt = None) -> None:
    """主任务：对 sample_inputs/YEAR 及其中央记录评分排名，全部结果（含 PDF）写入 outputs/YEAR/。"""
    settings = get_settings()
    folder = settings.sample_inputs_dir / str(year)
    central = settings.sample_inputs_dir / central_file_name(year)
    output = settings.outputs_dir / str(year)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err, transient=True) as progress:
        report, written = _score(year, folder, central if central.is_file() else None, output,
                                 progress, pdf=not no_pdf, workers=workers)
    _summary(report, written)
    exit_with(0 if report.scored() else 1)
