"""The portal's settings, built by the caller (``scoring serve`` or a test) and passed to ``create_app``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from scoring.portal.evidence.content import EvidenceLimits
from scoring.report.formatting import BEIJING  # deadlines and submit dates are read in 北京时间
from scoring.settings import get_settings
from scoring.workbook.guard import DEFAULT_LIMITS


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def china_date(moment: datetime) -> date:
    """The calendar date in Beijing of a moment."""
    return moment.astimezone(BEIJING).date()


def china_time(moment: datetime) -> str:
    """A moment as Beijing time, to the second, for pages."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Throttle:
    """Sign-in throttling per (account, client address) pair: ``per_account`` free attempts, then a
    wait of ``first_delay`` that doubles with each further failure, up to ``max_delay``."""

    per_account: int = 5
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class AccountPolicy:
    """等保 2.0 level-3 identity controls (GB/T 22239-2019 8.1.4.1); every value is a default the
    operator may change. Roles named in ``totp_required`` cannot sign in without a second factor."""

    password_min_length: int = 12
    password_min_classes: int = 3  # of lower case, upper case, digits, other characters
    password_history: int = 5  # the last N passwords may not be used again
    password_max_age: timedelta = timedelta(days=90)  # then a change is required at the next sign-in
    idle_timeout: timedelta = timedelta(minutes=30)  # beside the absolute session lifetime
    inactive_after: timedelta = timedelta(days=90)  # accounts reported to the security administrator
    totp_required: tuple[str, ...] = ("central", "auditor", "sysadmin", "secadmin", "auditadmin")
    totp_max_failures: int = 5  # wrong codes in ``totp_pause`` before the second step pauses
    totp_pause: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class PortalSettings:
    """Everything ``create_app`` needs; nothing is read from the environment at import time."""

    database_url: str
    root: Path = field(default_factory=lambda: get_settings().root)
    secure_cookies: bool = False
    session_lifetime: timedelta = timedelta(hours=8)
    max_upload_bytes: int = DEFAULT_LIMITS.max_file_bytes
    validation_workers: int = 2  # 0: validate in a thread of the server process
    validation_timeout_s: float = 60.0
    throttle: Throttle = Throttle()
    accounts: AccountPolicy = AccountPolicy()
    clock: Callable[[], datetime] = utc_now
    demo: bool = False
    data_dir: Path | None = None  # where scoring runs work (runs/<id>/); default var/ under root
    run_pdf: bool = True  # every run renders all scorecards and the summary
    run_workers: int = 2  # PDF worker processes of a run
    jobs_in_threads: bool = False  # tests only: run scoring jobs in a thread of the server process
    run_stale_after: timedelta = timedelta(seconds=60)  # a run without a heartbeat this long is dead
    instance: str = ""  # the database's own folder name under runs/ (set by create_app)
    evidence_limits: EvidenceLimits = EvidenceLimits()  # caps on one 佐证材料 file (issue 22)
    evidence_per_task: int = 10  # files a unit may attach to one task
    feedback_working_days: int = 5  # the objection period's default length (反馈征求意见), Mon–Fri
    # —— hardening (issue 20, attacks) ——
    forwarded_allow_ips: tuple[str, ...] = ()  # proxies whose X-Forwarded-For is believed; none by default
    validation_cpu_s: float = 60.0  # a validation worker's CPU time per file (RLIMIT_CPU), seconds
    validation_memory_bytes: int = 4 << 30  # a validation worker's address-space limit (RLIMIT_AS)
    upload_read_timeout_s: float = 30.0  # an upload body that takes longer to arrive is refused
    uploads_per_minute: int = 30  # workbooks one account may upload in a minute; more get 429

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates" / "portal"

    @property
    def runs_dir(self) -> Path:
        """Where this database's runs work: one folder per database, so two portals sharing a data
        directory never touch each other's runs."""
        base = (self.data_dir or self.root / "var") / "runs"
        return base / self.instance if self.instance else base


def database_url_from_env(root: Path) -> str:
    """``SCORING_DB_URL`` when set, else the default SQLite file under ``var/``."""
    from scoring.portal.store.db import default_database_url

    return os.environ.get("SCORING_DB_URL") or default_database_url(root)
