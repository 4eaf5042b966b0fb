"""``scoring audit`` and ``scoring schema``: the auditor's review of an indicator configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from scoring.cli.console import err, exit_with, guarded, out, print_problems
from scoring.errors import ConfigError
from scoring.files import write_bytes_atomically
from scoring.indicators.report import AuditReport, build_report
from scoring.indicators.schema import schema_text
from scoring.indicators.store import LoadedSet, indicator_path, load_located
from scoring.pipeline.scored_run import load_scored_run
from scoring.report.audit import audit_html, render_audit_pdf, shown_path
from scoring.report.audit_relative import RunEvidence, run_evidence
from scoring.yamlfile import write_atomically

_KIND_LABEL = {"score": "计分", "bonus": "加分", "deduction": "扣分", "veto": "一票否决"}


def _load(target: str, as_json: bool) -> LoadedSet:
    """Load a set or leave with its problems (exit 1), as JSON when asked."""
    try:
        return load_located(target)
    except ConfigError as exc:
        if as_json:
            out.print_json(json.dumps({"file": str(indicator_path(target)), "errors": len(exc.problems),
                                       "findings": [p.model_dump(mode="json") for p in exc.problems]},
                                      ensure_ascii=False))
        else:
            print_problems(exc.problems)
            err.print(f"[bold red]错误：[/]无法读取指标配置 {escape(str(indicator_path(target)))}")
        exit_with(1)


def _print_report(report: AuditReport) -> None:
    print_problems(report.findings, console=out)
    table = Table(title="各部分满分与可达最高分", title_justify="left")
    for head in ("部分", "名称", "类型", "满分", "可达最高分", "上限"):
        table.add_column(head, justify="right" if head in ("满分", "可达最高分", "上限") else "left")
    for s in report.sections:
        table.add_row(s.id, escape(s.name), _KIND_LABEL[s.kind.value], f"{s.points:g}",
                      f"{s.max_attainable:g}", "" if s.cap is None else f"{s.cap:g}")
    out.print(table)
    weights = Table(title="指标与有效权重", title_justify="left")
    for head in ("指标", "名称", "计分方法", "分值", "占总分", "任务数"):
        weights.add_column(head, justify="right" if head in ("分值", "占总分", "任务数") else "left")
    for w in report.indicators:
        weights.add_row(w.id, escape(w.name), w.kind_label, f"{w.points:g}",
                        f"{w.share:g}%" if w.share else "—", str(len(w.tasks)))
    out.print(weights)
    choices = Table(title="本配置选择的规则", title_justify="left")
    for head in ("字段", "规则", "取值", "含义"):
        choices.add_column(head, overflow="fold")  # every value and meaning in full, however narrow
    for rule in report.rules:
        choices.add_row(rule.field, rule.name, escape(rule.value), rule.meaning)
    out.print(choices)
    if report.coverage:
        covered = sum(1 for row in report.coverage if row.indicators)
        excluded = sum(1 for row in report.coverage if row.excluded and not row.indicators)
        out.print(f"任务覆盖：共 {len(report.coverage)} 项任务，{covered} 项由指标考核，{excluded} 项排除"
                  f"（覆盖矩阵见 --json 或 -o 报告.html）")
    if report.diff is not None:
        d = report.diff
        out.print(f"\n[bold]与 {d.old_year} 年比较[/]（{escape(d.old_file)}）")
        out.print(f"新增指标 {len(d.added)} 个：{escape('、'.join(i.name for i in d.added)) or '无'}")
        out.print(f"删除指标 {len(d.removed)} 个：{escape('、'.join(i.name for i in d.removed)) or '无'}")
        for r in d.reweighted:
            out.print(f"分值调整：{escape(r.name)} {r.old_points:g} → {r.new_points:g} 分")
        for c in d.rule_changed:
            out.print(f"规则变化：{escape(c.name)} {c.old_kind} → {c.new_kind}（{'、'.join(c.fields)}）")
        for choice in d.choices_changed:
            old, new = escape(choice.old or "（无）"), escape(choice.new or "（无）")
            out.print(f"规则选择变化：{escape(choice.name)}（{choice.field}）{old} → {new}")
        out.print(f"新纳入考核的任务 {len(d.tasks_newly_covered)} 项（{escape(d.tasks_method)}）")
    verdict = "[bold red]审计未通过[/]" if report.errors else "[bold green]审计通过[/]"
    out.print(f"\n{verdict}：{report.errors} 个错误，{report.warnings} 个警告")


TargetArg = Annotated[str, typer.Argument(
    metavar="YEAR|FILE.yaml", help="年份（读取 indicators/YEAR.yaml）或指标配置文件")]
AgainstOpt = Annotated[str | None, typer.Option(
    "--against", metavar="OTHER_YEAR|FILE.yaml", help="与另一年度或另一文件比较")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出机器可读的 JSON 报告")]
ReportOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", metavar="FILE.html|FILE.pdf", help="写出审计报告（HTML 或 PDF/A）")]
SchemaOutOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", metavar="FILE.json", help="写入文件（默认输出到屏幕）")]
ScoresOpt = Annotated[Path | None, typer.Option(
    "--scores", metavar="DIR|scores.json",
    help="评分结果（如 outputs/YEAR）：报告中加入相对指标的复算依据（各单位参考数据、折算值与得分）")]
UnitsOpt = Annotated[bool, typer.Option("--units", help="导出 units.yaml 的 JSON Schema")]


def _evidence(scores: Path, loaded: LoadedSet, report: AuditReport) -> RunEvidence:
    """The 复算 tables of the run in ``scores`` (refused when it is not of this config)."""
    run = load_scored_run(scores, loaded.indicator_set.year, report.config_sha256)
    return run_evidence(loaded.indicator_set, run.report, run.units, scores_file=shown_path(run.scores_file),
                        scores_sha256=run.scores_sha256, units_file=shown_path(run.units_file),
                        units_sha256=run.units_sha256, generated_at=run.generated_at)


def _print_evidence(evidence: RunEvidence) -> None:
    mismatched = [t for t in evidence.tables if t.mismatches]
    out.print(f"\n相对指标复算（{escape(evidence.scores_file)}）：{len(evidence.tables)} 项指标，"
              f"{evidence.scored} 个已评分单位，"
              + ("得分与评分结果一致" if not mismatched else
                 f"[bold red]{len(mismatched)} 项指标的得分与评分结果不同[/]"))
    for t in mismatched:
        out.print(f"  {t.id} {escape(t.name)}：{escape('；'.join(t.mismatches))}")


@guarded
def audit(target: TargetArg, against: AgainstOpt = None, as_json: JsonOpt = False,
          output: ReportOpt = None, scores: ScoresOpt = None) -> None:
    """审计指标配置：权重、规则、档次、任务覆盖、数据项；给出各部分可达最高分、覆盖矩阵、有效权重和年度比较；
    给出评分结果（--scores）时加入相对指标的复算依据。"""
    kind: Literal["html", "pdf"] | None = None
    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in (".html", ".htm", ".pdf"):
            err.print(f"[bold red]错误：[/]不支持的输出格式“{escape(output.suffix)}”，请使用 .html 或 .pdf")
            exit_with(2)
        kind = "pdf" if suffix == ".pdf" else "html"
    loaded = _load(target, as_json)
    other = _load(against, as_json) if against is not None else None
    report = build_report(loaded, other)
    evidence = _evidence(scores, loaded, report) if scores is not None else None
    if kind == "html" and output is not None:
        write_atomically(output, audit_html(report, loaded.indicator_set, evidence=evidence))
        err.print(f"已写入 {escape(str(output))}")
    elif kind == "pdf" and output is not None:
        write_bytes_atomically(output, render_audit_pdf(report, loaded.indicator_set, evidence))
        err.print(f"已写入 {escape(str(output))}")
    if as_json:
        out.print_json(report.model_dump_json())
    else:
        _print_report(report)
        if evidence is not None:
            _print_evidence(evidence)
    unreproduced = evidence is not None and any(t.mismatches for t in evidence.tables)
    exit_with(1 if report.errors or unreproduced else 0)


def schema(output: SchemaOutOpt = None, units: UnitsOpt = False) -> None:
    """导出指标配置文件的 JSON Schema，供编辑器在审计人员编辑 YAML 时校验。"""
    text = schema_text("units" if units else "indicators")
    if output is None:
        out.print(text, end="", markup=False, highlight=False)
        return
    write_atomically(output, text)
    err.print(f"已写入 {escape(str(output))}")
