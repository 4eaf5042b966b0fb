"""``scoring serve --demo``: a throw-away database with an account per role and per unit, the 2022
configuration open with a deadline ahead, and the sample workbooks of a few units already uploaded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from scoring.portal.admin import generate_password, upgrade_database
from scoring.portal.auth import hash_password
from scoring.portal.settings import china_date, utc_now
from scoring.portal.store import Database
from scoring.portal.store import accounts as account_store
from scoring.portal.store.audit import COMMAND_LINE, record
from scoring.portal.store.submissions import NewVersion, UnitScope, add_year_event
from scoring.portal.validation import validate_upload, year_files
from scoring.problems import Severity
from scoring.settings import get_settings

DEMO_YEAR = 2022
STAFF = (("central", "全国双打办"), ("auditor", "审核人员"), ("admin", "系统管理员"))


@dataclass(frozen=True)
class DemoLogins:
    """What the demo prints: the shared password and the account names."""

    password: str
    staff: list[tuple[str, str]]
    provinces: list[tuple[str, str, str]]  # name, unit code, unit name
    notes: list[str]


def _samples() -> list[tuple[str, Path, bool]]:
    """(unit, workbook, submit?) for the units that start with uploads."""
    root = get_settings().sample_inputs_dir
    return [
        ("110000", root / "invalid" / "text-in-number.xlsx", False),
        ("110000", root / str(DEMO_YEAR) / "110000-北京.xlsx", False),
        ("120000", root / str(DEMO_YEAR) / "120000-天津.xlsx", True),
        ("320000", root / str(DEMO_YEAR) / "320000-江苏.xlsx", False),
        ("440000", root / str(DEMO_YEAR) / "440000-广东.xlsx", True),
    ]


def seed_demo(url: str) -> DemoLogins:
    """Create and fill the demo database at ``url`` (which must be empty)."""
    upgrade_database(url)
    config = year_files(DEMO_YEAR).config
    password = generate_password()
    password_hash = hash_password(password)
    db = Database(url)
    now = utc_now()
    staff, provinces, notes = [], [], []
    try:
        with db.transaction() as session:
            accounts = {}
            for role, label in STAFF:
                name = f"demo-{role}"
                accounts[name] = account_store.add_account(session, name, role, None, password_hash, now)
                staff.append((name, label))
            for code, unit in sorted(config.units.items()):
                name = f"demo-{code}"
                accounts[name] = account_store.add_account(session, name, "province", code, password_hash,
                                                           now)
                provinces.append((name, code, unit.name))
            deadline = china_date(now) + timedelta(days=30)
            add_year_event(session, DEMO_YEAR, "open", now, None)
            add_year_event(session, DEMO_YEAR, "deadline", now, None, deadline=deadline,
                           reason="演示：截止日期设为 30 天后")
            record(session, now, COMMAND_LINE, "demo-seed", obj=f"year:{DEMO_YEAR}",
                   after=f"开放，截止 {deadline}")
            for code, path, submit in _samples():
                data = path.read_bytes()
                submission = validate_upload(data, path.name, DEMO_YEAR)
                counts = [f.severity for f in submission.findings]
                scope = UnitScope(session, DEMO_YEAR, code)
                version = scope.add_version(NewVersion(
                    file_name=path.name, data=data, sha256=hashlib.sha256(data).hexdigest(),
                    errors=counts.count(Severity.ERROR), warnings=counts.count(Severity.WARNING),
                    notes=counts.count(Severity.INFO), submission_json=submission.model_dump_json()),
                    accounts[f"demo-{code}"].id, now)
                if submit and submission.valid:
                    scope.add_decision(scope.standing().last_seq, "submit", now, accounts[f"demo-{code}"].id,
                                       version_id=version.id)
            notes.append(f"{DEMO_YEAR} 年度已开放，截止日期 {deadline.isoformat()}（演示设定）")
            notes.append("北京、江苏有草稿（北京第 1 版有错误），天津、广东已提交，其余单位未开始")
    finally:
        db.dispose()
    return DemoLogins(password=password, staff=staff, provinces=provinces, notes=notes)
