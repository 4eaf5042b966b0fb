"""The app factory: ``create_app(settings)`` returns the portal's ASGI app; nothing is built at import."""

from __future__ import annotations

import asyncio
import http
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from itsdangerous import TimestampSigner
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from scoring.errors import ScoringError
from scoring.pipeline import YearFiles
from scoring.portal.jobs import JobRunner, reap, sweep_folders
from scoring.portal.settings import PortalSettings
from scoring.portal.store import Database
from scoring.portal.store import runs as run_store
from scoring.portal.store.migrate import SchemaState, schema_state
from scoring.portal.store.models import Instance
from scoring.portal.store.submissions import open_years
from scoring.portal.validation import Workers, year_files
from scoring.portal.web import SecurityHeaders, page_environment, render
from scoring.portal.workflow import WorkflowRefused

log = logging.getLogger("scoring.portal")

MESSAGES = {
    400: "请求无效", 403: "没有权限访问此页面", 404: "页面不存在，或您无权查看", 405: "不支持此操作",
    408: "上传超时", 413: "上传内容过大", 422: "文件未通过检查", 429: "请求过于频繁，请稍后再试",
}
DATABASE_DOWN = "数据库暂时无法连接，请稍后刷新重试；已保存的数据不受影响。"
INTERNAL = "系统内部错误，请稍后重试；如反复出现，请联系系统管理员。"


@dataclass
class Portal:
    """What every request shares: settings, the database, pages, the validation workers, the signer."""

    settings: PortalSettings
    db: Database
    pages: Environment
    workers: Workers
    signer: TimestampSigner
    jobs: JobRunner
    templates: dict[tuple[int, str], bytes] = field(default_factory=dict)
    # account id → until when its uploads are refused (it reached uploads_per_minute); see upload_rate
    upload_refusals: dict[int, datetime] = field(default_factory=dict)

    def year_files(self, year: int) -> YearFiles:
        """The year's configuration as the pipeline loads it (read once per process)."""
        return year_files(year)


def _instance_value(db: Database, key: str, make: str) -> str:
    """A value created once per database (``make`` unless it exists), shared by every server process."""
    with db.transaction() as session:
        values = {"key": key, "value": make}
        dialect = session.get_bind().dialect.name
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Instance).values(**values)
        session.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
        value = session.scalar(select(Instance.value).where(Instance.key == key))
    assert value is not None
    return value


def _session_secret(db: Database) -> str:
    """The cookie signing key."""
    return _instance_value(db, "session_secret", secrets.token_urlsafe(48))


def _routes() -> list[BaseRoute]:
    from scoring.portal import home, static
    from scoring.portal.accounts import manage, own, signin
    from scoring.portal.auditor import routes as auditor
    from scoring.portal.drafts import routes as drafts
    from scoring.portal.evidence import routes as evidence
    from scoring.portal.objections import routes as objections
    from scoring.portal.province import routes as province
    from scoring.portal.records import routes as records
    from scoring.portal.review import routes as review
    from scoring.portal.runs import routes as runs

    return [*signin.ROUTES, *own.ROUTES, *manage.ROUTES, *home.ROUTES, *province.ROUTES, *review.ROUTES,
            *records.ROUTES, *runs.ROUTES, *auditor.ROUTES, *drafts.ROUTES, *evidence.ROUTES,
            *objections.ROUTES, *static.ROUTES]


def _recover_runs(db: Database, settings: PortalSettings) -> None:
    """A run whose job died with an earlier server is marked failed, and no folder is left over."""
    with db.transaction() as session:
        reap(session, settings, settings.clock())
        active = {run.id for run in run_store.unfinished(session)}
    sweep_folders(settings, active)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    try:
        default = http.HTTPStatus(exc.status_code).phrase
    except ValueError:
        default = ""
    fallback = MESSAGES.get(exc.status_code, "请求无法完成")
    message = exc.detail if exc.detail and exc.detail != default else fallback
    response = render(request, "error.html", status_code=exc.status_code,
                      title=MESSAGES.get(exc.status_code, "出错了"), message=message, principal=None)
    response.headers.update(exc.headers or {})
    return response


def _refused(request: Request, exc: Exception) -> Response:
    """A step the workflow refused: 409, with its reason."""
    assert isinstance(exc, WorkflowRefused)
    return render(request, "error.html", status_code=409, title=MESSAGES.get(409, "出错了"),
                  message=exc.reason, principal=None)


def _database_error(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable: %s", type(exc).__name__)
    return render(request, "error.html", status_code=503, title="数据库暂时不可用", message=DATABASE_DOWN,
                  principal=None)


def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return render(request, "error.html", status_code=500, title="系统内部错误", message=INTERNAL,
                  principal=None)


def _years_to_warm(db: Database) -> list[int]:
    """The open years whose configuration the validation workers read at start."""
    with db.transaction(writes=False) as session:
        return open_years(session)


def create_app(settings: PortalSettings) -> Starlette:
    """The portal for ``settings``; its database must already be at the code's schema."""
    db = Database(settings.database_url)
    state, revision = schema_state(db.engine)
    if state is not SchemaState.CURRENT:
        db.dispose()
        raise ScoringError(f"数据库结构不是当前版本（{state.value}，{revision or '未初始化'}），"
                           "请先运行 scoring db upgrade")
    settings = replace(settings, instance=_instance_value(db, "runs_folder", secrets.token_hex(8)))
    _recover_runs(db, settings)
    portal = Portal(settings=settings, db=db, pages=page_environment(settings.templates_dir),
                    workers=Workers(settings.validation_workers, settings.validation_timeout_s,
                                    cpu_s=settings.validation_cpu_s,
                                    memory_bytes=settings.validation_memory_bytes),
                    signer=TimestampSigner(_session_secret(db), salt="scoring.portal.session"),
                    jobs=JobRunner(settings))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        warming = asyncio.create_task(portal.workers.warm(await run_in_threadpool(_years_to_warm, db)))
        yield
        warming.cancel()
        portal.jobs.close()
        portal.workers.close()
        db.dispose()

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(SecurityHeaders, secure=settings.secure_cookies)],
        exception_handlers={HTTPException: _http_error, WorkflowRefused: _refused,
                            OperationalError: _database_error, DBAPIError: _database_error,
                            PoolTimeout: _database_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # its redirect is absolute, built from the Host header
    app.state.portal = portal
    return app


@lru_cache(maxsize=1)
def route_table() -> tuple[tuple[str, str], ...]:
    """Every (method, path) the portal answers, for the exhaustive route tests."""
    result = []
    for route in _routes():
        assert isinstance(route, Route)
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            result.append((method, route.path))
    return tuple(result)
