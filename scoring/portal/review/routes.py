"""The central office: the year's dashboard, each unit's versions and findings, and the review
decisions (accept, return with a reason, reopen after the deadline, 审核调整 of declared task
statuses). Every decision is checked against the unit's state from ``status`` and the engine's own
adjustment rules, recorded as an append-only row and written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.indicators.rules.base import TaskStatus
from scoring.indicators.units import Unit
from scoring.portal import workflow
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.findings import group_findings, row_names
from scoring.portal.parsing import CHANGED, open_year, or_not_found, path_id, path_unit, reason_field
from scoring.portal.records import central_values
from scoring.portal.review import adjusting, dashboard_rows, figures, task_groups, task_page
from scoring.portal.settings import china_date
from scoring.portal.status import Standing, UnitState
from scoring.portal.store import objections as objection_store
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import Feedback, TaskReview, UnitEvent, Version
from scoring.portal.store.overview import accepted_versions, year_activity
from scoring.portal.store.reviews import add_task_review, central_in_force, reviews_in_force, task_reviews
from scoring.portal.store.runs import current_publication, previous_publication, run_file
from scoring.portal.store.submissions import UnitScope
from scoring.portal.web import download, render, shown_day, version_download
from scoring.portal.workflow import Step, UnitHistory
from scoring.portal.years import OpenYear, current_year
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import Submission, TaskReport

ACTION_LABELS = {"submit": "提交", "return": "退回", "reopen": "重新开放", "accept": "接受"}


FeedbackCounts = tuple[Feedback, int, int]  # a feedback period, objections lodged, not yet answered


@endpoint(Role.CENTRAL)
async def dashboard(ctx: Ctx) -> Response:
    """All units of the open year: state, latest upload, findings, lateness; filters and counts."""

    def load(db: Session) -> tuple[OpenYear | None, list[dashboard_rows.UnitRow], list[FeedbackCounts]]:
        year = current_year(db)
        if year is None:
            return None, [], []
        units = ctx.portal.year_files(year.year).config.units
        activity = year_activity(db, year.year, sorted(units))
        lodged = objection_store.year_objections(db, year.year)
        feedbacks = [(f, sum(1 for v in lodged if v.objection.feedback_id == f.id),
                      objection_store.unanswered(v for v in lodged if v.objection.feedback_id == f.id))
                     for f in objection_store.year_feedbacks(db, year.year)]
        return year, dashboard_rows.unit_rows(activity, units, year.deadline, china_date(ctx.now)), feedbacks

    year, rows, feedbacks = await ctx.run(load)
    state, region = ctx.request.query_params.get("state"), ctx.request.query_params.get("region")
    return render(ctx.request, "central/dashboard.html", principal=ctx.user, year=year,
                  rows=dashboard_rows.filtered(rows, state, region), counts=dashboard_rows.state_counts(rows),
                  total=len(rows),
                  regions=dashboard_rows.REGIONS, state=state or "", region=region or "",
                  late=sum(1 for r in rows if r.late), feedbacks=feedbacks)


@dataclass(frozen=True)
class TaskRow:
    """A task of the unit's submitted version, with the review in force."""

    task_id: str
    title: str
    report: TaskReport
    review: TaskReview | None
    current: bool  # the review in force is about this version
    choices: tuple[TaskStatus, ...]
    group: task_groups.Group
    change: task_groups.Change | None  # how it differs from the unit's previous version


@dataclass(frozen=True)
class UnitView:
    """What the central office sees of one unit."""

    year: OpenYear
    unit: Unit
    standing: Standing
    late: str
    deadline_passed: bool
    versions: list[Version]
    events: list[UnitEvent]
    names: dict[int, str]
    submitted: Version | None
    previous: Version | None  # the unit's version just before the submitted one
    tasks: list[TaskRow]
    history: list[TaskReview]
    central_values: list[tuple[str, str]]
    central_number: int | None
    notices: dict[str, str]  # step → what it means after the year's publication (none before)
    figures: list[figures.FigureRow]  # of the submitted version, beside last year's and the bounds


def unit_history(ctx: Ctx, db: Session, year: OpenYear, unit: Unit, standing: Standing) -> UnitHistory:
    """The unit as the workflow reads it, with the day the year's results in force were published."""
    publication = current_publication(db, year.year)
    return UnitHistory(name=unit.name, year=year.year, standing=standing, deadline=year.deadline,
                       today=china_date(ctx.now),
                       published_on=china_date(publication.at) if publication else None)


def review_notices(history: UnitHistory) -> dict[str, str]:
    """The notice each review step carries after publication, by step."""
    notices = {step: workflow.published_notice(step, history.year, history.published_on)
               for step in workflow.REVIEW_STEPS}
    return {step.value: notice for step, notice in notices.items() if notice}


def _tasks(ctx: Ctx, year: int, version: Version, previous: Version | None,
           reviews: dict[tuple[str, str], TaskReview], unit_code: str) -> list[TaskRow]:
    config = ctx.portal.year_files(year).config
    titles = {t.id: t.title for t in config.source.assessed_tasks()}
    submission = Submission.model_validate_json(version.submission)
    before = Submission.model_validate_json(previous.submission).tasks if previous is not None else None
    changes = task_groups.changes(submission.tasks, before)
    rows = []
    for task_id, title in titles.items():
        report = submission.tasks.get(task_id)
        if report is None:
            continue
        review = reviews.get((unit_code, task_id))
        rows.append(TaskRow(task_id=task_id, title=title, report=report, review=review,
                            current=review is not None and review.version_id == version.id,
                            choices=adjusting.choices(report.status),
                            group=task_groups.group_of(report, config.indicator_set.intake),
                            change=changes.get(task_id)))
    return rows


def _figures(db: Session, config: YearConfig, unit: Unit, submitted: Version | None,
             year: int) -> list[figures.FigureRow]:
    if submitted is None:
        return []
    previous = previous_publication(db, year)
    found = run_file(db, previous.run_id, "outputs/scores.json") if previous is not None else None
    before = figures.previous_figures(found[1] if found else None, year, unit.code)
    return figures.figure_rows(config, unit, Submission.model_validate_json(submitted.submission), before)


def unit_view(ctx: Ctx, db: Session) -> UnitView:
    """One unit of the open year, everything the central office acts on."""
    year = open_year(db)
    unit = path_unit(ctx, year.year)
    scope = ctx.office_scope(db, year.year, unit.code)
    standing = scope.standing()
    versions = scope.versions()
    events = scope.events()
    submitted = None
    if standing.state in (UnitState.SUBMITTED, UnitState.ACCEPTED) and standing.submitted is not None:
        submitted = next((v for v in versions if v.id == standing.submitted.version_id), None)
    previous = None
    if submitted is not None:
        previous = max((v for v in versions if v.number < submitted.number), key=lambda v: v.number,
                       default=None)
    reviews = reviews_in_force(db, year.year)
    history = task_reviews(db, year.year, unit.code)
    people = {v.uploaded_by for v in versions} | {e.account_id for e in events if e.account_id}
    names = account_names(db, people | {r.account_id for r in history})
    config = ctx.portal.year_files(year.year).config
    record = central_in_force(db, year.year)
    values = central_values.parse_values(record.values, config.source.central_items()) if record else {}
    row = values.get(unit.code, {})
    shown = [(item.name + (f"（{item.unit}）" if item.unit else ""), central_values.shown(row.get(item.code)))
             for item in config.source.central_items()]
    today = china_date(ctx.now)
    notices = review_notices(unit_history(ctx, db, year, unit, standing))
    tasks = _tasks(ctx, year.year, submitted, previous, reviews, unit.code) if submitted else []
    return UnitView(figures=_figures(db, config, unit, submitted, year.year),
                    year=year, unit=unit, standing=standing,
                    late=dashboard_rows.lateness(standing, year.deadline, today),
                    deadline_passed=year.deadline is not None and today > year.deadline, versions=versions,
                    events=events, names=names, submitted=submitted, previous=previous,
                    tasks=tasks,
                    history=history, central_values=shown, central_number=record.number if record else None,
                    notices=notices)


@endpoint(Role.CENTRAL)
async def unit_page(ctx: Ctx) -> Response:
    """A unit: state, decisions, versions, the review of its task statuses, its central records."""
    view = await ctx.run(lambda db: unit_view(ctx, db))
    show = task_groups.parse_show(ctx.request.query_params.get("tasks"))
    done = ctx.request.query_params.get("done", "")
    return render(ctx.request, "central/unit.html", principal=ctx.user, view=view, UnitState=UnitState,
                  actions=ACTION_LABELS, today=china_date(ctx.now).isoformat(), show=show,
                  shows=task_groups.SHOWS, show_hints=task_groups.SHOW_HINTS,
                  counts=task_groups.counts(view.tasks), sections=task_groups.sections(view.tasks, show),
                  done=next((t for t in view.tasks if t.task_id == done), None))


def _version(ctx: Ctx, db: Session) -> tuple[Version, UnitScope]:
    version = or_not_found(db.get(Version, path_id(ctx, "version_id")))
    return version, ctx.office_scope(db, version.year, version.unit_code)


@endpoint(Role.CENTRAL)
async def version_page(ctx: Ctx) -> Response:
    """Any unit's version with every finding, as the province saw it."""

    def load(db: Session) -> tuple[Version, str, str]:
        version, _ = _version(ctx, db)
        unit = ctx.portal.year_files(version.year).config.units.get(version.unit_code)
        return version, unit.name if unit else version.unit_code, account_names(
            db, {version.uploaded_by}).get(version.uploaded_by, "")

    version, unit_name, uploader = await ctx.run(load)
    submission = Submission.model_validate_json(version.submission)
    return render(ctx.request, "central/version.html", principal=ctx.user, version=version,
                  unit_name=unit_name, uploader=uploader,
                  groups=group_findings(submission.findings,
                                        row_names(ctx.portal.year_files(version.year).config.source)),
                  summary=submission.summary_text())


@endpoint(Role.CENTRAL)
async def version_file(ctx: Ctx) -> Response:
    """The stored bytes of any unit's version."""

    def load(db: Session) -> tuple[Version, bytes]:
        version, scope = _version(ctx, db)
        return version, scope.file_of(version)

    return version_download(await ctx.run(load))


async def _decide(ctx: Ctx, work: Callable[[Session], None], back: str | None = None) -> Response:
    try:
        await ctx.run(work)
    except IntegrityError:
        raise HTTPException(409, CHANGED) from None
    unit_code = ctx.request.path_params["unit_code"]
    return RedirectResponse(back or f"/central/units/{unit_code}", status_code=303)


@dataclass(frozen=True)
class _Allowed:
    """A review step the workflow allows now: the open year, the unit of the path, its scope and
    standing, and the unit's history the workflow judged the step on."""

    step: Step
    year: OpenYear
    unit: Unit
    scope: UnitScope
    standing: Standing
    history: UnitHistory

    def audit(self, ctx: Ctx, db: Session, action: str, after: str, *, obj: str | None = None,
              before: str | None = None) -> None:
        """The step's audit row; it says so when the step comes after the year's publication."""
        published = workflow.published_notice(self.step, self.history.year, self.history.published_on)
        ctx.audit(db, action, obj=obj or f"unit:{self.unit.code}",
                  before=self.standing.label if before is None else before,
                  after=after + ("（本年度结果已发布，此改动在更正评分中生效）" if published else ""))


def _allowed(ctx: Ctx, db: Session, step: Step) -> _Allowed:
    """The unit of the path and what the step needs, once the workflow allows ``step``."""
    year = open_year(db)
    unit = path_unit(ctx, year.year)
    scope = ctx.office_scope(db, year.year, unit.code)
    standing = scope.standing()
    history = unit_history(ctx, db, year, unit, standing)
    workflow.check(step, history)
    return _Allowed(step, year, unit, scope, standing, history)


@endpoint(Role.CENTRAL)
async def accept(ctx: Ctx) -> Response:
    """Accept the version the unit submitted (the one the page showed)."""
    shown = ctx.form.get("version_id", "")

    def do(db: Session) -> None:
        allowed = _allowed(ctx, db, Step.ACCEPT)
        before = allowed.standing
        assert before.submitted is not None
        if str(before.submitted.version_id) != shown:
            raise HTTPException(409, CHANGED)
        version = allowed.scope.version(before.submitted.version_id or 0)
        assert version is not None
        allowed.scope.add_decision(before.last_seq, "accept", ctx.now, ctx.user.account_id,
                                   version_id=version.id)
        allowed.audit(ctx, db, "accept", f"已接受（第 {version.number} 版，SHA-256 {version.blob_sha256}）")

    return await _decide(ctx, do)


@endpoint(Role.CENTRAL)
async def return_submission(ctx: Ctx) -> Response:
    """Send a submitted (or accepted) version back with a written reason; the unit may upload again."""
    reason = reason_field(ctx, what="退回理由")

    def do(db: Session) -> None:
        allowed = _allowed(ctx, db, Step.RETURN)
        before = allowed.standing
        assert before.submitted is not None
        allowed.scope.add_decision(before.last_seq, "return", ctx.now, ctx.user.account_id,
                                   version_id=before.submitted.version_id, reason=reason)
        allowed.audit(ctx, db, "return", f"已退回：{reason}")

    return await _decide(ctx, do)


@endpoint(Role.CENTRAL)
async def reopen(ctx: Ctx) -> Response:
    """Let a unit upload and submit after the deadline, with a reason (and an end date, if given)."""
    reason = reason_field(ctx, what="重新开放的理由")
    raw_until = ctx.form.get("until", "").strip()
    try:
        until = date.fromisoformat(raw_until) if raw_until else None
    except ValueError:
        raise HTTPException(400, f"期限“{raw_until}”无效，应为 YYYY-MM-DD") from None

    def do(db: Session) -> None:
        allowed = _allowed(ctx, db, Step.REOPEN)
        if until is not None and until < china_date(ctx.now):
            raise HTTPException(400, "重新开放的期限不能早于今天")
        allowed.scope.add_decision(allowed.standing.last_seq, "reopen", ctx.now, ctx.user.account_id,
                                   reason=reason, until=until)
        allowed.audit(ctx, db, "reopen", f"重新开放至{shown_day(until) if until else '下次提交'}：{reason}")

    return await _decide(ctx, do)


@endpoint(Role.CENTRAL)
async def review_task(ctx: Ctx) -> Response:
    """Lower a task status the unit declared, or restore it, with a reason (审核调整)."""
    task_id = ctx.form.get("task", "").strip()
    action = ctx.form.get("action", "")
    if action not in (adjusting.ADJUST, adjusting.RESTORE) or not task_id:
        raise HTTPException(400, "请求无效：缺少任务或操作")
    reason = reason_field(ctx, what="调整理由")

    def do(db: Session) -> None:
        allowed = _allowed(ctx, db, Step.REVIEW)
        year, unit, standing = allowed.year, allowed.unit, allowed.standing
        assert standing.submitted is not None
        version = allowed.scope.version(standing.submitted.version_id or 0)
        assert version is not None
        submission = Submission.model_validate_json(version.submission)
        report = submission.tasks.get(task_id)
        if report is None or report.status is None:
            raise HTTPException(409, f"第 {version.number} 版没有任务 {task_id} 的自报落实情况")
        declared = report.status
        in_force = reviews_in_force(db, year.year).get((unit.code, task_id))
        if action == adjusting.ADJUST:
            try:
                status = TaskStatus(ctx.form.get("status", ""))
            except ValueError:
                raise HTTPException(400, "请选择调整后的落实情况") from None
        else:
            if in_force is None or in_force.action != adjusting.ADJUST or in_force.version_id != version.id:
                raise HTTPException(409, f"任务 {task_id} 没有可恢复的审核调整")
            status = declared
        config = ctx.portal.year_files(year.year).config
        problems = adjusting.check_review(config, unit.code, submission, task_id, status, reason)
        if problems:
            raise HTTPException(409, "；".join(problems))
        before = (f"审核后{in_force.status}" if in_force is not None and in_force.version_id == version.id
                  else f"自报{declared.value}")
        add_task_review(db, year.year, unit.code, task_id, action=action, version_id=version.id,
                        declared=declared.value, status=status.value, reason=reason, at=ctx.now,
                        account_id=ctx.user.account_id)
        allowed.audit(ctx, db, "task-adjust" if action == adjusting.ADJUST else "task-restore",
                      f"{status.value}（第 {version.number} 版）：{reason}",
                      obj=f"unit:{unit.code}/task:{task_id}", before=before)

    unit_code = ctx.request.path_params["unit_code"]
    if ctx.form.get("back") == "task":
        back = f"/central/tasks/{quote(task_id, safe='')}?done={unit_code}#unit-{unit_code}"
    else:  # the unit page, in the view the form was on, at the row
        show = task_groups.parse_show(ctx.form.get("tasks"))
        task = quote(task_id, safe="")
        back = f"/central/units/{unit_code}?tasks={show}&done={task}#task-{task}"
    return await _decide(ctx, do, back)


@endpoint(Role.CENTRAL)
async def adjustments_file(ctx: Ctx) -> Response:
    """The review adjustments in force for the accepted units, as ``scoring score --adjustments``
    reads them."""

    def load(db: Session) -> tuple[int, bytes]:
        year = open_year(db)
        units = sorted(ctx.portal.year_files(year.year).config.units)
        reviews = reviews_in_force(db, year.year)
        items = adjusting.in_force(reviews, accepted_versions(db, year.year, units),
                                   account_names(db, {r.account_id for r in reviews.values()}))
        return year.year, adjusting.adjustments_yaml(year.year, items)

    year, data = await ctx.run(load)
    name = adjusting.file_name(year)
    return download(data, name, name, media_type="application/yaml; charset=utf-8")


ROUTES = [
    Route("/central", dashboard, methods=["GET"]),
    Route("/central/units/{unit_code}", unit_page, methods=["GET"]),
    Route("/central/units/{unit_code}/accept", accept, methods=["POST"]),
    Route("/central/units/{unit_code}/return", return_submission, methods=["POST"]),
    Route("/central/units/{unit_code}/reopen", reopen, methods=["POST"]),
    Route("/central/units/{unit_code}/review", review_task, methods=["POST"]),
    Route("/central/versions/{version_id}", version_page, methods=["GET"]),
    Route("/central/versions/{version_id}/file", version_file, methods=["GET"]),
    Route("/central/adjustments.yaml", adjustments_file, methods=["GET"]),
    *task_page.ROUTES,
]
