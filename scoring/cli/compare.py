"""``scoring compare``: the same inputs under two configs, unit by unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.console import err, guarded, out
from scoring.files import write_bytes_atomically
from scoring.pipeline import PipelineRequest
from scoring.pipeline.compare import Comparison, compare_configs

YearArg = Annotated[int, typer.Argument(metavar="YEAR", min=2000, max=2100, help="考核年度")]
ConfigA = Annotated[Path, typer.Argument(metavar="CONFIG_A", help="现行指标配置")]
ConfigB = Annotated[Path, typer.Argument(metavar="CONFIG_B", help="拟采用的指标配置（可为草稿）")]
InputsOpt = Annotated[Path, typer.Option("--inputs", metavar="DIR", help="各单位报送工作簿所在目录")]
CentralOpt = Annotated[Path | None, typer.Option("--central", metavar="FILE", help="全国办中央记录工作簿")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]
XlsxOpt = Annotated[Path | None, typer.Option("-o", "--output", metavar="比较.xlsx", help="写出比较工作簿")]


def _num(value: float | int | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+g}" if signed else f"{value:g}"


def _drivers(unit_drivers: list) -> str:  # type: ignore[type-arg]
    return "；".join(f"{d.indicator} {d.name} {d.change:+.2f}" for d in unit_drivers)


def comparison_xlsx(comparison: Comparison, year: int) -> bytes:
    """The comparison as one worksheet (headers in Chinese), the same bytes for the same result."""
    from openpyxl import Workbook

    from scoring.workbook.template import fixed_properties, workbook_bytes

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "配置比较"
    sheet.append(["单位代码", "单位", "总分（A）", "总分（B）", "变化", "名次（A）", "名次（B）", "名次变化",
                  "等次（A）", "等次（B）", "档次（A）", "档次（B）", "主要影响指标"])
    for u in comparison.units:
        sheet.append([u.code, u.name, u.total_a, u.total_b, u.total_change, u.rank_a, u.rank_b,
                      u.rank_change, u.grade_a, u.grade_b, u.tier_a, u.tier_b, _drivers(u.drivers)])
    fixed_properties(book, year, "指标配置比较")
    return workbook_bytes(book)


@guarded
def compare(year: YearArg, config_a: ConfigA, config_b: ConfigB, inputs: InputsOpt,
            central: CentralOpt = None, as_json: JsonOpt = False, output: XlsxOpt = None) -> None:
    """用两份指标配置对同一批报送评分（与 scoring score 同一流水线，不写 outputs/），逐单位比较。"""
    request = PipelineRequest(year=year, input_dir=inputs, output=Path(), central=central)
    comparison, _, _ = compare_configs(request, config_a, config_b)
    if output is not None:
        write_bytes_atomically(output, comparison_xlsx(comparison, year))
        err.print(f"已写入 {escape(str(output))}")
    if as_json:
        typer.echo(json.dumps({"units": [u.model_dump(mode="json") for u in comparison.units]},
                              ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{year} 年度：{escape(str(config_a))}（A）与 {escape(str(config_b))}（B）")
    for head in ("单位", "总分 A", "总分 B", "变化", "名次 A→B", "等次 A→B", "档次 A→B", "主要影响指标"):
        table.add_column(head)
    for u in comparison.units:
        moved = u.grade_a != u.grade_b or u.tier_a != u.tier_b
        table.add_row(("[bold]" if moved else "") + escape(u.name) + ("[/]" if moved else ""),
                      _num(u.total_a), _num(u.total_b), _num(u.total_change, True),
                      f"{_num(u.rank_a)}→{_num(u.rank_b)}", f"{u.grade_a or '—'}→{u.grade_b or '—'}",
                      f"{u.tier_a or '—'}→{u.tier_b or '—'}", escape(_drivers(u.drivers)))
    out.print(table)
    changed = sum(1 for u in comparison.units if u.grade_a != u.grade_b or u.tier_a != u.tier_b)
    out.print(f"等次或档次变化的单位 {changed} 个（列在最前）")
