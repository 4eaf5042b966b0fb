"""The portal's one stylesheet and an empty icon (no scripts are served at all)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STYLESHEET = "portal.css"


async def stylesheet(request: Request) -> Response:
    """``templates/portal/static/portal.css``."""
    path = request.app.state.portal.settings.templates_dir / "static" / STYLESHEET
    if not path.is_file():
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type="text/css; charset=utf-8",
                    headers={"cache-control": "public, max-age=3600"})


async def favicon(_request: Request) -> Response:
    """No icon: an empty answer, so browsers do not log a missing file."""
    return Response(status_code=204, headers={"cache-control": "public, max-age=86400"})


ROUTES = [
    Route("/static/portal.css", stylesheet, methods=["GET"]),
    Route("/favicon.ico", favicon, methods=["GET"]),
]
