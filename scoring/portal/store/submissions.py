"""Versions, stored files and decisions of one unit, and the state of assessment years.

A province reaches unit data only through a ``UnitScope`` built from its own account, so every query
it can make names its own unit: another unit's version is simply not found.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scoring.portal.status import Decision, Standing, UnitState, standing
from scoring.portal.store.models import Blob, UnitEvent, Version, YearEvent

VERSION_LOCK = 0x5C0A_7E51  # PostgreSQL: the first half of the advisory lock on a unit's version numbers


def _lock_key(year: int, unit_code: str) -> int:
    """A unit's year as the second half of that lock's key (a signed 32-bit integer)."""
    return zlib.crc32(f"{year}:{unit_code}".encode()) - (1 << 31)


def store_blob(db: Session, sha256: str, data: bytes, at: datetime) -> None:
    """Store bytes under their SHA-256, once: the same bytes uploaded again reuse the row."""
    values = {"sha256": sha256, "size": len(data), "data": data, "stored_at": at}
    dialect = db.get_bind().dialect.name
    statement = (pg_insert(Blob) if dialect == "postgresql" else sqlite_insert(Blob)).values(**values)
    db.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))


@dataclass(frozen=True)
class NewVersion:
    """What an upload adds: the file's name, bytes and digest, and what validation found."""

    file_name: str
    data: bytes
    sha256: str
    errors: int
    warnings: int
    notes: int
    submission_json: str


class UnitScope:
    """One unit's data (in one year, for lists and decisions); the only way routes reach versions,
    files and decisions."""

    def __init__(self, db: Session, year: int | None, unit_code: str) -> None:
        self.db = db
        self._year = year
        self.unit_code = unit_code

    @property
    def year(self) -> int:
        """The year of this scope (a scope built without one only finds versions by id)."""
        if self._year is None:
            raise ValueError("this unit scope has no year")
        return self._year

    def versions(self) -> list[Version]:
        """Every version, newest first."""
        return list(self.db.scalars(select(Version).where(Version.year == self.year,
                                                          Version.unit_code == self.unit_code)
                                    .order_by(Version.number.desc())))

    def version(self, version_id: int) -> Version | None:
        """A version of this unit (of any year), or None, also when it belongs to another unit."""
        return self.db.scalar(select(Version).where(Version.id == version_id,
                                                    Version.unit_code == self.unit_code))

    def file_of(self, version: Version) -> bytes:
        """The stored bytes of one of this unit's versions."""
        if version.unit_code != self.unit_code:
            raise LookupError("not this unit's version")
        data = self.db.scalar(select(Blob.data).where(Blob.sha256 == version.blob_sha256))
        assert data is not None  # a version always has its blob (foreign key)
        return data

    def decisions(self) -> list[Decision]:
        """The unit's decisions in order."""
        rows = self.db.scalars(select(UnitEvent).where(UnitEvent.year == self.year,
                                                       UnitEvent.unit_code == self.unit_code)
                               .order_by(UnitEvent.seq))
        return [Decision(seq=r.seq, action=r.action, at=r.at, version_id=r.version_id, reason=r.reason,
                         until=r.until) for r in rows]

    def events(self) -> list[UnitEvent]:
        """The unit's decision rows in order (with who made each)."""
        return list(self.db.scalars(select(UnitEvent).where(UnitEvent.year == self.year,
                                                            UnitEvent.unit_code == self.unit_code)
                                    .order_by(UnitEvent.seq)))

    def standing(self) -> Standing:
        """The unit's state now."""
        has_versions = self.db.scalar(select(func.count()).select_from(Version).where(
            Version.year == self.year, Version.unit_code == self.unit_code)) or 0
        return standing(has_versions > 0, self.decisions())

    def add_version(self, new: NewVersion, account_id: int, at: datetime) -> Version:
        """Store the bytes (once) and a new version numbered after the unit's last; flushed, not
        committed. Uploads of one unit take their numbers one at a time (PostgreSQL: a
        transaction-level advisory lock per unit and year; SQLite: its single writer), so each
        gets its own number and none is refused; the unique constraint stays the last guard."""
        if self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                            {"space": VERSION_LOCK, "key": _lock_key(self.year, self.unit_code)})
        store_blob(self.db, new.sha256, new.data, at)
        number = (self.db.scalar(select(func.max(Version.number)).where(
            Version.year == self.year, Version.unit_code == self.unit_code)) or 0) + 1
        version = Version(year=self.year, unit_code=self.unit_code, number=number, blob_sha256=new.sha256,
                          file_name=new.file_name, size=len(new.data), uploaded_at=at, uploaded_by=account_id,
                          errors=new.errors, warnings=new.warnings, notes=new.notes,
                          submission=new.submission_json)
        self.db.add(version)
        self.db.flush()
        return version

    def add_decision(self, after_seq: int, action: str, at: datetime, account_id: int | None, *,
                     version_id: int | None = None, reason: str | None = None,
                     until: date | None = None) -> UnitEvent:
        """Record a decision numbered after ``after_seq``; a concurrent decision makes the flush fail."""
        event = UnitEvent(year=self.year, unit_code=self.unit_code, seq=after_seq + 1, action=action,
                          version_id=version_id, reason=reason, until=until, at=at, account_id=account_id)
        self.db.add(event)
        self.db.flush()
        return event


def uploads_since(db: Session, account_id: int, since: datetime) -> tuple[int, datetime | None]:
    """How many workbooks the account has uploaded after ``since`` (every upload is a version), and
    when the earliest of them was."""
    count, earliest = db.execute(select(func.count(), func.min(Version.uploaded_at))
                                 .where(Version.uploaded_by == account_id, Version.uploaded_at > since)).one()
    return int(count or 0), earliest


def submitted_on(db: Session, year: int) -> dict[str, datetime]:
    """When each unit last submitted in ``year`` (what the timeliness indicator reads), for the units
    whose latest submit has not been returned since."""
    latest: dict[str, tuple[str, datetime]] = {}
    for unit_code, action, at in db.execute(select(UnitEvent.unit_code, UnitEvent.action, UnitEvent.at)
                                            .where(UnitEvent.year == year,
                                                   UnitEvent.action.in_(("submit", "return")))
                                            .order_by(UnitEvent.unit_code, UnitEvent.seq)):
        latest[unit_code] = (action, at)
    return {code: at for code, (action, at) in latest.items() if action == "submit"}


def peer_submissions(db: Session, year: int, except_unit: str) -> dict[str, str]:
    """The submitted version of every other unit whose latest submit is in force (awaiting review or
    accepted; Submission JSON by unit code), used only as peers for relative indicators in a
    preliminary score and never shown to the province. A unit's drafts, and a version returned to
    it, are its work in progress: another unit's preliminary score must not move with them."""
    decisions: dict[str, list[Decision]] = {}
    rows = select(UnitEvent).where(UnitEvent.year == year, UnitEvent.unit_code != except_unit)
    for event in db.scalars(rows.order_by(UnitEvent.unit_code, UnitEvent.seq)):
        decisions.setdefault(event.unit_code, []).append(Decision(
            seq=event.seq, action=event.action, at=event.at, version_id=event.version_id))
    in_force = []
    for history in decisions.values():
        unit = standing(True, history)
        if unit.state in (UnitState.SUBMITTED, UnitState.ACCEPTED) and unit.submitted is not None \
                and unit.submitted.version_id is not None:
            in_force.append(unit.submitted.version_id)
    if not in_force:
        return {}
    found = db.execute(select(Version.unit_code, Version.submission).where(
        Version.id.in_(in_force), Version.year == year, Version.errors == 0))
    return {code: text for code, text in found}


@dataclass(frozen=True)
class YearStanding:
    """An assessment year as the portal sees it."""

    year: int
    is_open: bool
    deadline: date | None
    deadline_set_by_office: bool


def year_events(db: Session, year: int) -> list[YearEvent]:
    """A year's decisions in order."""
    return list(db.scalars(select(YearEvent).where(YearEvent.year == year).order_by(YearEvent.seq)))


def year_standing(db: Session, year: int, configured_deadline: date | None) -> YearStanding:
    """Whether the year is open and its deadline (the central office's, else the configuration's)."""
    is_open, deadline, by_office = False, configured_deadline, False
    for event in year_events(db, year):
        if event.action in ("open", "close"):
            is_open = event.action == "open"
        elif event.action == "deadline":
            deadline, by_office = event.deadline, True
    return YearStanding(year=year, is_open=is_open, deadline=deadline, deadline_set_by_office=by_office)


def open_years(db: Session) -> list[int]:
    """Years whose latest open/close decision is ``open``, newest first."""
    latest: dict[int, str] = {}
    for year, action in db.execute(select(YearEvent.year, YearEvent.action)
                                   .where(YearEvent.action.in_(("open", "close"))).order_by(YearEvent.seq)):
        latest[year] = action
    return sorted((year for year, action in latest.items() if action == "open"), reverse=True)


def add_year_event(db: Session, year: int, action: str, at: datetime, account_id: int | None, *,
                   deadline: date | None = None, reason: str | None = None) -> YearEvent:
    """Record a decision about a year."""
    seq = (db.scalar(select(func.max(YearEvent.seq)).where(YearEvent.year == year)) or 0) + 1
    event = YearEvent(year=year, seq=seq, action=action, deadline=deadline, reason=reason, at=at,
                      account_id=account_id)
    db.add(event)
    db.flush()
    return event
