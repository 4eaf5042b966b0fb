"""Every unit of a year at once, for the central office: versions, decisions and who acted.

Two indexed queries whatever the number of units or versions (the dashboard must stay fast with
32 units of ten versions each): the versions' small columns in order, the newest kept per unit, and
the decisions. No join or grouping for a planner to get wrong on fresh tables; the big
``submission`` column is never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.portal.status import Decision, Standing, UnitState, standing
from scoring.portal.store.models import UnitEvent, Version


@dataclass(frozen=True)
class LatestVersion:
    """A unit's newest upload and how many it has."""

    version_id: int
    number: int
    uploaded_at: datetime
    errors: int
    warnings: int
    count: int


@dataclass(frozen=True)
class UnitActivity:
    """What a unit has done in a year: its newest version (if any), its decisions and its state."""

    unit_code: str
    latest: LatestVersion | None
    decisions: list[Decision]
    standing: Standing


def year_activity(db: Session, year: int, unit_codes: list[str]) -> dict[str, UnitActivity]:
    """Each unit's activity in ``year`` (units without any are included, 未开始)."""
    latest: dict[str, LatestVersion] = {}
    counts: dict[str, int] = {}
    for row in db.execute(select(Version.id, Version.unit_code, Version.number, Version.uploaded_at,
                                 Version.errors, Version.warnings)
                          .where(Version.year == year).order_by(Version.unit_code, Version.number)):
        counts[row.unit_code] = counts.get(row.unit_code, 0) + 1
        latest[row.unit_code] = LatestVersion(version_id=row.id, number=row.number,
                                              uploaded_at=row.uploaded_at, errors=row.errors,
                                              warnings=row.warnings, count=counts[row.unit_code])
    decisions: dict[str, list[Decision]] = {}
    for event in db.scalars(select(UnitEvent).where(UnitEvent.year == year)
                            .order_by(UnitEvent.unit_code, UnitEvent.seq)):
        decisions.setdefault(event.unit_code, []).append(Decision(
            seq=event.seq, action=event.action, at=event.at, version_id=event.version_id,
            reason=event.reason, until=event.until))
    return {code: UnitActivity(unit_code=code, latest=latest.get(code), decisions=decisions.get(code, []),
                               standing=standing(code in latest, decisions.get(code, [])))
            for code in unit_codes}


def accepted_versions(db: Session, year: int, unit_codes: list[str]) -> dict[str, int]:
    """The version each accepted unit's acceptance is about, by unit."""
    out = {}
    for code, activity in year_activity(db, year, unit_codes).items():
        submitted = activity.standing.submitted
        if activity.standing.state is UnitState.ACCEPTED and submitted is not None and submitted.version_id:
            out[code] = submitted.version_id
    return out
