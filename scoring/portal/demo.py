"""``scoring serve --demo``: a throw-away database in which a new user can play every role through
a whole assessment year.

The demo runs on its own clock: it starts on 2023-01-12 09:00 (Beijing), three days before 2022's
configured deadline, and moves on in real time, so every date on the pages and scorecards is
coherent. It holds an account per role and per unit and the bundled sample workbooks:

* 2020 is already assessed and published (its 32 samples accepted, scored by the same job
  without PDFs), so 2022's results are compared with it;
* 2022 is open: most units have submitted on time and been accepted, with the central office's
  records uploaded and one task of 浙江 adjusted (审核调整); 天津 and 广东 wait for review; 北京
  (a first version with errors, then a good one) and 江苏 have drafts; 上海 and 重庆 have not started.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from scoring.indicators.rules.base import TaskStatus
from scoring.portal import jobs
from scoring.portal.accounts import totp
from scoring.portal.admin import generate_password, upgrade_database
from scoring.portal.auth import hash_password
from scoring.portal.records import central_values
from scoring.portal.settings import PortalSettings, utc_now
from scoring.portal.store import Database
from scoring.portal.store import accounts as account_store
from scoring.portal.store import runs as run_store
from scoring.portal.store.audit import COMMAND_LINE, Actor, record
from scoring.portal.store.models import Account
from scoring.portal.store.reviews import add_central_record, add_task_review
from scoring.portal.store.submissions import NewVersion, UnitScope, add_year_event, store_blob
from scoring.portal.validation import validate_upload, year_files
from scoring.portal.workflow import RunState
from scoring.problems import Severity
from scoring.report.formatting import BEIJING
from scoring.settings import get_settings
from scoring.workbook.submission import Submission

DEMO_YEAR = 2022
PREVIOUS_YEAR = 2020
DEMO_START = datetime(2023, 1, 12, 9, 0, tzinfo=BEIJING)
STAFF = (("central", "全国双打办"), ("auditor", "审核人员"), ("sysadmin", "系统管理员"),
         ("secadmin", "安全管理员"), ("auditadmin", "审计管理员"))
WAITING = ("120000", "440000")  # submitted, not yet reviewed
DRAFTS = ("110000", "320000")
UNTOUCHED = ("310000", "500000")
ADJUSTED = "330000"  # its first task declared 已完成 is lowered to 部分完成
ADJUSTED_REASON = "佐证材料只有转发通知，未见本地具体落实情况"


def demo_clock(started: datetime | None = None) -> Callable[[], datetime]:
    """The demo's time: ``DEMO_START`` when the server started, moving on in real time."""
    origin = started or utc_now()

    def now() -> datetime:
        return DEMO_START + (utc_now() - origin)

    return now


@dataclass(frozen=True)
class DemoLogins:
    """What the demo prints: the shared password, the account names and, for the staff accounts
    (which must sign in with a second factor), each one's authenticator secret."""

    password: str
    staff: list[tuple[str, str]]
    provinces: list[tuple[str, str, str]]  # name, unit code, unit name
    notes: list[str]
    totp_secrets: dict[str, str] = field(default_factory=dict)  # staff name → base32 secret


def _version(db: Session, year: int, code: str, path: Path, account: Account,
             at: datetime) -> tuple[int, Submission]:
    data = path.read_bytes()
    submission = validate_upload(data, path.name, year)
    counts = [f.severity for f in submission.findings]
    version = UnitScope(db, year, code).add_version(NewVersion(
        file_name=path.name, data=data, sha256=hashlib.sha256(data).hexdigest(),
        errors=counts.count(Severity.ERROR), warnings=counts.count(Severity.WARNING),
        notes=counts.count(Severity.INFO), submission_json=submission.model_dump_json()), account.id, at)
    record(db, at, _actor(account), "upload", obj=f"version:{version.id}",
           after=f"第 {version.number} 版（演示数据）")
    return version.id, submission


def _actor(account: Account) -> Actor:
    return Actor(account.id, account.name, account.role, account.unit_code)


def _decide(db: Session, year: int, code: str, action: str, at: datetime, account: Account,
            version_id: int | None = None) -> None:
    scope = UnitScope(db, year, code)
    scope.add_decision(scope.standing().last_seq, action, at, account.id, version_id=version_id)
    target = f"unit:{code}" if action == "accept" else f"version:{version_id}"
    record(db, at, _actor(account), action, obj=target, after="演示数据")


def _central_records(db: Session, year: int, office: Account, at: datetime) -> None:
    path = get_settings().sample_inputs_dir / f"central-{year}.xlsx"
    data = path.read_bytes()
    checked: Submission = validate_upload(data, path.name, year)
    sha = hashlib.sha256(data).hexdigest()
    store_blob(db, sha, data, at)
    add_central_record(db, year, source="workbook", blob_sha256=sha, file_name=path.name,
                       values_json=central_values.values_json(central_values.from_submission(checked)),
                       warnings=checked.count(Severity.WARNING), at=at, account_id=office.id, after_number=0)
    record(db, at, _actor(office), "central-upload", obj=f"central-records:{year}",
           after=f"第 1 版（{path.name}）")


def _previous_year(db_url: str, settings: PortalSettings, accounts: dict[str, Account], at: datetime) -> None:
    """2020 assessed and published: every sample accepted, scored by the run job (without PDFs, so
    the demo starts in seconds)."""
    config = year_files(PREVIOUS_YEAR).config
    office = accounts["demo-central"]
    database = Database(db_url)
    try:
        with database.transaction() as db:
            add_year_event(db, PREVIOUS_YEAR, "open", at, None)
            for offset, code in enumerate(sorted(config.units)):
                path = next((get_settings().sample_inputs_dir / str(PREVIOUS_YEAR)).glob(f"{code}-*.xlsx"))
                moment = at + timedelta(minutes=offset)
                version, _ = _version(db, PREVIOUS_YEAR, code, path, accounts[f"demo-{code}"], moment)
                _decide(db, PREVIOUS_YEAR, code, "submit", moment, accounts[f"demo-{code}"], version)
                _decide(db, PREVIOUS_YEAR, code, "accept", moment + timedelta(days=3), office, version)
            _central_records(db, PREVIOUS_YEAR, office, at + timedelta(days=4))
            run, _ = jobs.queue_run(db, settings, year_files(PREVIOUS_YEAR), year=PREVIOUS_YEAR,
                                    account_id=office.id, at=at + timedelta(days=5), supersedes_run_id=None,
                                    note=None)
            run_id = run.id
        jobs.execute(db_url, settings, run_id, lambda: at + timedelta(days=5, minutes=1))
        with database.transaction() as db:
            finished = run_store.get_run(db, run_id)
            assert finished is not None and finished.state is RunState.SUCCEEDED, "2020 demo run failed"
            run_store.publish(db, finished, at + timedelta(days=6), office.id, None)
            add_year_event(db, PREVIOUS_YEAR, "close", at + timedelta(days=6), None)
            record(db, at + timedelta(days=6), _actor(office), "publish", obj=f"run:{run_id}",
                   after=f"已发布：{PREVIOUS_YEAR} 年度（演示数据）")
    finally:
        database.dispose()


def seed_demo(url: str, settings: PortalSettings | None = None) -> DemoLogins:
    """Create and fill the demo database at ``url`` (which must be empty); ``settings`` say where
    the 2020 run works (its data directory)."""
    upgrade_database(url)
    config = year_files(DEMO_YEAR).config
    password = generate_password("demo")  # every demo account is named demo-…
    password_hash = hash_password(password)
    now = DEMO_START
    staff, provinces = [], []
    secrets: dict[str, str] = {}
    db = Database(url)
    try:
        with db.transaction() as session:
            accounts: dict[str, Account] = {}
            for role, label in STAFF:
                name = f"demo-{role}"
                accounts[name] = account_store.add_account(session, name, role, None, password_hash, now)
                staff.append((name, label))
                # enrolled already, so the demo needs no phone: the secret is printed at start
                secrets[name] = totp.new_secret()
                accounts[name].totp_secret, accounts[name].totp_enabled_at = secrets[name], now
            for code, unit in sorted(config.units.items()):
                name = f"demo-{code}"
                accounts[name] = account_store.add_account(session, name, "province", code, password_hash,
                                                           now)
                provinces.append((name, code, unit.name))
            record(session, now, COMMAND_LINE, "demo-seed", obj=f"year:{DEMO_YEAR}", after="演示数据")
        base = settings or PortalSettings(database_url=url)
        previous = datetime(2021, 1, 10, 9, 0, tzinfo=BEIJING)
        _previous_year(url, replace(base, run_pdf=False), accounts, previous)
        with db.transaction() as session:
            add_year_event(session, DEMO_YEAR, "open", now - timedelta(days=20), None)
            _current_year(session, config.units, accounts, now)
    finally:
        db.dispose()
    deadline = config.indicator_set.submission.deadline if config.indicator_set.submission else None
    notes = [
        f"演示时间从 {DEMO_START:%Y-%m-%d %H:%M}（北京时间）开始走动；{DEMO_YEAR} 年度已开放，"
        f"报送截止日期 {deadline.isoformat() if deadline else '未设定'}",
        "2020 年度已评分并发布（由附带样例生成），2022 年度结果将与之比较",
        "2022 年度：26 个单位已提交并被接受（浙江有一项审核调整），天津、广东已提交待审核，"
        "北京（第 1 版有错误）、江苏有草稿，上海、重庆未开始；全国双打办记录已上传",
    ]
    return DemoLogins(password=password, staff=staff, provinces=provinces, notes=notes, totp_secrets=secrets)


def _current_year(db: Session, units: Iterable[str], accounts: dict[str, Account], now: datetime) -> None:
    """2022 as the demo begins (see the module docstring)."""
    samples = get_settings().sample_inputs_dir
    office = accounts["demo-central"]
    for offset, code in enumerate(sorted(units)):
        if code in UNTOUCHED:
            continue
        who = accounts[f"demo-{code}"]
        moment = now - timedelta(days=9) + timedelta(hours=5 * offset)
        if code == "110000":
            _version(db, DEMO_YEAR, code, samples / "invalid" / "text-in-number.xlsx", who, moment)
            moment += timedelta(hours=2)
        path = next((samples / str(DEMO_YEAR)).glob(f"{code}-*.xlsx"))
        version, submission = _version(db, DEMO_YEAR, code, path, who, moment)
        if code in DRAFTS or not submission.valid:
            continue
        _decide(db, DEMO_YEAR, code, "submit", moment + timedelta(minutes=20), who, version)
        if code in WAITING:
            continue
        accepted = now - timedelta(hours=20) + timedelta(minutes=offset)
        _decide(db, DEMO_YEAR, code, "accept", accepted, office, version)
        if code == ADJUSTED:
            task = next(t for t in submission.tasks.values() if t.status is TaskStatus.DONE).task_id
            at = now - timedelta(hours=3)
            add_task_review(db, DEMO_YEAR, code, task, action="adjust", version_id=version, declared="已完成",
                            status="部分完成", reason=ADJUSTED_REASON, at=at, account_id=office.id)
            record(db, at, _actor(office), "task-adjust", obj=f"unit:{code}/task:{task}", before="自报已完成",
                   after=f"部分完成：{ADJUSTED_REASON}")
    _central_records(db, DEMO_YEAR, office, now - timedelta(hours=2))
