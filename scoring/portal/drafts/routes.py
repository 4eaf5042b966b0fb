"""Draft configurations for an open or coming year: the central office uploads one, sees its
audit (the report of ``scoring audit FILE``) and starts its comparison with the configuration in
force on the open year's accepted submissions (``scoring compare``'s function, in a background
job); adopting a draft for a year not yet opened is a decision with a reason, checked by
``workflow``. The auditors see everything and change nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from scoring.pipeline.compare import Comparison
from scoring.portal.auditor.routes import REPORT_CSP
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.drafts import views
from scoring.portal.jobs import owner_here
from scoring.portal.parsing import or_not_found, path_id, reason_field
from scoring.portal.store import drafts as draft_store
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import ConfigAdoption, ConfigDraft, DraftComparison
from scoring.portal.store.submissions import open_years
from scoring.portal.web import display_name, download, render, shown_time
from scoring.portal.workflow import DraftHistory, Step, check, next_steps
from scoring.problems import SEVERITY_LABELS
from scoring.report.audit import audit_html
from scoring.report.formatting import chinese_date

STATE_LABELS = {"queued": "排队中", "running": "比较中", "succeeded": "已完成", "failed": "失败"}
REJECTED = "不能读取上传的指标配置"


@dataclass(frozen=True)
class DraftsHome:
    """Every draft, every adoption, and the years a draft may be for."""

    drafts: list[ConfigDraft]
    adoptions: list[ConfigAdoption]
    names: dict[int, str]
    open_years: list[int]


def _years_refusal(db: Session, year: int) -> str | None:
    """Why a draft for ``year`` is not accepted (a year already closed, or one long past)."""
    opened = open_years(db)
    if year in opened:
        return None
    if draft_store.year_ever_opened(db, year):
        return f"{year} 年度已结束报送，不能再为它上传指标配置"
    newest = max(opened, default=None)
    if newest is not None and year < newest:
        return f"{year} 年度早于当前开放的 {newest} 年度，只能为开放或即将开放的年度上传指标配置"
    return None


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def drafts_home(ctx: Ctx) -> Response:
    """The drafts and the adoptions."""

    def load(db: Session) -> DraftsHome:
        rows, adopted = draft_store.drafts(db), draft_store.adoptions(db)
        ids = {r.account_id for r in rows} | {a.account_id for a in adopted}
        return DraftsHome(drafts=rows, adoptions=adopted, names=account_names(db, ids),
                          open_years=open_years(db))

    view = await ctx.run(load)
    return render(ctx.request, "drafts/list.html", principal=ctx.user, view=view, when=shown_time)


def _rejected(ctx: Ctx, message: str) -> Response:
    return render(ctx.request, "error.html", status_code=400, title=REJECTED, message=message,
                  principal=ctx.user)


@endpoint(Role.CENTRAL, upload=True)
async def upload(ctx: Ctx) -> Response:
    """Store an uploaded draft with its audit counts; a file that cannot be read stores nothing."""
    if ctx.upload is None or not ctx.upload.filename:
        raise HTTPException(400, "请选择要上传的指标配置文件（.yaml）")
    name = display_name(ctx.upload.filename, "草稿.yaml")
    data = await ctx.upload.read()
    try:
        audit = await run_in_threadpool(views.audit_draft, data, name)
    except views.DraftRejected as exc:
        return _rejected(ctx, str(exc))

    def store(db: Session) -> int | str:
        refusal = _years_refusal(db, audit.year)
        if refusal:
            return refusal
        draft = draft_store.add_draft(db, year=audit.year, sha256=audit.sha256, data=data, file_name=name,
                                      errors=audit.report.errors, warnings=audit.report.warnings,
                                      todo=audit.todo, at=ctx.now, account_id=ctx.user.account_id)
        ctx.audit(db, "draft-upload", obj=f"draft:{draft.id}", after=(
            f"{audit.year} 年度指标配置草稿 {name}（SHA-256 {audit.sha256}）：{audit.report.errors} 个错误，"
            f"{audit.todo} 项待决定"))
        return draft.id

    stored = await ctx.run(store)
    if isinstance(stored, str):
        return _rejected(ctx, stored)
    return RedirectResponse(f"/drafts/{stored}", status_code=303)


@dataclass(frozen=True)
class DraftPage:
    """A draft, its audit, its comparisons and what may be done with it."""

    draft: ConfigDraft
    data: bytes
    audit: views.DraftAudit
    comparisons: list[DraftComparison]
    latest: Comparison | None
    adoption: ConfigAdoption | None
    names: dict[int, str]
    history: DraftHistory
    compare_year: int | None


def _history(db: Session, draft: ConfigDraft) -> DraftHistory:
    return DraftHistory(year=draft.year, year_opened=draft_store.year_ever_opened(db, draft.year),
                        errors=draft.errors, todo=draft.todo)


def _found(db: Session, draft_id: int) -> tuple[ConfigDraft, bytes]:
    found = or_not_found(draft_store.draft_with_bytes(db, draft_id))
    return found


async def _page(ctx: Ctx) -> DraftPage:
    draft_id = path_id(ctx, "draft_id")

    def load(db: Session) -> tuple[ConfigDraft, bytes, bytes | None, list[DraftComparison],
                                    ConfigAdoption | None, dict[int, str], DraftHistory, int | None]:
        views.reap(db, ctx.now)
        draft, data = _found(db, draft_id)
        in_force = draft_store.adopted(db, draft.year)
        jobs = draft_store.comparisons(db, draft_id)
        ids = {draft.account_id} | {j.account_id for j in jobs}
        if in_force:
            ids.add(in_force[0].account_id)
        years = open_years(db)
        return (draft, data, in_force[1] if in_force else None, jobs, in_force[0] if in_force else None,
                account_names(db, ids), _history(db, draft), years[0] if years else None)

    draft, data, adopted_bytes, jobs, adoption, names, history, compare_year = await ctx.run(load)
    try:
        audit = await run_in_threadpool(views.audit_draft, data, draft.file_name, adopted_bytes)
    except views.DraftRejected as exc:  # stored drafts were readable when they arrived
        raise HTTPException(500, str(exc)) from None
    done = next((j for j in jobs if j.state == draft_store.SUCCEEDED), None)
    return DraftPage(draft=draft, data=data, audit=audit, comparisons=jobs,
                     latest=views.comparison_result(done) if done else None, adoption=adoption, names=names,
                     history=history, compare_year=compare_year)


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def draft_page(ctx: Ctx) -> Response:
    """A draft: its audit, its comparison with the configuration in force, and adopting it."""
    page = await _page(ctx)
    return render(ctx.request, "drafts/draft.html", principal=ctx.user, page=page, report=page.audit.report,
                  severity=SEVERITY_LABELS, states=STATE_LABELS, steps=next_steps(page.history),
                  adopt=Step.ADOPT, when=shown_time, day=chinese_date)


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def draft_report(ctx: Ctx) -> Response:
    """The draft's full audit report, as ``scoring audit FILE -o 报告.html`` writes it."""
    page = await _page(ctx)
    html = await run_in_threadpool(audit_html, page.audit.report, page.audit.loaded.indicator_set)
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def draft_yaml(ctx: Ctx) -> Response:
    """The draft file as uploaded."""
    draft_id = path_id(ctx, "draft_id")
    draft, data = await ctx.run(lambda db: _found(db, draft_id))
    return download(data, draft.file_name, f"draft-{draft.id}.yaml",
                    media_type="application/yaml; charset=utf-8")


@endpoint(Role.CENTRAL)
async def compare(ctx: Ctx) -> Response:
    """Start comparing the draft with the configuration in force on the open year's accepted
    submissions, in the background."""
    draft_id = path_id(ctx, "draft_id")
    portal = ctx.portal

    def queue(db: Session) -> int:
        draft, data = _found(db, draft_id)
        years = open_years(db)
        if not years:
            raise HTTPException(409, "没有开放的考核年度，没有可用于比较的报送")
        year = years[0]
        inputs = views.gather(db, year, portal.year_files(year))
        if not inputs.included:
            raise HTTPException(409, f"{year} 年度还没有接受任何单位的报送，无法比较")
        job = draft_store.queue_comparison(db, draft.id, year, len(inputs.included), ctx.now,
                                           ctx.user.account_id, owner_here())
        ctx.audit(db, "draft-compare", obj=f"comparison:{job.id}",
                  after=f"草稿 {draft.id} 与 {year} 年度现行配置比较"
                        f"（{len(inputs.included)} 个已接受的单位）")
        views.prepare(views.comparison_folder(portal.settings, job.id), inputs, data.decode("utf-8-sig"))
        return job.id

    job_id = await ctx.run(queue)
    views.launch(portal.settings, job_id)
    return RedirectResponse(f"/drafts/{draft_id}#comparison", status_code=303)


@endpoint(Role.CENTRAL)
async def adopt(ctx: Ctx) -> Response:
    """Adopt the draft as its year's configuration: a decision with a reason, before the year opens."""
    draft_id = path_id(ctx, "draft_id")
    reason = reason_field(ctx, what="采用理由")

    def decide(db: Session) -> None:
        draft, _ = _found(db, draft_id)
        check(Step.ADOPT, _history(db, draft))
        adoption = draft_store.adopt(db, draft, reason, ctx.now, ctx.user.account_id)
        ctx.audit(db, "config-adopt", obj=f"config:{draft.year}",
                  before=f"草稿 {draft.id}（{draft.file_name}）",
                  after=f"采用为 {draft.year} 年度指标配置（第 {adoption.seq} 次采用，"
                        f"SHA-256 {draft.blob_sha256}）：理由：{reason}")

    await ctx.run(decide)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


ROUTES = [
    Route("/drafts", drafts_home, methods=["GET"]),
    Route("/drafts", upload, methods=["POST"]),
    Route("/drafts/{draft_id}", draft_page, methods=["GET"]),
    Route("/drafts/{draft_id}/report", draft_report, methods=["GET"]),
    Route("/drafts/{draft_id}/yaml", draft_yaml, methods=["GET"]),
    Route("/drafts/{draft_id}/compare", compare, methods=["POST"]),
    Route("/drafts/{draft_id}/adopt", adopt, methods=["POST"]),
]
