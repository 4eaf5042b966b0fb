"""The provincial office: home page, template, upload with findings, versions, preview, submit.

Every handler reaches unit data through ``ctx.unit_scope``, built from the signed-in account's own
unit: a version of another unit is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.portal import workflow
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.findings import group_findings, row_names
from scoring.portal.parsing import CHANGED, NO_YEAR, confirmed, open_year, or_not_found, path_id
from scoring.portal.runs.results import Published, published_result
from scoring.portal.settings import china_date
from scoring.portal.status import Standing, UnitState, next_step
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import Version
from scoring.portal.store.runs import run_file
from scoring.portal.store.submissions import NewVersion, UnitScope, peer_submissions, uploads_since
from scoring.portal.web import display_name, download, render, version_download
from scoring.portal.workflow import Step, UnitHistory, VersionFacts
from scoring.portal.years import OpenYear, current_year
from scoring.problems import Severity
from scoring.workbook.submission import Submission

UPLOAD_WINDOW = timedelta(minutes=1)  # settings.uploads_per_minute counts the uploads in this window


def _own_version(ctx: Ctx, db: Session, scope: UnitScope) -> Version:
    version = or_not_found(scope.version(path_id(ctx, "version_id")))
    return version


def _history(ctx: Ctx, year: OpenYear, unit: Standing, version: VersionFacts | None = None) -> UnitHistory:
    name = ctx.user.unit_code or ""
    return UnitHistory(name=name, year=year.year, standing=unit, deadline=year.deadline,
                       today=china_date(ctx.now), version=version)


def _blocked(ctx: Ctx, year: OpenYear, unit: Standing) -> str | None:
    return workflow.refused(Step.UPLOAD, _history(ctx, year, unit))


@dataclass(frozen=True)
class HomeView:
    """What the provincial office's home page shows."""

    year: OpenYear | None
    unit_name: str
    standing: Standing | None
    blocked: str | None
    next_step: str
    versions: list[Version]
    uploaders: dict[int, str]
    published: Published | None = None


def home_view(ctx: Ctx, db: Session) -> HomeView:
    """The unit's year, deadline, state, next step and versions."""
    unit_code = ctx.user.unit_code or ""
    year = current_year(db)
    if year is None:
        return HomeView(None, unit_code, None, NO_YEAR, NO_YEAR + "。", [], {})
    unit = ctx.portal.year_files(year.year).config.units.get(unit_code)
    scope = ctx.unit_scope(db, year.year)
    standing = scope.standing()
    versions = scope.versions()
    blocked = _blocked(ctx, year, standing)
    latest_errors = versions[0].errors if versions else None
    return HomeView(year=year, unit_name=unit.name if unit else unit_code, standing=standing, blocked=blocked,
                    next_step=next_step(standing, blocked, latest_errors), versions=versions,
                    uploaders=account_names(db, {v.uploaded_by for v in versions}),
                    published=published_result(db, year.year, scope.unit_code))


async def home_page(ctx: Ctx) -> Response:
    """The provincial office's home page (served at ``/``)."""
    view = await ctx.run(lambda db: home_view(ctx, db))
    return render(ctx.request, "province/home.html", principal=ctx.user, view=view, UnitState=UnitState)


@endpoint(Role.PROVINCE)
async def template(ctx: Ctx) -> Response:
    """The unit's template for the open year: the same bytes as ``scoring template``."""
    from scoring.workbook.template import build_template, template_name, workbook_bytes

    year = await ctx.run(open_year)
    config = ctx.portal.year_files(year.year).config
    unit = or_not_found(config.units.get(ctx.user.unit_code or ""))
    key = (year.year, unit.code)
    data = ctx.portal.templates.get(key)
    if data is None:
        data = await run_in_threadpool(lambda: workbook_bytes(build_template(config.source, unit)))
        ctx.portal.templates[key] = data
    return download(data, template_name(unit), f"template-{year.year}-{unit.code}.xlsx")


def _counts(submission: Submission) -> tuple[int, int, int]:
    by = [f.severity for f in submission.findings]
    return by.count(Severity.ERROR), by.count(Severity.WARNING), by.count(Severity.INFO)


def upload_rate(ctx: Ctx, db: Session) -> None:
    """An account may upload ``settings.uploads_per_minute`` workbooks in any minute: one more is
    refused before its body is read, so a client that uploads without pause cannot keep the
    validators from the other units (resource control). An account found at its limit is refused
    from memory until the earliest of those uploads leaves the minute (versions are never removed,
    so no upload can be allowed sooner): a client that keeps sending costs no query."""
    limit = ctx.portal.settings.uploads_per_minute
    account_id = ctx.user.account_id
    refusals = ctx.portal.upload_refusals
    until = refusals.get(account_id)
    if until is None or until <= ctx.now:
        count, earliest = uploads_since(db, account_id, ctx.now - UPLOAD_WINDOW)
        if count < limit or earliest is None:
            refusals.pop(account_id, None)
            return
        refusals[account_id] = earliest + UPLOAD_WINDOW
    raise HTTPException(429, f"上传过于频繁：本账号一分钟内已上传 {limit} 次，请一分钟后再上传",
                        headers={"Retry-After": str(int(UPLOAD_WINDOW.total_seconds()))})


@endpoint(Role.PROVINCE, upload=True, before_body=upload_rate)
async def upload(ctx: Ctx) -> Response:
    """Store an uploaded workbook as a new version with its findings, then show them."""
    if ctx.upload is None or not ctx.upload.filename:
        raise HTTPException(400, "请选择要上传的 Excel 文件（.xlsx）")

    def check(db: Session) -> OpenYear:
        year = open_year(db)
        workflow.check(Step.UPLOAD, _history(ctx, year, ctx.unit_scope(db, year.year).standing()))
        return year

    year = await ctx.read(check)  # checked again, under the write lock, before storing
    data = await ctx.upload.read()
    name = display_name(ctx.upload.filename)
    sha256 = hashlib.sha256(data).hexdigest()
    submission = await ctx.portal.workers.validate(data, name, year.year, ctx.user.unit_code)
    submission = submission.model_copy(update={"file": name, "sha256": sha256, "size": len(data)})
    errors, warnings, notes = _counts(submission)
    new = NewVersion(file_name=name, data=data, sha256=sha256, errors=errors, warnings=warnings, notes=notes,
                     submission_json=submission.model_dump_json())

    def store(db: Session) -> int:
        scope = ctx.unit_scope(db, year.year)
        before = scope.standing()
        workflow.check(Step.UPLOAD, _history(ctx, year, before))
        version = scope.add_version(new, ctx.user.account_id, ctx.now)
        after = "草稿" if before.state is UnitState.NOT_STARTED else before.label
        ctx.audit(db, "upload", obj=f"version:{version.id}", before=before.label,
                  after=f"{after}（第 {version.number} 版，{name}，SHA-256 {sha256}，{len(data)} 字节，"
                        f"{errors} 个错误，{warnings} 个警告）")
        return version.id

    version_id = await ctx.run(store)  # numbered under the unit's lock: concurrent uploads all count
    return RedirectResponse(f"/versions/{version_id}", status_code=303)


@dataclass(frozen=True)
class VersionView:
    """A version's page: its record, findings and whether it can be submitted now."""

    version: Version
    uploader: str
    submission: Submission
    standing: Standing
    blocked: str | None
    is_submitted: bool


@endpoint(Role.PROVINCE)
async def version_page(ctx: Ctx) -> Response:
    """One version: its record and every finding, grouped by sheet, errors first."""

    def load(db: Session) -> VersionView:
        scope = ctx.unit_scope(db)
        version = _own_version(ctx, db, scope)
        scope = ctx.unit_scope(db, version.year)
        standing = scope.standing()
        year = current_year(db)
        blocked = NO_YEAR if year is None or year.year != version.year else _blocked(ctx, year, standing)
        return VersionView(version=version, uploader=account_names(db, {version.uploaded_by}).get(
            version.uploaded_by, ""), submission=Submission.model_validate_json(version.submission),
            standing=standing, blocked=blocked,
            is_submitted=standing.submitted is not None and standing.submitted.version_id == version.id)

    view = await ctx.run(load)
    return render(ctx.request, "province/version.html", principal=ctx.user, view=view,
                  groups=group_findings(view.submission.findings,
                                        row_names(ctx.portal.year_files(view.version.year).config.source)),
                  summary=view.submission.summary_text(),
                  UnitState=UnitState)


@endpoint(Role.PROVINCE)
async def version_file(ctx: Ctx) -> Response:
    """The stored bytes of one of the unit's versions, as uploaded."""

    def load(db: Session) -> tuple[Version, bytes]:
        scope = ctx.unit_scope(db)
        version = _own_version(ctx, db, scope)
        return version, scope.file_of(version)

    return version_download(await ctx.run(load))


@endpoint(Role.PROVINCE)
async def preview(ctx: Ctx) -> Response:
    """A preliminary self-score by section for a version without errors (not official)."""

    def load(db: Session) -> tuple[Version, dict[str, str]]:
        version = _own_version(ctx, db, ctx.unit_scope(db))
        if version.errors:
            raise HTTPException(409, "该版本有错误，不能预评分；请修正错误后重新上传")
        return version, peer_submissions(db, version.year, version.unit_code)

    version, peers = await ctx.run(load)
    result = await ctx.portal.workers.preview(version.year, version.unit_code, version.submission, peers)
    return render(ctx.request, "province/preview.html", principal=ctx.user, version=version, preview=result)


@dataclass(frozen=True)
class SubmitCheck:
    """A version a submit is about, once the workflow allows it: the unit's standing before it."""

    version: Version
    before: Standing


def _checked_submit(ctx: Ctx, db: Session) -> SubmitCheck:
    version = _own_version(ctx, db, ctx.unit_scope(db))
    year = open_year(db)
    before = ctx.unit_scope(db, year.year).standing()
    facts = VersionFacts(number=version.number, year=version.year, errors=version.errors)
    workflow.check(Step.SUBMIT, _history(ctx, year, before, facts))
    return SubmitCheck(version=version, before=before)


@endpoint(Role.PROVINCE)
async def submit_page(ctx: Ctx) -> Response:
    """What submitting a version does, with the form that confirms it (refused as the submit would be)."""
    checked = await ctx.run(lambda db: _checked_submit(ctx, db))
    return render(ctx.request, "province/submit.html", principal=ctx.user, version=checked.version)


@endpoint(Role.PROVINCE)
async def submit(ctx: Ctx) -> Response:
    """Submit a version without errors, once confirmed on its confirmation page (a POST without the
    confirmation is sent there); the submit time is recorded for the timeliness indicator."""
    is_confirmed = confirmed(ctx)

    def do(db: Session) -> bool:
        if not is_confirmed:
            _own_version(ctx, db, ctx.unit_scope(db))  # another unit's version: not found
            return False
        checked = _checked_submit(ctx, db)
        version, before = checked.version, checked.before
        ctx.unit_scope(db, version.year).add_decision(before.last_seq, "submit", ctx.now, ctx.user.account_id,
                                                      version_id=version.id)
        ctx.audit(db, "submit", obj=f"version:{version.id}", before=before.label,
                  after=f"已提交（第 {version.number} 版，SHA-256 {version.blob_sha256}）")
        return True

    try:
        done = await ctx.run(do)
    except IntegrityError:
        raise HTTPException(409, CHANGED) from None
    if not done:
        return RedirectResponse(f"/versions/{path_id(ctx, 'version_id')}/submit", status_code=303)
    return RedirectResponse("/", status_code=303)


@endpoint(Role.PROVINCE)
async def scorecard(ctx: Ctx) -> Response:
    """The unit's own scorecard from the open year's published results (only its own)."""

    def load(db: Session) -> tuple[str, bytes]:
        year = open_year(db)
        scope = ctx.unit_scope(db, year.year)
        published = published_result(db, year.year, scope.unit_code)
        found = run_file(db, published.publication.run_id, published.scorecard) if published else None
        if published is None or found is None:
            raise HTTPException(404, "本年度考核结果尚未发布")
        return f"{published.unit.name}{year.year}年度考核成绩单.pdf", found[1]

    name, data = await ctx.run(load)
    return download(data, name, f"scorecard-{ctx.user.unit_code}.pdf", media_type="application/pdf")


ROUTES = [
    Route("/template", template, methods=["GET"]),
    Route("/results/scorecard", scorecard, methods=["GET"]),
    Route("/upload", upload, methods=["POST"]),
    Route("/versions/{version_id}", version_page, methods=["GET"]),
    Route("/versions/{version_id}/file", version_file, methods=["GET"]),
    Route("/versions/{version_id}/preview", preview, methods=["GET"]),
    Route("/versions/{version_id}/submit", submit_page, methods=["GET"]),
    Route("/versions/{version_id}/submit", submit, methods=["POST"]),
]
