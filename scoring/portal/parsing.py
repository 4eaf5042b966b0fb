"""What several areas' routes parse the same way: the open year, a unit code, a numeric id."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from scoring.indicators.units import Unit
from scoring.portal.auth import Ctx
from scoring.portal.web import CONFIRMED
from scoring.portal.years import OpenYear, current_year

T = TypeVar("T")

NO_YEAR = "当前没有开放的考核年度，请等待全国双打办通知"
CHANGED = "状态刚刚发生变化，请刷新页面后重试"


def or_not_found(value: T | None) -> T:
    """``value``, or 'not found' (404) when there is none: every route's lookup by id ends here."""
    if value is None:
        raise HTTPException(404)
    return value


def confirmed(ctx: Ctx) -> bool:
    """Whether the POST came from the step's confirmation page (an irreversible step needs it)."""
    return ctx.form.get("confirm") == CONFIRMED


def open_year(db: Session) -> OpenYear:
    """The open year, or 409 with the reason."""
    year = current_year(db)
    if year is None:
        raise HTTPException(409, NO_YEAR)
    return year


def path_id(ctx: Ctx, name: str) -> int:
    """A numeric path parameter; anything else is 'not found'."""
    raw = ctx.request.path_params[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # "²".isdigit(), but int("²") fails
        raise HTTPException(404)
    return int(raw)


def path_unit(ctx: Ctx, year: int) -> Unit:
    """The unit named in the path, one of ``year``'s units, else 'not found'."""
    code = ctx.request.path_params["unit_code"]
    unit = or_not_found(ctx.portal.year_files(year).config.units.get(code))
    return unit


def reason_field(ctx: Ctx, name: str = "reason", what: str = "理由") -> str:
    """A required written reason from the form (at most 2000 characters)."""
    text = ctx.form.get(name, "").strip()
    if not text:
        raise HTTPException(400, f"请填写{what}")
    if len(text) > 2000:
        raise HTTPException(400, f"{what}不能超过 2000 字")
    return text
