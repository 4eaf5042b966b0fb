"""The portal's tables as typed SQLAlchemy models.

Append-only tables (``blobs``, ``versions``, ``unit_events``, ``year_events``, ``audit_log``,
``task_reviews``, ``central_records``, ``run_files``, ``publications``, ``audit_anchor``, and the
feedback and objection tables) are only
ever inserted into: nothing in the code updates or deletes them, and database triggers (see the
migrations) refuse an UPDATE or DELETE from anywhere else. The one exception is
``scoring audit-log prune``, run by the database's owner: it removes audit rows past the retention
period, leaving an ``audit_anchor`` row from which the chain of the rows kept is verified. A
scoring run (``runs``) is the one row that changes while its job works; once it has succeeded or
failed, triggers refuse any change to it.

A unit's state in a year is never stored as a mutable field: it follows from its versions and its
``unit_events`` (submit, return, reopen, accept), read in order (``status.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
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

from scoring.portal.workflow import RunState

APPEND_ONLY_TABLES = ("blobs", "versions", "unit_events", "year_events", "audit_log", "task_reviews",
                      "central_records", "run_files", "publications", "config_drafts", "config_adoptions",
                      "evidence_files", "audit_anchor", "feedbacks", "objections", "objection_files",
                      "objection_events", "publication_objections")


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


class RunStateText(TypeDecorator[RunState]):
    """A run's state, stored as its plain string (``queued`` …) and read back as ``RunState``."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: RunState | str | None, dialect: Dialect) -> str | None:
        return None if value is None else RunState(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> RunState | None:
        return None if value is None else RunState(value)


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
    # an administrator's one duty (system / security / audit); the three never overlap
    admin_duty: Mapped[str | None] = mapped_column(String(16))
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_sign_in_address: Mapped[str | None] = mapped_column(String(64))


class PasswordHistory(Base):
    """The argon2 hashes of an account's earlier passwords, so the last few are not used again."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; stored as its argon2 hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


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
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # what the account is told on every page of this session: its sign-in before this one
    previous_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    previous_sign_in_address: Mapped[str | None] = mapped_column(String(64))
    failed_since_previous: Mapped[int] = mapped_column(Integer, default=0)


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
    chain: Mapped[str | None] = mapped_column(String(80))  # "algorithm:hex", chained to the row before


Index("audit_by_action_name", AuditEntry.action, AuditEntry.account_name, AuditEntry.at)
Index("audit_by_action_client", AuditEntry.action, AuditEntry.client, AuditEntry.at)


class AuditAnchor(Base):
    """One prune of the audit log (``scoring audit-log prune``): when, the cut-off date, how many rows
    went, and the id and ``chain`` of the last row removed, from which the chain of the rows kept is
    verified. Never updated or deleted."""

    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pruned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    before: Mapped[date] = mapped_column(Date)  # rows older than this day (Beijing) were removed
    rows_removed: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)  # the last row removed
    last_chain: Mapped[str] = mapped_column(String(80))  # its chain value: the anchor


class TaskReview(Base):
    """A reviewer's decision on a task status a unit declared (审核调整), about one submitted version:
    ``adjust`` sets a lower ``status``, ``restore`` goes back to what the unit declared; always with a
    reason. The latest row per unit and task (``seq``) is in force."""

    __tablename__ = "task_reviews"
    __table_args__ = (
        UniqueConstraint("year", "unit_code", "task_id", "seq", name="task_review_once"),
        CheckConstraint("action IN ('adjust', 'restore')", name="task_review_action_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(6))
    task_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    declared: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class CentralRecord(Base):
    """One version of the central office's records of a year (通报, 约谈, 挂牌督办 …): every unit's
    values as JSON, from a form edit of one unit (``unit_code``) or an uploaded central workbook
    (``blob_sha256``). Numbered per year; the highest number is in force."""

    __tablename__ = "central_records"
    __table_args__ = (
        UniqueConstraint("year", "number", name="central_record_number_once"),
        CheckConstraint("source IN ('form', 'workbook')", name="central_record_source_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(6))
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str | None] = mapped_column(String(255))
    values: Mapped[str] = mapped_column(Text)
    warnings: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class Run(Base):
    """A scoring run: a background job whose state is this row. ``active`` is 1 while it is queued
    or running and NULL afterwards; a unique constraint on it means two runs can never be active at
    once, whoever tries. ``supersedes_run_id``: the published run this one corrects; ``units``:
    JSON of the accepted version each scored unit came from and why each other unit was left out;
    ``owner``: host:pid of the process working on it (the server until the job claims it)."""

    __tablename__ = "runs"
    __table_args__ = (
        UniqueConstraint("active", name="one_active_run"),
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="run_state_known"),
        CheckConstraint("active IS NULL OR active = 1", name="run_active_flag"),
        CheckConstraint("(active IS NULL) = (state IN ('succeeded', 'failed'))",
                        name="run_active_iff_unfinished"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[RunState] = mapped_column(RunStateText())
    active: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(Text)
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    supersedes_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    pdf: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    owner: Mapped[str | None] = mapped_column(String(128))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    generated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    units: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)


class RunFile(Base):
    """A file of a finished run, stored as a blob: an input it read (``inputs/…``) or an output it
    wrote (``outputs/…``), by its path inside the run's folder."""

    __tablename__ = "run_files"
    __table_args__ = (
        UniqueConstraint("run_id", "path", name="run_file_once"),
        CheckConstraint("kind IN ('input', 'output')", name="run_file_kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    path: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(Integer)


class Publication(Base):
    """A run made public: once per run, numbered per year; a correction names the publication it
    supersedes (each publication is superseded at most once)."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("run_id", name="publish_run_once"),
        UniqueConstraint("year", "seq", name="publication_number_once"),
        UniqueConstraint("supersedes_id", name="supersede_once"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


Index("audit_by_at", AuditEntry.at)


class ConfigDraft(Base):
    """An indicator configuration uploaded for an open or coming year (issue 24): its bytes as a
    blob, with the audit's counts taken when it arrived; append-only."""

    __tablename__ = "config_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    todo: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))

class DraftComparison(Base):
    """A background comparison of a draft with the adopted configuration on the accepted
    submissions of a year: the row is the job's truth (queued → running → succeeded | failed)."""

    __tablename__ = "draft_comparisons"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')",
                        name="comparison_state_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("config_drafts.id"))
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    units: Mapped[int] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class ConfigAdoption(Base):
    """The decision to adopt a draft as a year's configuration: who, when, why and the file's
    SHA-256, numbered per year (a later adoption before the year opens replaces an earlier one);
    append-only."""

    __tablename__ = "config_adoptions"
    __table_args__ = (UniqueConstraint("year", "seq", name="adoption_number_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    draft_id: Mapped[int] = mapped_column(ForeignKey("config_drafts.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class EvidenceFile(Base):
    """A 佐证材料 file a province attached to one task of a year (issue 22); its bytes are a blob.

    Attached to the unit's task, not to a version, so re-uploading the workbook keeps the files of
    tasks that still exist. Append-only like every stored file.
    """

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("year", "unit_code", "task_id", "seq", name="evidence_number_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(6))
    task_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


Index("evidence_by_unit_task", EvidenceFile.year, EvidenceFile.unit_code, EvidenceFile.task_id)


class SignInPair(Base):
    """Failed sign-ins of one account from one address, and until when the pair must wait."""

    __tablename__ = "sign_in_throttle"

    account_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    refusals: Mapped[int] = mapped_column(Integer, default=0)  # attempts refused in the current wait


# —— feedback (反馈征求意见) and objections (issue 22), append-only ——


class Feedback(Base):
    """A run's preliminary results fed back to the units for objections, once per run, until the
    end of ``deadline`` (Beijing)."""

    __tablename__ = "feedbacks"
    __table_args__ = (UniqueConstraint("run_id", name="feed_back_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    year: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class Objection(Base):
    """A unit's objection to its preliminary result, about one indicator or one task; its state
    follows from its one closing ``ObjectionEvent`` (none: still lodged)."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedbacks.id"))
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(6))
    subject_kind: Mapped[str] = mapped_column(String(16))  # "indicator" or "task"
    subject_id: Mapped[str] = mapped_column(String(64))
    subject_label: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


Index("objections_by_unit", Objection.year, Objection.unit_code)


class ObjectionFile(Base):
    """A file attached to an objection (checked like evidence); its bytes are a blob."""

    __tablename__ = "objection_files"
    __table_args__ = (UniqueConstraint("objection_id", "seq", name="objection_file_number_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    seq: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)


class ObjectionEvent(Base):
    """What closed an objection, once: withdrawn by its unit, or answered by the central office
    (accepted with the correction it leads to, or not accepted with the reason)."""

    __tablename__ = "objection_events"
    __table_args__ = (UniqueConstraint("objection_id", name="close_objection_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    action: Mapped[str] = mapped_column(String(16))  # withdrawn / accepted / rejected
    text: Mapped[str] = mapped_column(Text)
    correction: Mapped[str | None] = mapped_column(String(16), nullable=True)  # record / review
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class PublicationObjection(Base):
    """An answered objection a publication answers (recorded when it is published)."""

    __tablename__ = "publication_objections"

    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), primary_key=True)
