"""The central office's records (通报, 约谈, 挂牌督办 …): a form per unit, or the central workbook
uploaded whole. Either way the values are checked by the validator of the central workbook (a form
edit through the workbook generated from it) and stored as a new numbered version, logged. A unit
that submitted through the portal gets its submission date from its submit time, never typed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.units import Unit
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.findings import group_findings
from scoring.portal.parsing import CHANGED, open_year, path_unit
from scoring.portal.records import central_values
from scoring.portal.settings import china_date
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import CentralRecord
from scoring.portal.store.reviews import add_central_record, central_history, central_in_force
from scoring.portal.store.submissions import store_blob, submitted_on
from scoring.portal.web import display_name, download, render
from scoring.portal.years import OpenYear
from scoring.problems import Problem, Severity
from scoring.workbook import layout as L
from scoring.workbook.central_template import CentralValue
from scoring.workbook.submission import Submission


@dataclass(frozen=True)
class Records:
    """The year's records in force, the portal's submit dates and the history of changes."""

    year: OpenYear
    items: list[DataItem]
    units: list[Unit]
    values: central_values.Values
    dates: dict[str, date]
    record: CentralRecord | None
    history: list[CentralRecord]
    names: dict[int, str]


def _records(ctx: Ctx, db: Session) -> Records:
    year = open_year(db)
    config = ctx.portal.year_files(year.year).config
    history = central_history(db, year.year)
    record = history[0] if history else None
    items = config.source.central_items()
    return Records(year=year, items=items, units=sorted(config.units.values(), key=lambda u: u.code),
                   values=central_values.parse_values(record.values, items) if record else {},
                   dates={code: china_date(at) for code, at in submitted_on(db, year.year).items()},
                   record=record, history=history, names=account_names(db, {h.account_id for h in history}))


@endpoint(Role.CENTRAL)
async def records_page(ctx: Ctx) -> Response:
    """Every unit's central values in force, what is missing, and the history of changes."""
    records = await ctx.run(lambda db: _records(ctx, db))
    shown = central_values.with_submit_dates(records.values, records.dates)
    blanks = central_values.blank_counts(shown, [u.code for u in records.units], records.items)
    return render(ctx.request, "central/records.html", principal=ctx.user, records=records, shown=shown,
                  blanks=blanks, incomplete=sum(1 for n in blanks.values() if n), value=central_values.shown,
                  SUBMISSION_DATE=central_values.SUBMISSION_DATE)


@endpoint(Role.CENTRAL)
async def records_workbook(ctx: Ctx) -> Response:
    """The central workbook of the records in force, with the portal's submit dates: the file a run
    reads, and a starting point for editing offline and uploading again."""
    records = await ctx.run(lambda db: _records(ctx, db))
    config = ctx.portal.year_files(records.year.year).config
    data = await run_in_threadpool(central_values.workbook, config.source, config.units, records.values,
                                   records.dates)  # openpyxl takes most of a second: off the event loop
    name = L.central_file_name(records.year.year)
    return download(data, name, name)


def _form_page(ctx: Ctx, records: Records, unit: Unit, values: dict[str, CentralValue],
               by_item: dict[str, list[Problem]], status_code: int = 200) -> Response:
    errors = sum(f.severity is Severity.ERROR for problems in by_item.values() for f in problems)
    return render(ctx.request, "central/record_form.html", status_code=status_code, principal=ctx.user,
                  records=records, unit=unit, values=values, by_item=by_item, errors=errors,
                  value=central_values.shown, portal_date=records.dates.get(unit.code), ItemKind=ItemKind,
                  SUBMISSION_DATE=central_values.SUBMISSION_DATE)


@endpoint(Role.CENTRAL)
async def record_form(ctx: Ctx) -> Response:
    """One unit's central values as a form."""
    records = await ctx.run(lambda db: _records(ctx, db))
    unit = path_unit(ctx, records.year.year)
    return _form_page(ctx, records, unit, dict(records.values.get(unit.code, {})), {})


def _changes(items: list[DataItem], old: dict[str, CentralValue],
             new: dict[str, CentralValue]) -> tuple[str, str]:
    shown = central_values.shown
    changed = [i for i in items if shown(old.get(i.code)) != shown(new.get(i.code))]
    before = "；".join(f"{i.name} {shown(old.get(i.code)) or '空'}" for i in changed)
    after = "；".join(f"{i.name} {shown(new.get(i.code)) or '空'}" for i in changed)
    return before or "无变化", after or "无变化"


@endpoint(Role.CENTRAL)
async def save_record(ctx: Ctx) -> Response:
    """Check one unit's edited values as the central workbook would be checked, and store them."""
    records = await ctx.run(lambda db: _records(ctx, db))
    unit = path_unit(ctx, records.year.year)
    old = dict(records.values.get(unit.code, {}))
    new: dict[str, CentralValue] = {}
    for item in records.items:
        if item.code == central_values.SUBMISSION_DATE and unit.code in records.dates:
            new[item.code] = old.get(item.code)  # the portal's submit date is used, never a typed one
        else:
            new[item.code] = central_values.form_value(item, ctx.form.get(f"item-{item.code}", ""))
    config = ctx.portal.year_files(records.year.year).config
    values = central_values.edited(records.values, unit.code, new)
    data = await run_in_threadpool(central_values.workbook, config.source, config.units, values,
                                   records.dates)
    name = L.central_file_name(records.year.year)
    checked = await ctx.portal.workers.validate(data, name, records.year.year)
    findings = central_values.unit_findings(checked, unit.code)
    if any(f.severity is Severity.ERROR for f in findings):
        problems = central_values.by_item(checked, unit.code, findings)
        return _form_page(ctx, records, unit, new, problems, status_code=400)
    before, after = _changes(records.items, old, new)
    number = records.record.number if records.record else 0

    def store(db: Session) -> None:
        add_central_record(db, records.year.year, source="form", unit_code=unit.code,
                           values_json=central_values.values_json(values), at=ctx.now,
                           account_id=ctx.user.account_id, after_number=number,
                           warnings=sum(f.severity is Severity.WARNING for f in findings))
        ctx.audit(db, "central-form", obj=f"unit:{unit.code}", before=before,
                  after=f"中央记录第 {number + 1} 版：{after}")

    try:
        await ctx.run(store)
    except IntegrityError:
        raise HTTPException(409, CHANGED) from None
    return RedirectResponse(f"/central/records#unit-{unit.code}", status_code=303)


@endpoint(Role.CENTRAL, upload=True)
async def upload_records(ctx: Ctx) -> Response:
    """Take the central workbook whole: checked by the validator, stored only without errors."""
    if ctx.upload is None or not ctx.upload.filename:
        raise HTTPException(400, "请选择要上传的全国办中央记录工作簿（.xlsx）")
    year = (await ctx.run(open_year)).year
    data = await ctx.upload.read()
    name = display_name(ctx.upload.filename)
    sha256 = hashlib.sha256(data).hexdigest()
    checked: Submission = await ctx.portal.workers.validate(data, name, year)
    findings = list(checked.findings)
    if checked.read is not None and checked.unit_code != L.CENTRAL_UNIT:
        findings.insert(0, Problem(code="central-not-central", severity=Severity.ERROR,
                                   message="上传的文件不是全国办中央记录工作簿（请下载本页的中央记录工作簿填写后上传）"))
    if any(f.severity is Severity.ERROR for f in findings) or not checked.central:
        return render(ctx.request, "central/records_refused.html", status_code=400, principal=ctx.user,
                      file_name=name, groups=group_findings(findings), summary=checked.summary_text())
    values = central_values.from_submission(checked)
    warnings = checked.count(Severity.WARNING)

    def store(db: Session) -> None:
        record = central_in_force(db, year)
        number = record.number if record else 0
        store_blob(db, sha256, data, ctx.now)
        add_central_record(db, year, source="workbook", blob_sha256=sha256, file_name=name,
                           values_json=central_values.values_json(values), warnings=warnings, at=ctx.now,
                           account_id=ctx.user.account_id, after_number=number)
        ctx.audit(db, "central-upload", obj=f"central-records:{year}",
                  before=f"第 {number} 版" if number else "无记录",
                  after=f"中央记录第 {number + 1} 版（{name}，SHA-256 {sha256}，{len(values)} 个单位，"
                        f"{warnings} 个警告）")

    try:
        await ctx.run(store)
    except IntegrityError:
        raise HTTPException(409, CHANGED) from None
    return RedirectResponse("/central/records", status_code=303)


ROUTES = [
    Route("/central/records", records_page, methods=["GET"]),
    Route("/central/records/workbook", records_workbook, methods=["GET"]),
    Route("/central/records/upload", upload_records, methods=["POST"]),
    Route("/central/records/{unit_code}", record_form, methods=["GET"]),
    Route("/central/records/{unit_code}", save_record, methods=["POST"]),
]
