"""Pages and responses: the Jinja environment, security headers, error pages, safe downloads."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoring.errors import ConfigError
from scoring.indicators.rules import rule_kind_label
from scoring.indicators.units import load_units
from scoring.report.formatting import beijing_time, chinese_date

if TYPE_CHECKING:
    from scoring.portal.store.models import Version

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.2f} MB" if size >= 102400 else f"{size / 1024:.1f} KB"


def shown_day(day: date | None) -> str:
    """A date as every page and document writes it: ``2023年1月15日`` (``未设定`` when absent)."""
    return chinese_date(day) if day is not None else "未设定"


def shown_time(moment: datetime) -> str:
    """A moment as pages write it: ``2023年1月15日 14:03（北京时间）``."""
    return beijing_time(moment)


ROLE_OFFICES = {"central": "全国双打办", "auditor": "审核", "sysadmin": "系统管理员",
                "secadmin": "安全管理员", "auditadmin": "审计管理员"}


@functools.cache
def _unit_names() -> dict[str, str]:
    try:
        return {u.code: u.name for u in load_units().units}
    except ConfigError:
        return {}


def office_name(role: str, unit_code: str | None) -> str:
    """Whose office a signed-in account works for, as the page header names it: 上海市, 全国双打办."""
    if unit_code is not None:
        return _unit_names().get(unit_code, unit_code)
    return ROLE_OFFICES.get(role, "")


# the hidden ``confirm`` field that only a confirmation page's form carries (``forms.confirm``;
# ``parsing.confirmed`` reads it)
CONFIRMED = "1"


def page_environment(folder: Path) -> Environment:
    """Jinja for the portal's pages: autoescaped, strict about undefined names."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["beijing"] = shown_time
    env.filters["day"] = shown_day
    env.globals["office_name"] = office_name
    env.globals["CONFIRMED"] = CONFIRMED
    env.filters["points"] = lambda value: f"{value:.2f}"
    env.filters["rule_kind"] = rule_kind_label
    env.filters["mb"] = _size
    return env


def render(request: Request, page: str, /, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``templates/portal``."""
    env: Environment = request.app.state.portal.pages
    html = env.get_template(page).render(**context)
    return HTMLResponse(html, status_code=status_code)


class SecurityHeaders:
    """Adds the security headers to every response; pages are never cached."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if not scope["path"].startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                if self.secure:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers.extend((k, v) for k, v in extra if k not in present)
            await send(message)

        await self.app(scope, receive, with_headers)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|;]")


def display_name(file_name: str | None, fallback: str = "未命名.xlsx") -> str:
    """An uploaded file's name fit to show and to store: its last path part, no control, bidi or
    other invisible format characters, at most 120 characters. It is never used as a path."""
    if not file_name:
        return fallback
    name = unicodedata.normalize("NFC", file_name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    # bidi overrides (U+202E makes "xslx.exe" read "exe.xlsx"), zero-width and other format or
    # control characters are dropped
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return (name[:120] or fallback)


def download(data: bytes, file_name: str, ascii_name: str, media_type: str = XLSX) -> Response:
    """An attachment with a safe Content-Disposition (an ASCII name, and the real one encoded)."""
    shown = display_name(file_name, ascii_name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown, safe='')}"
    return Response(data, media_type=media_type, headers={
        "content-disposition": disposition, "content-security-policy": "sandbox; default-src 'none'"})


def version_download(found: tuple[Version, bytes]) -> Response:
    """A stored version's bytes as uploaded, under its file name (and an ASCII name for old clients)."""
    version, data = found
    ascii_name = f"version-{version.year}-{version.unit_code}-{version.number}.xlsx"
    return download(data, version.file_name, ascii_name)
