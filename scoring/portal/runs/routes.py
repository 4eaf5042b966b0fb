"""Scoring runs: start one (a background job), watch its progress, read its results and manifest,
publish it once, download its files, and verify it from its stored inputs.

The central office starts and publishes; the central office and the auditors read and verify.
Nothing here scores or compares anything: the job calls the pipeline, verification calls
``scoring.pipeline.verify`` in a worker process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.pipeline import Manifest
from scoring.portal import jobs, workflow
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.findings import FindingGroup, run_findings
from scoring.portal.objections.views import CORRECTIONS, open_until, subject_index
from scoring.portal.parsing import confirmed, open_year, or_not_found, path_id
from scoring.portal.runs import results, run_inputs
from scoring.portal.runs.verification import Outcome, verify_files, wanted
from scoring.portal.settings import china_date
from scoring.portal.store import audit as audit_store
from scoring.portal.store import objections as objection_store
from scoring.portal.store.accounts import account_names
from scoring.portal.store.audit import record
from scoring.portal.store.models import AuditEntry, Feedback, Publication, Run, RunFile
from scoring.portal.store.runs import (
    active_run,
    all_runs,
    current_publication,
    fail,
    get_run,
    publication_of,
    publications,
    publish,
    run_file,
    run_file_data,
    run_files,
    run_number,
    run_numbers,
)
from scoring.portal.web import download, render
from scoring.portal.workflow import RunHistory, RunState, Step, feedback_deadline
from scoring.portal.years import OpenYear, current_year
from scoring.scores.models import ScoreReport

STATE_LABELS = {RunState.QUEUED: "排队中", RunState.RUNNING: "评分中", RunState.SUCCEEDED: "已完成",
                RunState.FAILED: "失败"}
RENDERING = "已评分，正在生成 PDF"  # a running run whose scores are stored
INPUT_ROLES = {"config": "指标配置", "units": "单位名单", "catalogue": "任务目录",
               "central": "全国双打办记录", "previous": "上一考核年度结果", "adjustments": "审核调整",
               "objections": "异议及答复", "submission": "单位报送"}
BUSY = "已有一次评分正在进行，请等待其完成后再开始"
MEDIA = {".pdf": "application/pdf", ".json": "application/json",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".yaml": "application/yaml; charset=utf-8"}
VERIFY_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class RunsView:
    """Every run, which are published, and what a new run would read."""

    year: OpenYear | None
    runs: list[Run]
    published: dict[int, Publication]
    active: Run | None
    current: Publication | None
    names: dict[int, str]
    numbers: dict[int, int]
    rendering: set[int]


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def runs_page(ctx: Ctx) -> Response:
    """All runs, newest first; the central office starts a new one here."""

    def load(db: Session) -> RunsView:
        year = current_year(db)
        runs = all_runs(db)
        return RunsView(year=year, runs=runs, published=publications(db), active=active_run(db),
                        current=current_publication(db, year.year) if year else None,
                        names=account_names(db, {r.account_id for r in runs}), numbers=run_numbers(db),
                        rendering={r.id for r in runs if results.rendering(r)})

    await run_in_threadpool(jobs.reap_stale, ctx.portal.db, ctx.portal.settings, ctx.now)
    view = await ctx.run(load)
    return render(ctx.request, "runs/list.html", principal=ctx.user, view=view, states=STATE_LABELS,
                  rendering_label=RENDERING,
                  central=ctx.user.role is Role.CENTRAL)


@endpoint(Role.CENTRAL)
async def start_run(ctx: Ctx) -> Response:
    """Queue a run over the accepted versions and start its job; one at a time."""
    note = ctx.form.get("note", "").strip()[:2000] or None

    def queue(db: Session) -> int:
        jobs.reap(db, ctx.portal.settings, ctx.now)
        if active_run(db) is not None:
            raise HTTPException(409, BUSY)
        year = open_year(db)
        current = current_publication(db, year.year)
        if current is not None and note is None:
            raise HTTPException(400, "本年度结果已发布，新的评分将作为更正，请填写更正理由")
        try:
            run, inputs = jobs.queue_run(db, ctx.portal.settings, ctx.portal.year_files(year.year),
                                         year=year.year, account_id=ctx.user.account_id, at=ctx.now,
                                         supersedes_run_id=current.run_id if current else None, note=note)
        except jobs.NothingToScore as exc:
            raise HTTPException(409, str(exc)) from None
        numbers = run_numbers(db)
        corrects = f"，更正第 {numbers[current.run_id]} 次评分：{note}" if current else ""
        ctx.audit(db, "run-start", obj=f"run:{run.id}", before="无",
                  after=f"{year.year} 年度第 {numbers[run.id]} 次评分排队："
                        f"{len(inputs.included)} 个已接受的单位纳入，{len(inputs.excluded)} 个单位未纳入，"
                        f"{inputs.adjustments} 项审核调整{corrects}")
        return run.id

    try:
        run_id = await ctx.run(queue)
    except IntegrityError:
        raise HTTPException(409, BUSY) from None
    try:
        ctx.portal.jobs.launch(run_id)
    except OSError:
        with ctx.portal.db.transaction() as db:
            fail(db, run_id, ctx.now, "无法启动评分进程，请稍后重试")
        raise
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@dataclass(frozen=True)
class RunView:
    """One run: its row, publication, files, results and manifest."""

    run: Run
    publication: Publication | None
    current: Publication | None
    files: list[RunFile]
    report: ScoreReport | None
    manifest: Manifest | None
    rows: list[results.RankRow]
    excluded: dict[str, str]
    names: dict[int, str]
    numbers: dict[int, int]
    rendering: bool
    feedback: Feedback | None = None  # this run fed back for objections (issue 22)
    objection_counts: dict[str, int] | None = None  # of this run's feedback
    answered: list[objection_store.ObjectionView] | None = None  # the objections its publication answers
    unanswered: int = 0  # objections of the year not yet answered (publishing waits for them)
    feedback_until: date | None = None  # the year's objection period still open until
    default_deadline: date | None = None
    verifications: list[AuditEntry] = field(default_factory=list)  # 复核 of this run, newest first

    @property
    def pdfs(self) -> list[RunFile]:
        return [f for f in self.files if f.path.endswith(".pdf")]

    @property
    def findings(self) -> list[FindingGroup]:
        """Every finding of the run, grouped by unit."""
        if self.report is None:
            return []
        units = [(f"{u.code} {u.name}", u.findings) for u in self.report.units]
        return run_findings(units, self.report.findings)


def _run(ctx: Ctx, db: Session) -> Run:
    run = or_not_found(get_run(db, path_id(ctx, "run_id")))
    return run


def run_view(ctx: Ctx, db: Session) -> RunView:
    """Everything the run's page shows."""
    run = _run(ctx, db)
    files = run_files(db, run.id) if run.state == RunState.SUCCEEDED else []
    report = results.report_of(db, run.id) if files else results.early_report(db, run)
    manifest = None
    found = run_file(db, run.id, "outputs/manifest.json") if files else None
    if found is not None:
        manifest = Manifest.model_validate_json(found[1])
    _, excluded = results.run_units(run)
    publication = publication_of(db, run.id)
    rows = results.ranking_rows(report, excluded, {f.path for f in files}) if report else []
    people = {run.account_id} | ({publication.account_id} if publication else set())
    feedback = objection_store.feedback_of(db, run.id)
    today = china_date(ctx.now)
    year_objections = objection_store.year_objections(db, run.year)
    return RunView(run=run, publication=publication, current=current_publication(db, run.year), files=files,
                   report=report, manifest=manifest, rows=rows, excluded=excluded,
                   names=account_names(db, people), numbers=run_numbers(db),
                   rendering=results.rendering(run), feedback=feedback,
                   objection_counts=objection_store.counts(
                       v for v in year_objections if feedback and v.objection.feedback_id == feedback.id),
                   answered=objection_store.answered_by(db, publication.id) if publication else None,
                   unanswered=objection_store.unanswered(year_objections),
                   feedback_until=open_until(db, run.year, today),
                   default_deadline=feedback_deadline(today, ctx.portal.settings.feedback_working_days),
                   verifications=audit_store.about(db, "verify", f"run:{run.id}"))


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def run_page(ctx: Ctx) -> Response:
    """A run's progress while it works (with its ranking as soon as it is scored, while the PDFs
    render); afterwards its ranking, scorecards, files and manifest. It never refreshes itself."""
    await run_in_threadpool(jobs.reap_stale, ctx.portal.db, ctx.portal.settings, ctx.now)
    view = await ctx.run(lambda db: run_view(ctx, db))
    subjects = subject_index(ctx.portal.year_files(view.run.year).config) if view.answered else {}
    return render(ctx.request, "runs/run.html", principal=ctx.user, view=view, states=STATE_LABELS,
                  rendering_label=RENDERING,
                  central=ctx.user.role is Role.CENTRAL, summary_path=results.summary_path(),
                  roles=INPUT_ROLES, summary=json.loads(view.run.summary or "{}"), corrections=CORRECTIONS,
                  subject_index=subjects,
                  units={u.code: u.name for u in view.report.units} if view.report else {})


def _publish_history(db: Session, run: Run, current: Publication | None, today: date) -> RunHistory:
    return RunHistory(state=RunState(run.state), published=publication_of(db, run.id) is not None,
                      supersedes_run_id=run.supersedes_run_id,
                      current_run_id=current.run_id if current else None,
                      has_summary=run_file(db, run.id, results.summary_path()) is not None,
                      rendering=results.rendering(run),
                      unanswered=objection_store.unanswered(objection_store.year_objections(db, run.year)),
                      feedback_until=open_until(db, run.year, today), today=today)


@dataclass(frozen=True)
class PublishCheck:
    """A run the workflow allows to publish, what it would replace and how pages number them."""

    run: Run
    current: Publication | None
    numbers: dict[int, int]
    summary: dict[str, int]


def _checked_publish(ctx: Ctx, db: Session) -> PublishCheck:
    run = _run(ctx, db)
    current = current_publication(db, run.year)
    workflow.check(Step.PUBLISH, _publish_history(db, run, current, china_date(ctx.now)))
    return PublishCheck(run=run, current=current, numbers=run_numbers(db),
                        summary=json.loads(run.summary or "{}"))


@endpoint(Role.CENTRAL)
async def publish_page(ctx: Ctx) -> Response:
    """What publishing a run does, with the form that confirms it (refused as publishing would be)."""
    checked = await ctx.run(lambda db: _checked_publish(ctx, db))
    return render(ctx.request, "runs/publish.html", principal=ctx.user, check=checked)


@endpoint(Role.CENTRAL)
async def publish_run(ctx: Ctx) -> Response:
    """Publish a finished run, once, when confirmed on its confirmation page (a POST without the
    confirmation is sent there); publishing it again changes nothing."""
    is_confirmed = confirmed(ctx)
    run_id = ctx.request.path_params["run_id"]

    def do(db: Session) -> bool:
        run = _run(ctx, db)
        if publication_of(db, run.id) is not None:
            return True  # already published: a retried request publishes once
        if not is_confirmed:
            return False
        checked = _checked_publish(ctx, db)
        current = checked.current
        row = publish(db, run, ctx.now, ctx.user.account_id, current)
        answered = objection_store.record_answered(db, row)
        replaced = f"，取代第 {checked.numbers[current.run_id]} 次评分的结果" if current else ""
        numbers = "、".join(f"第 {i} 号" for i in answered)
        listed = f"，答复异议 {len(answered)} 条（{numbers}）" if answered else ""
        ctx.audit(db, "publish", obj=f"run:{run.id}", before="未发布",
                  after=f"已发布：{run.year} 年度第 {row.seq} 次发布{replaced}{listed}")
        return True

    try:
        done = await ctx.run(do)
    except IntegrityError:
        def published(db: Session) -> bool:
            return publication_of(db, path_id(ctx, "run_id")) is not None

        if not await ctx.run(published):
            raise HTTPException(409, "本年度刚刚发布了另一次评分的结果，请刷新页面后查看") from None
        done = True
    if not done:
        return RedirectResponse(f"/runs/{run_id}/publish", status_code=303)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def run_file_page(ctx: Ctx) -> Response:
    """One stored file of a finished run (an input or an output), as stored."""
    path = ctx.request.path_params["path"]

    def load(db: Session) -> tuple[Run, bytes]:
        run = _run(ctx, db)
        found = or_not_found(run_file(db, run.id, path))
        return run, found[1]

    run, data = await ctx.run(load)
    name = PurePosixPath(path).name
    suffix = PurePosixPath(path).suffix.lower()
    media = MEDIA.get(suffix, "application/octet-stream")
    return download(data, name, f"run-{run.id}{suffix}", media_type=media)


async def _zip(ctx: Ctx, select: str) -> Response:
    def load(db: Session) -> tuple[Run, int, dict[str, bytes], list[str]]:
        run = _run(ctx, db)
        files = run_file_data(db, run.id)
        if not files:
            raise HTTPException(404)
        manifest = files.get("outputs/manifest.json")
        command = Manifest.model_validate_json(manifest).command if manifest else []
        return run, run_number(db, run), files, command

    run, number, files, command = await ctx.run(load)
    if select == "scorecards":
        chosen = {PurePosixPath(p).relative_to("outputs").as_posix(): d for p, d in files.items()
                  if p.startswith("outputs/") and p.endswith(".pdf")}
        if not chosen:
            raise HTTPException(404, "这次评分没有生成 PDF")
        data = run_inputs.zipped(chosen)
        name = f"{run.year}年度成绩单和全国汇总-第{number}次评分.zip"
    else:
        chosen = {p: d for p, d in files.items() if p.startswith("inputs/")}
        data = run_inputs.zipped(chosen, note=run_inputs.reproduce_note(command, run.year, number))
        name = f"{run.year}年度评分输入-第{number}次评分.zip"
    return download(data, name, f"run-{run.id}-{select}.zip", media_type="application/zip")


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def scorecards_zip(ctx: Ctx) -> Response:
    """Every PDF of a run (each unit's scorecard and the national summary) as one zip."""
    return await _zip(ctx, "scorecards")


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def inputs_zip(ctx: Ctx) -> Response:
    """Every input of a run as one zip, with the command that reproduces it."""
    return await _zip(ctx, "inputs")


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def verify_run(ctx: Ctx) -> Response:
    """Re-run a finished run from its stored inputs and compare (as ``scoring verify``)."""

    def load(db: Session) -> tuple[Run, int, dict[str, bytes]]:
        run = _run(ctx, db)
        if run.state != RunState.SUCCEEDED:
            raise HTTPException(409, "只能复核已完成的评分")
        files = run_file_data(db, run.id)
        return run, run_number(db, run), {p: d for p, d in files.items() if wanted(p)}

    run, number, files = await ctx.run(load)
    outcome: Outcome = await ctx.portal.workers.call(verify_files, files, timeout_s=VERIFY_TIMEOUT_S)
    verdict = "一致" if outcome.ok else f"不一致：{outcome.differences[0]}"
    with ctx.portal.db.transaction() as db:
        record(db, ctx.now, ctx.user.actor, "verify", obj=f"run:{run.id}", after=verdict, client=ctx.client)
    return render(ctx.request, "runs/verify.html", principal=ctx.user, run=run, number=number,
                  outcome=outcome)


ROUTES = [
    Route("/runs", runs_page, methods=["GET"]),
    Route("/runs", start_run, methods=["POST"]),
    Route("/runs/{run_id}", run_page, methods=["GET"]),
    Route("/runs/{run_id}/publish", publish_page, methods=["GET"]),
    Route("/runs/{run_id}/publish", publish_run, methods=["POST"]),
    Route("/runs/{run_id}/verify", verify_run, methods=["POST"]),  # it records a row: never a GET
    Route("/runs/{run_id}/scorecards.zip", scorecards_zip, methods=["GET"]),
    Route("/runs/{run_id}/inputs.zip", inputs_zip, methods=["GET"]),
    Route("/runs/{run_id}/files/{path:path}", run_file_page, methods=["GET"]),
]
