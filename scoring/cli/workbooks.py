"""``scoring template`` and ``scoring validate``: the provinces' workbooks out and back in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from scoring.cli.console import err, exit_with, guarded, out, print_problems
from scoring.errors import ScoringError
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
UnitOpt = Annotated[str | None, typer.Option("--unit", metavar="CODE", help="单位代码，如 110000")]
AllOpt = Annotated[bool, typer.Option("--all", help="为全部 32 个单位生成模板")]
CentralOpt = Annotated[bool, typer.Option("--central", help="生成全国办中央记录工作簿（每个单位一行）")]
OutOpt = Annotated[Path, typer.Option("-o", "--output", help="--unit 时为 .xlsx 文件，--all 时为目录")]


@guarded
def template(year: YearArg, output: OutOpt, unit: UnitOpt = None, every: AllOpt = False,
             central: CentralOpt = False) -> None:
    """生成报送模板（Excel）：单个单位（--unit）、全部单位（--all）或全国办中央记录（--central）。"""
    # openpyxl is imported here, not at start-up, so `scoring validate` starts quickly
    from scoring.files import write_bytes_atomically
    from scoring.workbook.central_template import build_central_template
    from scoring.workbook.template import template_name, workbook_bytes, write_template

    if sum((unit is not None, every, central)) != 1:
        err.print("请指定 --unit CODE、--all 或 --central 之一")
        exit_with(2)
    config = load_year_config(year)
    if config is None:
        raise ScoringError(f"没有 {year} 年度的指标配置（indicators/{year}.yaml）")
    if central:
        if output.suffix.lower() != ".xlsx":
            raise ScoringError(f"{output}: 工作簿文件应以 .xlsx 结尾")
        units = sorted(config.units.values(), key=lambda u: u.code)
        write_bytes_atomically(output, workbook_bytes(build_central_template(config.source, units)))
        err.print(f"已生成 {escape(str(output))}")
        return
    if unit is not None:
        chosen = config.units.get(unit)
        if chosen is None:
            raise ScoringError(f"单位代码 {unit} 不是 32 个考核单位之一（见 indicators/units.yaml）")
        target = output / template_name(chosen) if output.is_dir() else output
        if target.suffix.lower() != ".xlsx":
            raise ScoringError(f"{target}: 模板文件应以 .xlsx 结尾")
        write_template(config.source, chosen, target)
        err.print(f"已生成 {escape(str(target))}")
        return
    if output.exists() and not output.is_dir():
        raise ScoringError(f"{output}: 已存在且不是目录")
    for each in config.units.values():
        write_template(config.source, each, output / template_name(each))
    err.print(f"已生成 {len(config.units)} 个单位的模板：{escape(str(output))}/")


# no checks by click: an unreadable path must become a Chinese finding (exit 1), not a usage error
FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="上报的工作簿（.xlsx）", exists=False,
                                         readable=False, file_okay=True, dir_okay=True)]
CpuOpt = Annotated[int, typer.Option("--cpu-seconds", min=1, max=3600,
                                     help="校验允许使用的 CPU 时间（秒），超出即停止")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON 问题列表")]
ExpectYearOpt = Annotated[int | None, typer.Option("--year", min=2000, max=2100,
                                                   help="应为哪一年度的模板（默认按模板自身）")]


@guarded
def validate(file: FileArg, as_json: JsonOpt = False, year: ExpectYearOpt = None,
             cpu_seconds: CpuOpt = 60) -> None:
    """校验一份上报的工作簿，一次列出全部问题；有错误时退出码为 1。"""
    from scoring.limits import CpuLimitExceeded, cpu_limited

    try:
        with cpu_limited(cpu_seconds):
            submission = validate_submission(file, load_year_config, expected_year=year)
    except CpuLimitExceeded:
        raise ScoringError(f"{file}：校验超出 {cpu_seconds} 秒的 CPU 时间限制，已停止；"
                           "请确认文件是用本年度模板填写后保存的") from None
    if as_json:
        typer.echo(json.dumps(submission.findings_json(), ensure_ascii=False, indent=2))
    else:
        print_problems(submission.findings, console=out)
        verdict = "[green]通过[/]" if submission.valid else "[bold red]未通过[/]"
        err.print(f"{escape(submission.file)}：{verdict}（{escape(submission.summary_text())}）")
    exit_with(0 if submission.valid else 1)


SampleOut = Annotated[Path, typer.Option("-o", "--output", help="输出目录，如 sample_inputs/2022")]
InvalidOut = Annotated[Path | None, typer.Option("--invalid", help="同时生成各类问题的示例工作簿到此目录")]


@guarded
def sample(year: YearArg, output: SampleOut, invalid: InvalidOut = None) -> None:
    """生成 32 个单位的模拟报送工作簿（确定性）及全国办的中央记录工作簿。"""
    from scoring.workbook.sample import write_invalid_samples, write_samples

    config = load_year_config(year)
    if config is None:
        raise ScoringError(f"没有 {year} 年度的指标配置（indicators/{year}.yaml）")
    if output.exists() and not output.is_dir():
        raise ScoringError(f"{output}: 已存在且不是目录")
    written = write_samples(config, output)
    err.print(f"已生成 {len(written) - 1} 个单位的报送工作簿（{escape(str(output))}/）"
              f"和中央记录 {escape(str(written[-1]))}")
    if invalid is not None:
        other = next((c for y in (year - 2, year - 1, year + 1, year + 2)
                      if (c := load_year_config(y)) is not None), None)
        broken = write_invalid_samples(config, other, invalid)
        err.print(f"已生成 {len(broken) - 1} 个问题示例：{escape(str(invalid))}/")
