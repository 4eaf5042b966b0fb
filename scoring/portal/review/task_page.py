"""One task across every unit (审核调整 in place): what each unit declared, wrote and named as
evidence for the task in its submitted version, the review in force, and the forms to adjust it.
The forms post to the unit's review endpoint, which returns here, to the row, with a notice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from scoring.indicators.rules.base import TaskStatus
from scoring.portal import workflow
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.parsing import open_year
from scoring.portal.review import adjusting, task_groups
from scoring.portal.settings import china_date
from scoring.portal.status import UnitState
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import TaskReview, Version
from scoring.portal.store.overview import year_activity
from scoring.portal.store.reviews import reviews_in_force
from scoring.portal.store.runs import current_publication
from scoring.portal.web import render
from scoring.portal.workflow import Step
from scoring.portal.years import OpenYear
from scoring.workbook.submission import Submission, TaskReport

FILTERS = {"": "全部", "done-no-evidence": "自报完成但未填佐证", "adjusted": "已审核调整"}


@dataclass(frozen=True)
class UnitTaskRow:
    """One unit's report on the task, in its submitted (or accepted) version."""

    unit_code: str
    unit_name: str
    state: str
    version_number: int
    task_id: str
    report: TaskReport
    review: TaskReview | None
    current: bool
    choices: tuple[TaskStatus, ...]
    group: task_groups.Group  # as the unit page groups it (placeholder evidence counts as none)

    @property
    def done_without_evidence(self) -> bool:
        return self.group is task_groups.Group.DONE_NO_EVIDENCE


@dataclass(frozen=True)
class TaskView:
    """The task and every unit's row for it."""

    year: OpenYear
    task_id: str
    title: str
    rows: list[UnitTaskRow]
    waiting: list[str]  # units that have not submitted yet
    names: dict[int, str]
    published: str | None  # what 审核调整 means after the year's publication (None before)


def task_view(ctx: Ctx, db: Session, task_id: str) -> TaskView:
    """The open year's task ``task_id`` across all units (404 for a task the year does not assess)."""
    year = open_year(db)
    config = ctx.portal.year_files(year.year).config
    titles = {t.id: t.title for t in config.source.assessed_tasks()}
    if task_id not in titles:
        raise HTTPException(404, f"{year.year} 年度没有考核任务“{task_id}”")
    units = config.units
    reviews = reviews_in_force(db, year.year)
    rows, waiting = [], []
    for code, activity in year_activity(db, year.year, sorted(units)).items():
        submitted = activity.standing.submitted
        if activity.standing.state not in (UnitState.SUBMITTED, UnitState.ACCEPTED) or submitted is None:
            waiting.append(units[code].name)
            continue
        version = db.get(Version, submitted.version_id)
        assert version is not None
        report = Submission.model_validate_json(version.submission).tasks.get(task_id)
        if report is None:
            continue
        review = reviews.get((code, task_id))
        rows.append(UnitTaskRow(unit_code=code, unit_name=units[code].name, state=activity.standing.label,
                                version_number=version.number, task_id=task_id, report=report, review=review,
                                current=review is not None and review.version_id == version.id,
                                choices=adjusting.choices(report.status),
                                group=task_groups.group_of(report, config.indicator_set.intake)))
    names = account_names(db, {r.review.account_id for r in rows if r.review is not None})
    publication = current_publication(db, year.year)
    published = workflow.published_notice(Step.REVIEW, year.year,
                                          china_date(publication.at) if publication else None)
    return TaskView(year=year, task_id=task_id, title=titles[task_id], rows=rows, waiting=waiting,
                    names=names, published=published)


def _shown(rows: list[UnitTaskRow], chosen: str) -> list[UnitTaskRow]:
    if chosen == "done-no-evidence":
        return [r for r in rows if r.done_without_evidence]
    if chosen == "adjusted":
        return [r for r in rows if r.review is not None and r.current and r.review.action == adjusting.ADJUST]
    return rows


@endpoint(Role.CENTRAL)
async def task_page(ctx: Ctx) -> Response:
    """One task across the units that submitted, with 审核调整 in place."""
    task_id = ctx.request.path_params["task_id"]
    view = await ctx.run(lambda db: task_view(ctx, db, task_id))
    chosen = ctx.request.query_params.get("show", "")
    chosen = chosen if chosen in FILTERS else ""
    done = ctx.request.query_params.get("done", "")
    notice = next((r.unit_name for r in view.rows if r.unit_code == done), None)
    return render(ctx.request, "central/task.html", principal=ctx.user, view=view,
                  rows=_shown(view.rows, chosen), filters=FILTERS, chosen=chosen, notice=notice)


ROUTES = [Route("/central/tasks/{task_id}", task_page, methods=["GET"])]
