"""The portal's tables as typed SQLAlchemy models.

Append-only tables (``blobs``, ``versions``, ``unit_events``, ``year_events``, ``audit_log``) are
only ever inserted into: nothing in the code updates or deletes them, and database triggers
(see the first migration) refuse an UPDATE or DELETE from anywhere else.

A unit's state in a year is never stored as a mutable field: it follows from its versions and its
``unit_events`` (submit, return, reopen, accept), read in order (``status.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

APPEND_ONLY_TABLES = ("blobs", "versions", "unit_events", "year_events", "audit_log")


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("moments are stored timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the portal's tables."""


class Instance(Base):
    """Per-installation values created on first start (the cookie signing key)."""

    __tablename__ = "instance"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Account(Base):
    """A person who signs in: a provincial office (with its unit), the central office, an auditor
    or an administrator. Passwords are stored as argon2 hashes only."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("role IN ('province', 'central', 'auditor', 'admin')", name="role_known"),
        CheckConstraint("(role = 'province') = (unit_code IS NOT NULL)", name="unit_iff_province"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(6))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SignInSession(Base):
    """A signed-in browser: the cookie carries a signed random token whose SHA-256 is stored here."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Blob(Base):
    """Uploaded bytes, content-addressed by SHA-256; written once, never changed."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Version(Base):
    """One upload of a unit's workbook for a year, with everything its validation found.

    ``submission`` is the validator's ``Submission`` as JSON (values, task reports, findings), so a
    version can be previewed, scored or shown again without re-reading the workbook.
    """

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("year", "unit_code", "number", name="version_number_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(6))
    number: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    notes: Mapped[int] = mapped_column(Integer)
    submission: Mapped[str] = mapped_column(Text)


Index("versions_by_unit", Version.year, Version.unit_code, Version.number)


class UnitEvent(Base):
    """A decision about a unit's submission in a year, numbered per unit and year.

    ``action``: ``submit`` (the province submits ``version_id``), ``return`` (the central office
    sends it back with ``reason``), ``reopen`` (the central office lets the unit upload and submit
    after the deadline, until ``until`` or its next submit), ``accept`` (the central office accepts
    ``version_id``). ``seq`` makes two concurrent decisions on the same unit collide instead of
    both being recorded.
    """

    __tablename__ = "unit_events"
    __table_args__ = (
        UniqueConstraint("year", "unit_code", "seq", name="unit_event_once"),
        CheckConstraint("action IN ('submit', 'return', 'reopen', 'accept')", name="unit_action_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(6))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    until: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class YearEvent(Base):
    """A decision about an assessment year: ``open``, ``close``, or a ``deadline`` set by the
    central office (replacing the indicator set's ``submission.deadline``)."""

    __tablename__ = "year_events"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="year_event_once"),
        CheckConstraint("action IN ('open', 'close', 'deadline')", name="year_action_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class AuditEntry(Base):
    """One row of the audit log: who (account, role, unit), when, what, on which object, the
    state before and after, and from which address. Never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int | None] = mapped_column(Integer)
    account_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(6))
    action: Mapped[str] = mapped_column(String(32))
    object: Mapped[str | None] = mapped_column(String(255))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(64))


Index("audit_by_action_name", AuditEntry.action, AuditEntry.account_name, AuditEntry.at)
Index("audit_by_action_client", AuditEntry.action, AuditEntry.client, AuditEntry.at)
