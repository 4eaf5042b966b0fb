"""The home page of every role, and a health check."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from scoring.portal.auth import Ctx, Role, endpoint
from scoring.portal.province.routes import home_page
from scoring.portal.store.accounts import ROLE_LABELS
from scoring.portal.web import render
from scoring.portal.years import current_year


@endpoint()
async def home(ctx: Ctx) -> Response:
    """The provincial office's status page; the central office's dashboard and the auditors' start
    page are elsewhere; the administrator's start page."""
    if ctx.user.role is Role.PROVINCE:
        return await home_page(ctx)
    if ctx.user.role is Role.CENTRAL:
        return RedirectResponse("/central", status_code=303)
    if ctx.user.role is Role.AUDITOR:
        return RedirectResponse("/audit", status_code=303)
    year = await ctx.run(current_year)
    return render(ctx.request, "staff.html", principal=ctx.user, year=year,
                  role_label=ROLE_LABELS[ctx.user.role.value])


async def health(request: Request) -> Response:
    """200 when the database answers, 503 (in Chinese) when it does not."""
    from starlette.concurrency import run_in_threadpool

    portal = request.app.state.portal

    def ping() -> None:
        with portal.db.transaction(writes=False) as db:
            db.execute(text("SELECT 1"))

    await run_in_threadpool(ping)
    return PlainTextResponse("正常")


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/health", health, methods=["GET"]),
]
