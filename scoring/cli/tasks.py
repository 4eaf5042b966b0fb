"""``scoring tasks``: extract a plan into a catalogue, show it, compare two years."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from scoring.catalogue.decoding import read_plan_file
from scoring.catalogue.departments import load_registry
from scoring.catalogue.diff import DEFAULT_THRESHOLD, Changes, diff_plans
from scoring.catalogue.extract import extract_plan
from scoring.catalogue.models import ID_PREFIX_PATTERN, Plan, Role, Task, section_groups
from scoring.catalogue.store import (
    catalogue_path,
    default_catalogue_file,
    load_plan,
    replacement_problems,
    save_plan,
)
from scoring.cli.console import err, exit_with, guarded, out, print_problems
from scoring.indicators.units import load_units
from scoring.problems import Severity, escalate, has_errors
from scoring.settings import get_settings

app = typer.Typer(help="任务目录：从工作要点提取、查看、比较。", no_args_is_help=True)

PlanArg = Annotated[Path, typer.Argument(metavar="PLAN.txt|PLAN.md", help="工作要点原文（UTF-8 或 GBK）")]
YearOpt = Annotated[
    int | None, typer.Option("--year", min=2000, max=2100, help="年份（默认从标题或文号识别）")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="输出文件（默认全国要点 indicators/tasks/YEAR.yaml，"
                                         "地方要点 indicators/tasks/前缀-YEAR.yaml）"),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="任何警告（如未归入任务的文字）都视为错误，退出码 1")
]


def _check_prefix(value: str | None) -> str | None:
    if value is not None and not re.match(ID_PREFIX_PATTERN, value):
        raise typer.BadParameter("只能由 1–20 个汉字、字母或数字组成，如 310000 或 杭州市")
    return value


PrefixOpt = Annotated[
    str | None,
    typer.Option("--prefix", callback=_check_prefix,
                 help="任务编号前缀（默认：全国要点无前缀，省级单位用单位代码，其他地区用地名）"),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="输出文件已是另一份要点的目录（或不是目录）时仍然覆盖")
]
CatalogueArg = Annotated[
    str,
    typer.Argument(metavar="YEAR|PREFIX-YEAR|FILE.yaml",
                   help="年份（读 indicators/tasks/YEAR.yaml）、前缀-年份（如 310000-2022）或目录文件"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]
ThresholdOpt = Annotated[
    float, typer.Option("--threshold", min=0.0, max=1.0, help="视为延续的最低相似度")
]


@app.command("extract")
@guarded
def extract(plan_file: PlanArg, year: YearOpt = None, output: OutputOpt = None,
            strict: StrictOpt = False, prefix: PrefixOpt = None, force: ForceOpt = False) -> None:
    """从工作要点原文提取任务目录（YAML）。不覆盖另一份要点的目录（除非 --force）。"""
    raw, text, encoding = read_plan_file(plan_file)
    registry = load_registry(get_settings().departments_file)
    units = {unit.name: unit.code for unit in load_units().units}
    result = extract_plan(text, source_name=str(plan_file), raw=raw, encoding=encoding,
                          registry=registry, year=year, units=units, id_prefix=prefix)
    problems = escalate(result.problems) if strict else result.problems
    print_problems(problems)
    if has_errors(problems):
        errors = sum(p.severity is Severity.ERROR for p in problems)
        err.print(f"[bold red]提取失败[/]：{errors} 个错误，未写入文件")
        exit_with(1)
    plan = result.plan
    target = output or default_catalogue_file(plan.year, result.id_prefix)
    conflicts = replacement_problems(plan, target)
    if conflicts and not force:
        print_problems(conflicts)
        err.print(f"[bold red]未写入[/]：{escape(str(target))} 保持不变。确需替换请加 --force，"
                  "或用 -o 指定其他文件")
        exit_with(1)
    if conflicts:
        print_problems([p.model_copy(update={"severity": Severity.WARNING}) for p in conflicts])
        err.print(f"按 --force 替换 {escape(str(target))}")
    save_plan(plan, target)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    subsections = sum(len(s.subsections) for s in plan.sections)
    err.print(
        f"已写入 {escape(str(target))}：{plan.year} 年，{len(plan.sections)} 个部分、"
        f"{subsections} 个小标题、{len(plan.tasks())} 项任务"
        + (f"，{warnings} 个警告" if warnings else "")
    )


def _departments(task: Task) -> str:
    names = dict.fromkeys(
        d.name + ("（牵头）" if d.role is Role.LEAD else "")
        for clause in task.clauses for d in clause.departments
    )
    return "、".join(names) or "—"


def _tree(plan: Plan) -> Tree:
    head = f"[bold]{escape(plan.title)}[/]"
    if plan.doc_number:
        head += f"（{escape(plan.doc_number)}）"
    tree = Tree(head)
    for section in plan.sections:
        heading = f"{section.label}、{escape(section.title)}" if section.label else "（无部分标题）"
        branch = tree.add(f"[bold]{heading}[/]  [dim]{len(section.tasks)} 项任务[/]")
        for sub, tasks in section_groups(section):
            node = branch if sub is None else branch.add(f"{sub.label}{escape(sub.title)}")
            for task in tasks:
                node.add(f"[cyan]{task.id}[/] {escape(task.title)}  [dim]{escape(_departments(task))}[/]")
    return tree


@app.command("show")
@guarded
def show(year_or_file: CatalogueArg, as_json: JsonOpt = False) -> None:
    """查看任务目录：部分、小标题、任务及责任部门；--json 输出 Plan 模型。"""
    plan = load_plan(year_or_file)
    if as_json:
        typer.echo(plan.model_dump_json(indent=2))
        return
    out.print(_tree(plan))
    out.print(f"共 {len(plan.sections)} 个部分、{len(plan.tasks())} 项任务"
              f"（{escape(str(catalogue_path(year_or_file)))}）")


def _changes_table(level: str, changes: Changes, old_year: int, new_year: int) -> Table:
    table = Table(title=f"{level}：延续 {len(changes.carried_over)}，新增 {len(changes.added)}，"
                        f"删除 {len(changes.dropped)}")
    for column in ("变化", str(old_year), str(new_year)):
        table.add_column(column)
    table.add_column("相似度", justify="right")
    for match in changes.carried_over:
        table.add_row("延续", escape(f"{match.old.id} {match.old.title}"),
                      escape(f"{match.new.id} {match.new.title}"), f"{match.similarity:.2f}")
    for item in changes.added:
        table.add_row("[green]新增[/]", "", escape(f"{item.id} {item.title}"),
                      f"{item.best_similarity:.2f}")
    for item in changes.dropped:
        table.add_row("[red]删除[/]", escape(f"{item.id} {item.title}"), "",
                      f"{item.best_similarity:.2f}")
    return table


@app.command("diff")
@guarded
def diff(old: CatalogueArg, new: CatalogueArg, as_json: JsonOpt = False,
         threshold: ThresholdOpt = DEFAULT_THRESHOLD) -> None:
    """比较两年的任务目录：新增、删除、延续的部分和任务（按文字相似度匹配）。"""
    result = diff_plans(load_plan(old), load_plan(new), threshold=threshold)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    out.print(_changes_table("部分", result.sections, result.old_year, result.new_year))
    out.print(_changes_table("任务", result.tasks, result.old_year, result.new_year))
