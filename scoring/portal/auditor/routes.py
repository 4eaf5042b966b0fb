"""The auditors' workspace (read-only): each year's indicator configuration with its audit report
and the comparison with the previous year, every run and publication, and the audit log filtered
and exported as CSV or .xlsx. Auditors have no write route at all (see ``auth``); every handler here
is a GET."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scoring.indicators.units import load_units
from scoring.portal.auditor import config_lint
from scoring.portal.auditor.audit_trail import ACTION_LABELS, LogFilter, csv_bytes, parse_filter, xlsx_bytes
from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.parsing import or_not_found, path_id
from scoring.portal.runs.routes import STATE_LABELS
from scoring.portal.store import audit
from scoring.portal.store.accounts import ROLE_LABELS
from scoring.portal.store.models import AuditEntry, Publication, Run
from scoring.portal.store.runs import all_runs, publications, run_numbers
from scoring.portal.web import download, render
from scoring.problems import SEVERITY_LABELS

# the full audit report is the document ``scoring audit -o 报告.html`` writes: its own inline style,
# no script, no external resource
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
              "base-uri 'none'")
LOG_LIMIT = 500


@dataclass(frozen=True)
class AuditHome:
    """The years with a configuration, and every run with its publication."""

    years: list[int]
    previous: dict[int, int | None]
    runs: list[Run]
    published: dict[int, Publication]
    numbers: dict[int, int]


@endpoint(Role.AUDITOR)
async def audit_home(ctx: Ctx) -> Response:
    """The auditor's start page."""

    def load(db: Session) -> AuditHome:
        years = config_lint.config_years()
        return AuditHome(years=years, previous={y: config_lint.previous_config_year(y) for y in years},
                         runs=all_runs(db), published=publications(db), numbers=run_numbers(db))

    view = await ctx.run(load)
    return render(ctx.request, "audit/home.html", principal=ctx.user, view=view, states=STATE_LABELS)


async def _audit(ctx: Ctx) -> config_lint.ConfigAudit:
    year = path_id(ctx, "year")
    found = or_not_found(await run_in_threadpool(config_lint.config_audit, year))
    return found


@endpoint(Role.AUDITOR, Role.CENTRAL)
async def config_page(ctx: Ctx) -> Response:
    """A year's configuration: its fingerprint, the audit's verdict, findings, maxima and weights."""
    found = await _audit(ctx)
    return render(ctx.request, "audit/config.html", principal=ctx.user, audit=found, report=found.report,
                  severity=SEVERITY_LABELS)


@endpoint(Role.AUDITOR, Role.CENTRAL)
async def config_report(ctx: Ctx) -> Response:
    """The full audit report, exactly as ``scoring audit YEAR -o 报告.html`` writes it."""
    found = await _audit(ctx)
    html = await run_in_threadpool(config_lint.audit_document, found)
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})


@endpoint(Role.AUDITOR, Role.CENTRAL)
async def config_diff(ctx: Ctx) -> Response:
    """What changed against the previous year's configuration."""
    found = await _audit(ctx)
    if found.report.diff is None:
        raise HTTPException(404, "没有更早年度的指标配置可供比较")
    return render(ctx.request, "audit/diff.html", principal=ctx.user, audit=found, diff=found.report.diff)


@endpoint(Role.AUDITOR, Role.CENTRAL)
async def config_yaml(ctx: Ctx) -> Response:
    """The configuration file itself."""
    found = await _audit(ctx)
    name = found.loaded.file.name
    return download(found.data, name, name, media_type="application/yaml; charset=utf-8")


def unit_code_of(text: str) -> str | None:
    """The unit a filter names, by code (310000) or by name (上海, 上海市); None when none matches."""
    if not text:
        return ""
    units = load_units().units
    for unit in units:
        if text in (unit.code, unit.name, unit.short_name):
            return unit.code
    matches = [u.code for u in units if text in u.name]
    return matches[0] if len(matches) == 1 else None


def _entries(ctx: Ctx, chosen: LogFilter, limit: int | None) -> Callable[[Session], list[AuditEntry]]:
    since, until = chosen.moments
    code = unit_code_of(chosen.unit)

    def load(db: Session) -> list[AuditEntry]:
        if code is None:
            return []
        return audit.filtered(db, unit=code, user=chosen.user, action=chosen.action, since=since,
                              until=until, limit=limit)

    return load


@endpoint(Role.AUDITOR, Role.AUDITADMIN)
async def log_page(ctx: Ctx) -> Response:
    """The audit log, newest first, filtered by unit, account, action and dates."""
    chosen = parse_filter(ctx.request.query_params)
    rows = await ctx.run(_entries(ctx, chosen, LOG_LIMIT + 1))
    chain = await ctx.read(audit.verify_chain)
    return render(ctx.request, "audit/log.html", principal=ctx.user, rows=rows[:LOG_LIMIT],
                  more=len(rows) > LOG_LIMIT, chosen=chosen, actions=ACTION_LABELS, roles=ROLE_LABELS,
                  limit=LOG_LIMIT, unknown_unit=unit_code_of(chosen.unit) is None, chain=chain)


@endpoint(Role.AUDITOR, Role.AUDITADMIN)
async def log_csv(ctx: Ctx) -> Response:
    """Every row matching the filter as CSV."""
    rows = await ctx.run(_entries(ctx, parse_filter(ctx.request.query_params), None))
    return download(csv_bytes(rows), "审计日志.csv", "audit-log.csv", media_type="text/csv; charset=utf-8")


@endpoint(Role.AUDITOR, Role.AUDITADMIN)
async def log_xlsx(ctx: Ctx) -> Response:
    """Every row matching the filter as an Excel workbook (the CSV's columns; no cell a formula)."""
    rows = await ctx.run(_entries(ctx, parse_filter(ctx.request.query_params), None))
    return download(await run_in_threadpool(xlsx_bytes, rows), "审计日志.xlsx", "audit-log.xlsx")


ROUTES = [
    Route("/audit", audit_home, methods=["GET"]),
    Route("/audit/config/{year}", config_page, methods=["GET"]),
    Route("/audit/config/{year}/report", config_report, methods=["GET"]),
    Route("/audit/config/{year}/diff", config_diff, methods=["GET"]),
    Route("/audit/config/{year}/yaml", config_yaml, methods=["GET"]),
    Route("/audit/log", log_page, methods=["GET"]),
    Route("/audit/log.csv", log_csv, methods=["GET"]),
    Route("/audit/log.xlsx", log_xlsx, methods=["GET"]),
]
