"""Evidence files: a province attaches files to its tasks and opens them; the central office opens
any unit's files from its review. Content is checked (``content.py``) before anything is stored."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.portal import workflow
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.evidence.content import EvidenceRefused, check_evidence
from scoring.portal.evidence.views import TaskFiles, evidence_response, task_files
from scoring.portal.parsing import open_year, or_not_found, path_id, path_unit
from scoring.portal.settings import china_date
from scoring.portal.store import evidence as store
from scoring.portal.store.models import EvidenceFile
from scoring.portal.store.submissions import UnitScope
from scoring.portal.web import display_name, render
from scoring.portal.workflow import Step, UnitHistory
from scoring.problems import kind


def _titles(ctx: Ctx, year: int) -> dict[str, str]:
    return {t.id: t.title for t in ctx.portal.year_files(year).config.source.assessed_tasks()}


def _rows(ctx: Ctx, scope: UnitScope) -> list[TaskFiles]:
    versions = scope.versions()
    return task_files(_titles(ctx, scope.year), scope, versions[0] if versions else None)


@endpoint(Role.PROVINCE)
async def province_page(ctx: Ctx) -> Response:
    """The unit's tasks of the open year with their evidence files and an upload form per task."""

    def load(db: Session) -> tuple[int, list[TaskFiles]]:
        year = open_year(db)
        return year.year, _rows(ctx, ctx.unit_scope(db, year.year))

    year, rows = await ctx.run(load)
    limits = ctx.portal.settings.evidence_limits
    return render(ctx.request, "evidence/province.html", principal=ctx.user, year=year, rows=rows,
                  max_mb=limits.max_bytes / 1024 / 1024, per_task=ctx.portal.settings.evidence_per_task)


@endpoint(Role.PROVINCE, upload=True)
async def attach(ctx: Ctx) -> Response:
    """Check an uploaded file by its content and attach it to one task; a refused file stores nothing."""
    task_id = ctx.request.path_params["task_id"]
    if ctx.upload is None or not ctx.upload.filename:
        raise HTTPException(400, "请选择要上传的佐证材料文件")
    name = display_name(ctx.upload.filename, "佐证材料")
    data = await ctx.upload.read()
    settings = ctx.portal.settings
    try:
        found = check_evidence(data, name, settings.evidence_limits)
    except EvidenceRefused as refused:
        raise HTTPException(422, f"“{name}”：{refused.message}") from None
    sha256 = hashlib.sha256(data).hexdigest()

    def store_it(db: Session) -> None:
        year = open_year(db)
        if task_id not in _titles(ctx, year.year):
            raise HTTPException(404, "本年度没有这项任务")
        scope = ctx.unit_scope(db, year.year)
        history = UnitHistory(name=scope.unit_code, year=year.year, standing=scope.standing(),
                              deadline=year.deadline, today=china_date(ctx.now))
        workflow.check(Step.UPLOAD, history)
        count = len(store.files_of(scope, task_id))
        if count >= settings.evidence_per_task:
            raise HTTPException(422, kind("evidence-too-many").message(count=count,
                                                                        limit=settings.evidence_per_task))
        item = store.attach(scope, task_id, file_name=name, media_type=found.media_type, data=data,
                            sha256=sha256, at=ctx.now, account_id=ctx.user.account_id)
        ctx.audit(db, "evidence-attach", obj=f"evidence:{item.id}", before=None,
                  after=f"任务 {task_id} 第 {item.seq} 份佐证材料（{name}，{found.label}，SHA-256 {sha256}，"
                        f"{len(data)} 字节）")

    await ctx.run(store_it)
    return RedirectResponse(f"/evidence#task-{task_id}", status_code=303)


@endpoint(Role.PROVINCE)
async def province_file(ctx: Ctx) -> Response:
    """One of the unit's own evidence files (another unit's is 'not found')."""

    def load(db: Session) -> tuple[EvidenceFile, bytes]:
        found = or_not_found(store.one_file(ctx.unit_scope(db), path_id(ctx, "evidence_id")))
        return found

    return evidence_response(*await ctx.run(load))


@endpoint(Role.CENTRAL)
async def central_page(ctx: Ctx) -> Response:
    """A unit's evidence files by task, images shown in the page and PDFs opened in place."""

    def load(db: Session) -> tuple[int, str, str, list[TaskFiles]]:
        year = open_year(db)
        unit = path_unit(ctx, year.year)
        return year.year, unit.code, unit.name, _rows(ctx, ctx.office_scope(db, year.year, unit.code))

    year, code, name, rows = await ctx.run(load)
    return render(ctx.request, "evidence/central.html", principal=ctx.user, year=year, unit_code=code,
                  unit_name=name, rows=rows)


@endpoint(Role.CENTRAL)
async def central_file(ctx: Ctx) -> Response:
    """Any unit's evidence file, for the review."""

    def load(db: Session) -> tuple[EvidenceFile, bytes]:
        item = or_not_found(db.get(EvidenceFile, path_id(ctx, "evidence_id")))
        found = store.one_file(ctx.office_scope(db, item.year, item.unit_code), item.id)
        assert found is not None
        return found

    return evidence_response(*await ctx.run(load))


ROUTES = [
    Route("/evidence", province_page, methods=["GET"]),
    Route("/evidence/tasks/{task_id}", attach, methods=["POST"]),
    Route("/evidence/files/{evidence_id}", province_file, methods=["GET"]),
    Route("/central/units/{unit_code}/evidence", central_page, methods=["GET"]),
    Route("/central/evidence/{evidence_id}", central_file, methods=["GET"]),
]
