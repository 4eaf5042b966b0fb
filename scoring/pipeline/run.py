"""The one pipeline: collect → validate → score → rank → write → render → manifest.

``run_pipeline(request)`` is the single entry point the command line and the portal call; it
takes every input explicitly (year, input folder, central records, previous results, config and
unit list, output folder, options) and returns the report and what it wrote. The whole output set
is built in a staging folder beside the target and swapped in at the end, so an error or Ctrl-C
leaves the previous set whole (``Interrupted`` says whether the swap had happened).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from scoring.errors import InputError, ScoringError
from scoring.pipeline.environment import engine, libraries
from scoring.pipeline.inputs import YearFiles, load_year_files
from scoring.pipeline.manifest import (
    MANIFEST_FILE,
    FileRecord,
    Manifest,
    Options,
    manifest_bytes,
    record,
    relative,
)
from scoring.pipeline.staging import staged
from scoring.problems import Problem, Severity
from scoring.scores.adjustments import Adjustments, read_adjustments
from scoring.scores.collect import Collected, collect, input_entries
from scoring.scores.models import ObjectionRecord, ObjectionTally, ScoreReport
from scoring.scores.trend import PreviousResults, read_previous
from scoring.scores.year import score_year
from scoring.workbook import layout as L
from scoring.workbook.submission import ItemValue, Submission
from scoring.workbook.validate import validate_submission

STATES = ("lodged", "withdrawn", "accepted", "rejected")  # an objection's states in objections-YEAR.json


class Progress(Protocol):
    """Where the pipeline reports what it is doing (a console bar, a job row in the portal)."""

    def stage(self, label: str, total: int | None = None) -> None:
        """A new stage begins, with the number of steps when known."""

    def advance(self, label: str) -> None:
        """One step of the current stage is done."""


class _Silent:
    def stage(self, label: str, total: int | None = None) -> None:
        return None

    def advance(self, label: str) -> None:
        return None


@dataclass(frozen=True)
class PipelineRequest:
    """Everything a run needs, named explicitly; ``None`` paths take the project's defaults."""

    year: int
    input_dir: Path
    output: Path
    central: Path | None = None
    previous: Path | None = None
    adjustments: Path | None = None
    objections: Path | None = None  # the portal's objections and answers (a record of the run's inputs)
    config: Path | None = None
    units: Path | None = None
    pdf: bool = False
    workers: int | None = None
    generated_at: datetime | None = None
    command: Sequence[str] = field(default_factory=tuple)
    # a what-if run (scoring compare): the config may be a draft with tasks in todo, and the inputs
    # are validated against the config their templates were made from (``templates_config``)
    what_if: bool = False
    templates_config: Path | None = None


@dataclass(frozen=True)
class PipelineResult:
    """The report, where it was written, every file written and the manifest."""

    report: ScoreReport
    output: Path
    files: list[Path]
    manifest: Manifest


def _check_inputs(request: PipelineRequest) -> None:
    folder = request.input_dir
    if not folder.exists():
        raise InputError(f"{folder}: 目录不存在")
    if not folder.is_dir():
        raise InputError(f"{folder}: 不是目录")
    for label, path in (("中央记录工作簿", request.central), ("上年度评分结果", request.previous),
                        ("审核调整文件", request.adjustments), ("异议及答复文件", request.objections)):
        if path is not None and not path.is_file():
            raise InputError(f"{path}: {label}不存在")


def _central(path: Path | None, files: YearFiles, year: int, findings: list[Problem]
             ) -> tuple[dict[str, dict[str, ItemValue]], Submission | None]:
    if path is None:
        findings.append(Problem(code="central-missing", severity=Severity.WARNING,
                                message="未提供全国办中央记录工作簿，相关指标按缺失处理"))
        return {}, None
    submission = validate_submission(path, files.loader(), expected_year=year)
    located = [f.model_copy(update={"file": path.name}) for f in submission.findings]
    if submission.unit_code != L.CENTRAL_UNIT:
        findings.append(Problem(code="central-not-central", severity=Severity.ERROR, file=path.name,
                                message="指定的中央记录文件不是全国办中央记录工作簿，相关指标按缺失处理"))
        findings.extend(f for f in located if f.severity is Severity.ERROR)
        return {}, submission
    findings.extend(located)
    return submission.central, submission


def _read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror or exc}）") from None


def _adjustments(path: Path | None) -> tuple[Adjustments | None, bytes | None]:
    if path is None:
        return None, None
    data = _read_input(path)
    return read_adjustments(data, path), data


def _objections(path: Path | None, year: int) -> tuple[ObjectionRecord | None, bytes | None]:
    """The objections file, checked to be the JSON record of ``year``'s objections, tallied (all
    units and each one) for the scorecards and the 通报; and its bytes."""
    if path is None:
        return None, None
    data = _read_input(path)
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: 异议及答复文件不是有效的 JSON（{exc}）") from None
    items = body.get("objections") if isinstance(body, dict) else None
    well_formed = isinstance(items, list) and all(
        isinstance(i, dict) and isinstance(i.get("unit"), str) and i.get("state") in STATES for i in items)
    if not isinstance(items, list) or not well_formed or body.get("year") != year:
        raise InputError(f"{path}: 不是 {year} 年度的异议及答复文件")
    tallies: dict[str, dict[str, int]] = {}
    for item in items:
        for key in ("", item["unit"]):
            tally = tallies.setdefault(key, dict.fromkeys(STATES, 0) | {"total": 0})
            tally[item["state"]] += 1
            tally["total"] += 1
    everyone = tallies.pop("", {})
    record = ObjectionRecord(file=path.name, sha256=hashlib.sha256(data).hexdigest(),
                             all=ObjectionTally(**everyone),
                             units={k: ObjectionTally(**v) for k, v in sorted(tallies.items())})
    return record, data


def _previous(path: Path | None, year: int) -> tuple[PreviousResults | None, bytes | None]:
    if path is None:
        return None, None
    data = _read_input(path)
    return read_previous(data, path.name, year), data


def _inputs(request: PipelineRequest, files: YearFiles, collected: Collected,
            central: Submission | None, previous: bytes | None, adjustments: bytes | None,
            objections: bytes | None, base: Path) -> list[FileRecord]:
    records = [
        record(files.indicator_file.path, base, "config", data=files.indicator_file.data),
        record(files.units_file.path, base, "units", data=files.units_file.data),
        record(files.catalogue_file.path, base, "catalogue", data=files.catalogue_file.data),
    ]
    if request.central is not None and central is not None:
        records.append(FileRecord(path=relative(request.central, base), sha256=central.sha256,
                                  size=central.size, role="central"))
    if request.previous is not None and previous is not None:
        records.append(record(request.previous, base, "previous", data=previous))
    if request.adjustments is not None and adjustments is not None:
        records.append(record(request.adjustments, base, "adjustments", data=adjustments))
    if request.objections is not None and objections is not None:
        records.append(record(request.objections, base, "objections", data=objections))
    for entry in collected.files:
        records.append(entry_record(entry.path, entry.submission, base))
    return records


def entry_record(path: Path, submission: Submission | None, base: Path) -> FileRecord:
    """An input folder entry: the hash of the bytes the validator read, else of the file as it is;
    an entry that is not a readable file (a folder, a pipe, no permission) is listed without one."""
    if submission is not None and submission.sha256:
        return FileRecord(path=relative(path, base), sha256=submission.sha256, size=submission.size,
                          role="submission")
    try:
        if path.is_file() and not path.is_symlink():
            return record(path, base, "submission")
    except OSError:
        pass
    return FileRecord(path=relative(path, base), sha256="", size=0, role="submission")


def render_inputs(base: Path) -> list[FileRecord]:
    from scoring.report.fonts import font_files
    from scoring.report.pdf import templates_root

    records = [record(p, base, "template") for p in sorted(templates_root().iterdir()) if p.is_file()]
    records += [record(p, base, "font", absolute=True) for p in font_files()]
    return records


Scored = Callable[[ScoreReport, dict[str, bytes]], None]


def run_pipeline(request: PipelineRequest, progress: Progress | None = None,
                 on_scored: Scored | None = None) -> PipelineResult:
    """Validate, score, rank and explain the year; write the output set whole (see module doc).
    ``on_scored`` gets the report and the bytes of scores.json and ranking.xlsx (by name) as soon as
    they exist, before any PDF is rendered (the portal shows the ranking while the PDFs render)."""
    from scoring.report import render_reports  # WeasyPrint is imported by the workers only
    from scoring.scores.outputs import ranking_xlsx, scores_json  # openpyxl: only here

    sink = progress or _Silent()
    year = request.year
    _check_inputs(request)
    files = load_year_files(year, request.config, request.units)
    todo = files.config.indicator_set.todo
    if todo and not request.what_if:
        raise ScoringError(f"{files.indicator_file.path}: 指标配置是草稿，todo 中还有 {len(todo)} 项"
                           f"任务待决定（{'、'.join(t.task for t in todo)}），不能用于评分；"
                           "请逐项列入指标或 excluded_tasks，再删去 todo")
    checked = (load_year_files(year, request.templates_config, request.units)
               if request.templates_config is not None else files)
    generated_at = (request.generated_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    target = request.output
    findings: list[Problem] = []
    previous, previous_data = _previous(request.previous, year)
    adjustments, adjustments_data = _adjustments(request.adjustments)
    objection_record, objections_data = _objections(request.objections, year)
    sink.stage("校验并读取报送工作簿", len(input_entries(request.input_dir)))
    collected = collect(request.input_dir, year, checked.loader(), set(files.config.units),
                        lambda path: sink.advance(f"校验 {path.name}"),
                        previous=None if previous is None else previous.figures())
    findings.extend(collected.problems)
    central_values, central = _central(request.central, checked, year, findings)
    sink.stage("评分、排名与稳健性分析")
    report = score_year(files.config, collected, central_values, central_submission=central,
                        previous=previous, adjustments=adjustments, findings=findings)
    if objection_record is not None:
        report = report.model_copy(update={"objections": objection_record})
    with staged(target) as stage:
        written: list[Path] = []
        outputs = {"scores.json": scores_json(report), "ranking.xlsx": ranking_xlsx(report)}
        for name, data in outputs.items():
            (stage.folder / name).write_bytes(data)
            written.append(stage.folder / name)
        if on_scored is not None:
            on_scored(report, outputs)
        inputs = _inputs(request, files, collected, central, previous_data, adjustments_data, objections_data,
                         target)
        if request.pdf:
            sink.stage(f"生成 {len(report.units)} 份成绩单和全国汇总（PDF）", len(report.units) + 2)
            written += render_reports(report, files.config.indicator_set, stage.folder,
                                      generated_at=generated_at, workers=request.workers,
                                      on_written=lambda path: sink.advance(f"已生成 {path.name}"))
            inputs += render_inputs(target)
        manifest = Manifest(
            year=year, generated_at=generated_at, command=list(request.command),
            options=Options(
                input_dir=relative(request.input_dir, target),
                central=None if request.central is None else relative(request.central, target),
                previous=None if request.previous is None else relative(request.previous, target),
                adjustments=None if request.adjustments is None else relative(request.adjustments, target),
                objections=None if request.objections is None else relative(request.objections, target),
                config=relative(files.indicator_file.path, target),
                units=relative(files.units_file.path, target), pdf=request.pdf),
            engine=engine(), environment=libraries(), inputs=inputs,
            outputs=[record(p, stage.folder, "output") for p in written])
        (stage.folder / MANIFEST_FILE).write_bytes(manifest_bytes(manifest))
        stage.commit()
    final = [target / p.relative_to(stage.folder) for p in written] + [target / MANIFEST_FILE]
    return PipelineResult(report=report, output=target, files=final, manifest=manifest)


def previous_results_file(outputs_dir: Path, year: int) -> Path | None:
    """The most recent earlier year's scores.json under ``outputs_dir`` (e.g. 2020's for 2022)."""
    if not outputs_dir.is_dir():
        return None
    years = sorted((int(p.name) for p in outputs_dir.iterdir()
                    if p.is_dir() and p.name.isdigit() and int(p.name) < year), reverse=True)
    for earlier in years:
        path = outputs_dir / str(earlier) / "scores.json"
        if path.is_file():
            return path
    return None


__all__ = ["PipelineRequest", "PipelineResult", "Progress", "ScoringError", "previous_results_file",
           "run_pipeline"]
