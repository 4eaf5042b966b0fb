"""Feedback and objections: the central office feeds a run back with a deadline instead of
publishing it; each province sees its preliminary result and scorecard, lodges objections (per
indicator or task, with a reason and a file checked like evidence) until the deadline, and withdraws
one not yet answered; the central office answers each once. Every step is asked of the workflow
(``check_objection``) first, and written append-only with an audit row.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.evidence.content import EvidenceRefused, check_evidence
from scoring.portal.evidence.views import checked_file_response
from scoring.portal.objections import views
from scoring.portal.parsing import open_year, or_not_found, path_id
from scoring.portal.settings import china_date
from scoring.portal.store import objections as store
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import ObjectionFile
from scoring.portal.store.runs import get_run, run_file
from scoring.portal.web import display_name, download, render
from scoring.portal.workflow import (
    ObjectionState,
    ObjectionStep,
    check_objection,
    chinese_date,
    feedback_deadline,
)

ANSWERS = {"accept": ObjectionState.ACCEPTED, "reject": ObjectionState.REJECTED}
CHANGED = "这条异议刚刚被撤回或答复，请刷新页面后查看"


def _file_response(item: ObjectionFile, unit_code: str, data: bytes) -> Response:
    """An objection file served exactly as an evidence file is (same checked type, same headers)."""
    return checked_file_response(data, item.file_name, item.media_type, f"objection-{unit_code}-{item.id}")


# —— the central office ——


def _deadline(ctx: Ctx) -> date:
    raw = ctx.form.get("deadline", "").strip()
    if not raw:
        return feedback_deadline(china_date(ctx.now), ctx.portal.settings.feedback_working_days)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(400, "异议截止日期格式不正确，请按 2023-01-15 的格式填写") from None


@endpoint(Role.CENTRAL)
async def feed_back(ctx: Ctx) -> Response:
    """Feed a finished, unpublished run back to the units until a deadline (once)."""
    deadline = _deadline(ctx)

    def do(db: Session) -> int:
        run = or_not_found(get_run(db, path_id(ctx, "run_id")))
        feedback = store.feedback_of(db, run.id)
        check_objection(ObjectionStep.FEED_BACK, views.history(db, run, feedback, china_date(ctx.now),
                                                               proposed=deadline))
        row = store.feed_back(db, run, deadline, ctx.now, ctx.user.account_id)
        ctx.audit(db, "feedback", obj=f"run:{run.id}", before="未反馈",
                  after=f"{run.year} 年度第 {run.id} 次评分的结果已反馈各单位征求意见，"
                        f"异议截止日期 {chinese_date(deadline)}（北京时间当日结束）")
        return row.run_id

    try:
        run_id = await ctx.run(do)
    except IntegrityError:
        raise HTTPException(409, "这次评分已经反馈征求意见") from None
    return RedirectResponse(f"/runs/{run_id}/objections", status_code=303)


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def objections_page(ctx: Ctx) -> Response:
    """Every objection of a fed-back run, with an answer form for each one still open."""

    def load(db: Session) -> dict[str, Any]:
        run = or_not_found(get_run(db, path_id(ctx, "run_id")))
        feedback = store.feedback_of(db, run.id)
        if feedback is None:
            raise HTTPException(404, "这次评分的结果未反馈征求意见")
        listed = store.year_objections(db, run.year, feedback.id)
        people = {v.objection.account_id for v in listed} | {v.closed.account_id for v in listed if v.closed}
        config = ctx.portal.year_files(run.year).config
        return {"run": run, "feedback": feedback, "objections": listed, "names": account_names(db, people),
                "units": {code: unit.name for code, unit in config.units.items()},
                "subject_index": views.subject_index(config),
                "counts": store.counts(listed), "today": china_date(ctx.now)}

    view = await ctx.run(load)
    return render(ctx.request, "objections/central.html", principal=ctx.user,
                  central=ctx.user.role is Role.CENTRAL, corrections=views.CORRECTIONS, **view)


@endpoint(Role.CENTRAL)
async def answer(ctx: Ctx) -> Response:
    """Answer an objection once: 采纳 with the correction it leads to, or 不予采纳 with the reason."""
    decision = ANSWERS.get(ctx.form.get("decision", ""))
    if decision is None:
        raise HTTPException(400, "请选择答复：采纳或不予采纳")
    text = ctx.form.get("text", "").strip()
    if not text:
        accepted = decision is ObjectionState.ACCEPTED
        raise HTTPException(400, "请填写采纳后的更正内容" if accepted else "请填写不予采纳的理由")
    if len(text) > 2000:
        raise HTTPException(400, "答复不能超过 2000 字")
    correction = ctx.form.get("correction") or None
    if decision is ObjectionState.REJECTED:
        correction = None
    elif correction not in views.CORRECTIONS:
        raise HTTPException(400, "请选择采纳后的更正方式：全国双打办记录更正或审核调整")

    def do(db: Session) -> int:
        found = or_not_found(store.objection(db, path_id(ctx, "objection_id")))
        o = found.objection
        feedback = store.get_feedback(db, o.feedback_id)
        assert feedback is not None
        run = get_run(db, feedback.run_id)
        assert run is not None
        today = china_date(ctx.now)
        check_objection(ObjectionStep.ANSWER, views.history(db, run, feedback, today, found.state))
        store.close(db, o.id, decision, text, ctx.now, ctx.user.account_id, correction)
        how = f"采纳（{views.CORRECTIONS[correction]}）" if correction else "不予采纳"
        ctx.audit(db, "objection-answer", obj=f"objection:{o.id}", before="待答复",
                  after=f"{o.unit_code} 对{o.subject_label}的异议：{how}：{text}")
        return run.id

    try:
        run_id = await ctx.run(do)
    except IntegrityError:
        raise HTTPException(409, CHANGED) from None
    return RedirectResponse(f"/runs/{run_id}/objections#objection-{ctx.request.path_params['objection_id']}",
                            status_code=303)


@endpoint(Role.CENTRAL, Role.AUDITOR)
async def central_file(ctx: Ctx) -> Response:
    """Any objection's file, opened in place like evidence (PDF and images) or downloaded."""

    def load(db: Session) -> Response:
        found = or_not_found(store.any_file(db, path_id(ctx, "file_id")))
        item, objection, data = found
        return _file_response(item, objection.unit_code, data)

    return await ctx.run(load)


# —— the provincial office ——


@endpoint(Role.PROVINCE)
async def province_page(ctx: Ctx) -> Response:
    """The unit's preliminary result of the year's fed-back run, its objections and the answers."""

    def load(db: Session) -> dict[str, Any]:
        year = open_year(db)
        scope = ctx.unit_scope(db, year.year)
        shown = views.unit_feedback(db, year.year, scope.unit_code, store.unit_objections(scope))
        today = china_date(ctx.now)
        is_open = shown.feedback is not None and not shown.superseded and shown.feedback.deadline >= today
        config = ctx.portal.year_files(year.year).config
        unit = config.units.get(scope.unit_code)
        return {"year": year.year, "view": shown, "open": is_open, "subjects": views.subjects(config),
                "subject_index": views.subject_index(config),
                "unit_name": unit.name if unit else scope.unit_code, "reason_max": views.REASON_MAX,
                "units": {scope.unit_code: unit.name} if unit else {}}

    page = await ctx.run(load)
    limits = ctx.portal.settings.evidence_limits
    return render(ctx.request, "objections/province.html", principal=ctx.user,
                  max_mb=limits.max_bytes / 1024 / 1024, corrections=views.CORRECTIONS, **page)


@endpoint(Role.PROVINCE)
async def preliminary_scorecard(ctx: Ctx) -> Response:
    """The unit's own scorecard from the year's latest fed-back run."""

    def load(db: Session) -> tuple[str, bytes]:
        year = open_year(db)
        scope = ctx.unit_scope(db, year.year)
        shown = views.unit_feedback(db, year.year, scope.unit_code, [])
        found = run_file(db, shown.run.id, shown.scorecard) if shown.run and shown.scorecard else None
        if found is None or shown.unit is None:
            raise HTTPException(404, "本年度没有反馈征求意见的成绩单")
        return f"{shown.unit.name}{year.year}年度考核成绩单（征求意见稿）.pdf", found[1]

    name, data = await ctx.run(load)
    return download(data, name, f"scorecard-draft-{ctx.user.unit_code}.pdf", media_type="application/pdf")


def _subject(ctx: Ctx, year: int) -> views.Subject:
    wanted = ctx.form.get("subject", "")
    for subject in views.subjects(ctx.portal.year_files(year).config):
        if subject.value == wanted:
            return subject
    raise HTTPException(400, "请选择异议针对的指标或任务")


@endpoint(Role.PROVINCE, upload=True)
async def lodge(ctx: Ctx) -> Response:
    """Lodge an objection to the latest fed-back run, with an optional file checked like evidence;
    a refused file stores nothing."""
    reason = ctx.form.get("reason", "").strip()
    if not reason:
        raise HTTPException(400, "请填写异议理由")
    if len(reason) > views.REASON_MAX:
        raise HTTPException(400, f"异议理由不能超过 {views.REASON_MAX} 字")
    attachment = None
    if ctx.upload is not None and ctx.upload.filename:
        name = display_name(ctx.upload.filename, "异议材料")
        data = await ctx.upload.read()
        try:
            found = check_evidence(data, name, ctx.portal.settings.evidence_limits)
        except EvidenceRefused as refused:
            raise HTTPException(422, f"“{name}”：{refused.message}") from None
        attachment = (name, found.media_type, hashlib.sha256(data).hexdigest(), data)

    def do(db: Session) -> None:
        year = open_year(db)
        scope = ctx.unit_scope(db, year.year)
        subject = _subject(ctx, year.year)
        feedbacks = store.year_feedbacks(db, year.year)
        feedback = feedbacks[0] if feedbacks else None
        run = get_run(db, feedback.run_id) if feedback else None
        if feedback is None or run is None:
            raise HTTPException(409, "本年度的评分结果尚未反馈征求意见，不能提出异议")
        check_objection(ObjectionStep.LODGE, views.history(db, run, feedback, china_date(ctx.now)))
        row = store.lodge(scope, feedback, subject_kind=subject.kind, subject_id=subject.id,
                          subject_label=subject.label, reason=reason, at=ctx.now,
                          account_id=ctx.user.account_id, attachment=attachment)
        attached = (f"，附件 {attachment[0]}（SHA-256 {attachment[2]}，{len(attachment[3])} 字节）"
                    if attachment else "")
        ctx.audit(db, "objection-lodge", obj=f"objection:{row.id}", before=None,
                  after=f"对第 {run.id} 次评分（反馈征求意见）的{subject.label}提出异议：{reason}{attached}")

    await ctx.run(do)
    return RedirectResponse("/feedback", status_code=303)


@endpoint(Role.PROVINCE)
async def withdraw(ctx: Ctx) -> Response:
    """Withdraw one of the unit's own objections not yet answered, before the deadline."""

    def do(db: Session) -> None:
        scope = ctx.unit_scope(db)
        found = or_not_found(store.own_objection(scope, path_id(ctx, "objection_id")))
        o = found.objection
        feedback = store.get_feedback(db, o.feedback_id)
        run = get_run(db, feedback.run_id) if feedback else None
        assert feedback is not None and run is not None
        today = china_date(ctx.now)
        check_objection(ObjectionStep.WITHDRAW, views.history(db, run, feedback, today, found.state))
        store.close(db, o.id, ObjectionState.WITHDRAWN, "单位撤回", ctx.now, ctx.user.account_id)
        ctx.audit(db, "objection-withdraw", obj=f"objection:{o.id}", before="待答复",
                  after=f"撤回对{o.subject_label}的异议")

    try:
        await ctx.run(do)
    except IntegrityError:
        raise HTTPException(409, CHANGED) from None
    return RedirectResponse("/feedback", status_code=303)


@endpoint(Role.PROVINCE)
async def province_file(ctx: Ctx) -> Response:
    """A file of one of the unit's own objections (another unit's is 'not found')."""

    def load(db: Session) -> Response:
        scope = ctx.unit_scope(db)
        found = or_not_found(store.own_file(scope, path_id(ctx, "file_id")))
        return _file_response(found[0], scope.unit_code, found[1])

    return await ctx.run(load)


ROUTES = [
    Route("/runs/{run_id}/feedback", feed_back, methods=["POST"]),
    Route("/runs/{run_id}/objections", objections_page, methods=["GET"]),
    Route("/central/objections/{objection_id}/answer", answer, methods=["POST"]),
    Route("/central/objection-files/{file_id}", central_file, methods=["GET"]),
    Route("/feedback", province_page, methods=["GET"]),
    Route("/feedback/scorecard", preliminary_scorecard, methods=["GET"]),
    Route("/feedback/objections", lodge, methods=["POST"]),
    Route("/feedback/objections/{objection_id}/withdraw", withdraw, methods=["POST"]),
    Route("/feedback/files/{file_id}", province_file, methods=["GET"]),
]
