"""``scoring audit-log prune``: audit rows past the retention period go, younger ones never do, the chain
keeps verifying from the prune's anchor, and tampering after a prune is still found."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from portal_fixtures import cli_refused
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.portal.settings import china_date
from scoring.portal.store import Database
from scoring.portal.store.audit import COMMAND_LINE, record, verify_chain
from scoring.portal.store.models import AuditAnchor, AuditEntry

runner = CliRunner()
SCORING = Path(sys.executable).with_name("scoring")
OLD, YOUNG = 300, 10  # days ago


def _days_ago(days: int) -> str:
    return (china_date(datetime.now(UTC)) - timedelta(days=days)).isoformat()


def _plant(url: str, ages: list[int]) -> None:
    """One audit row per age (days ago), in the order given, as the command line."""
    now = datetime.now(UTC)
    db = Database(url)
    try:
        with db.transaction() as session:
            for number, age in enumerate(ages):
                record(session, now - timedelta(days=age, minutes=len(ages) - number), COMMAND_LINE,
                       "account-add", obj=f"account:planted-{number}", after=f"{age} 天前")
    finally:
        db.dispose()


def _rows(url: str) -> list[AuditEntry]:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    finally:
        db.dispose()


def _anchors(url: str) -> list[AuditAnchor]:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            return list(session.scalars(select(AuditAnchor).order_by(AuditAnchor.id)))
    finally:
        db.dispose()


def _prune(url: str, before: str, *options: str):
    return runner.invoke(cli, ["audit-log", "prune", "--before", before, *options, "--db", url])


def _verify(url: str):
    return runner.invoke(cli, ["audit-log", "verify", "--db", url])


def _as_owner(url: str, *statements: str) -> None:
    """Run statements with the append-only triggers of the audit log and the anchor lifted, as
    someone with the owner's rights (or the SQLite file) could."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in ("audit_log", "audit_anchor"):
                if engine.dialect.name == "postgresql":
                    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
                else:
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _pruned(url: str) -> None:
    """Three old rows (ids 1–3) and two young ones (4, 5), pruned: the prune's own row is 6."""
    _plant(url, [OLD, OLD, OLD, YOUNG, YOUNG])
    result = _prune(url, _days_ago(200))
    assert result.exit_code == 0, result.output


def test_prune_removes_the_old_rows_keeps_the_young_and_the_chain_verifies(db_url: str) -> None:
    _plant(db_url, [OLD, OLD, OLD, YOUNG, YOUNG])
    planted = _rows(db_url)
    result = _prune(db_url, _days_ago(200))
    assert result.exit_code == 0, result.output
    assert "已删除" in result.output and " 3 条审计记录" in result.output, result.output
    rows = _rows(db_url)
    assert [row.id for row in rows] == [4, 5, 6]
    assert [row.chain for row in rows[:2]] == [row.chain for row in planted[3:]]  # kept as they were
    prune_row = rows[-1]
    assert prune_row.action == "audit-prune" and prune_row.account_name == "命令行"
    assert prune_row.object == "audit_anchor:1" and planted[2].chain in (prune_row.after or "")
    [anchor] = _anchors(db_url)
    assert (anchor.before, anchor.rows_removed, anchor.last_id, anchor.last_chain) == \
        (date.fromisoformat(_days_ago(200)), 3, 3, planted[2].chain)
    verified = _verify(db_url)
    assert verified.exit_code == 0 and "完整" in verified.output and "第 4 条起" in verified.output, \
        verified.output
    # the portal's next row chains on; a second prune with the same date finds nothing old enough
    _plant(db_url, [0])
    again = _prune(db_url, _days_ago(200))
    assert again.exit_code == 0 and "未删除任何记录" in again.output, again.output
    assert [row.id for row in _rows(db_url)] == [4, 5, 6, 7] and len(_anchors(db_url)) == 1
    assert _verify(db_url).exit_code == 0


def test_only_the_oldest_rows_go_never_a_row_after_a_younger_one(db_url: str) -> None:
    _plant(db_url, [OLD, YOUNG, OLD, YOUNG])  # a clock set back: ids and dates disagree
    assert _prune(db_url, _days_ago(200)).exit_code == 0
    assert [row.id for row in _rows(db_url)] == [2, 3, 4, 5]
    assert _verify(db_url).exit_code == 0


def test_pruning_every_row_leaves_the_prune_row_chained_to_the_anchor(db_url: str) -> None:
    _plant(db_url, [OLD, OLD])
    assert _prune(db_url, _days_ago(180)).exit_code == 0  # exactly the retention period: allowed
    [row] = _rows(db_url)
    assert row.id == 3 and row.action == "audit-prune"
    assert _verify(db_url).exit_code == 0
    db = Database(db_url)
    try:
        with db.transaction(writes=False) as session:
            status = verify_chain(session)
        assert status.intact and status.rows == 1 and status.start == 3
    finally:
        db.dispose()


@pytest.mark.parametrize("days", [100, 179])
def test_a_cut_off_inside_the_retention_period_is_refused_and_nothing_deleted(db_url: str, days: int) -> None:
    _plant(db_url, [OLD, OLD, YOUNG])
    before = _rows(db_url)
    cli_refused(_prune(db_url, _days_ago(days)), "拒绝清理", "至少 180 天", _days_ago(180))
    assert [row.chain for row in _rows(db_url)] == [row.chain for row in before]
    assert _anchors(db_url) == []


def test_a_longer_keep_days_refuses_a_cut_off_that_180_days_would_allow(db_url: str) -> None:
    _plant(db_url, [400, OLD, OLD, YOUNG])
    before = _rows(db_url)
    refused = _prune(db_url, _days_ago(200), "--keep-days", "365")
    cli_refused(refused, "拒绝清理", "至少 365 天", _days_ago(365))
    assert [row.chain for row in _rows(db_url)] == [row.chain for row in before]
    assert _anchors(db_url) == []
    # the operator's own period is the limit: a year back is allowed, and only the row older than it goes
    result = _prune(db_url, _days_ago(365), "--keep-days", "365")
    assert result.exit_code == 0 and " 1 条审计记录" in result.output, result.output
    assert [row.id for row in _rows(db_url)] == [2, 3, 4, 5]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("days", ["179", "0", "-1"])
def test_keep_days_below_the_law_s_six_months_is_a_usage_error(db_url: str, days: str) -> None:
    _plant(db_url, [OLD, OLD, YOUNG])
    args = ["audit-log", "prune", "--before", _days_ago(200), "--keep-days", days, "--db", db_url]
    done = subprocess.run([str(SCORING), *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[:2] == ["错误：--keep-days 的值无效，应不小于 180",
                                            "用法：scoring audit-log prune [选项]"], done.stderr
    assert "Traceback" not in done.stderr and "Usage" not in done.stderr and done.stdout == ""
    assert len(_rows(db_url)) == 3 and _anchors(db_url) == []


@pytest.mark.parametrize("given", ["2023-13-01", "20230101", "2023-W01-1", "昨天", ""])
def test_a_malformed_date_is_a_message_not_a_usage_traceback(db_url: str, given: str) -> None:
    _plant(db_url, [OLD])
    cli_refused(_prune(db_url, given), "截止日期", "无效", "YYYY-MM-DD")
    assert len(_rows(db_url)) == 1


def test_a_broken_chain_refuses_the_prune(db_url: str) -> None:
    _plant(db_url, [OLD, OLD, OLD, YOUNG])
    _as_owner(db_url, "UPDATE audit_log SET client = '198.51.100.7' WHERE id = 2")
    cli_refused(_prune(db_url, _days_ago(200)), "拒绝清理", "篡改", "第 2 条记录")
    assert [row.id for row in _rows(db_url)] == [1, 2, 3, 4] and _anchors(db_url) == []


# each attack on a pruned log (ids 4, 5 planted, 6 the prune; anchor 1 holds row 3's chain)
ATTACKS = {
    "a kept row changed": ("UPDATE audit_log SET client = '198.51.100.7' WHERE id = 4",),
    "a middle row deleted": ("DELETE FROM audit_log WHERE id = 5",),
    "the prune row deleted": ("DELETE FROM audit_log WHERE id = 6",),
    "the anchor's chain forged": ("UPDATE audit_anchor SET last_chain = "
                                  "(SELECT chain FROM audit_log WHERE id = 4)",),
    "the anchor's id forged": ("UPDATE audit_anchor SET last_id = 2",),
    "the anchor deleted": ("DELETE FROM audit_anchor",),
    # rows removed without a prune, behind an anchor made up to match them
    "a row removed behind a made-up anchor": (
        "INSERT INTO audit_anchor (id, pruned_at, before, rows_removed, last_id, last_chain) "
        "SELECT 2, at, '2020-01-01', 1, id, chain FROM audit_log WHERE id = 4",
        "DELETE FROM audit_log WHERE id = 4"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_tampering_after_a_prune_is_still_found(db_url: str, attack: str) -> None:
    _pruned(db_url)
    assert _verify(db_url).exit_code == 0
    _as_owner(db_url, *ATTACKS[attack])
    result = _verify(db_url)
    assert result.exit_code == 1 and "篡改" in result.output, result.output
    cli_refused(_prune(db_url, _days_ago(200)), "拒绝清理")  # and a further prune will not launder it


def test_the_append_only_triggers_are_back_after_a_prune(db_url: str) -> None:
    engine = create_engine(db_url)
    postgres = engine.dialect.name == "postgresql"
    query = ("SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname" if postgres
             else "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    try:
        with engine.connect() as conn:
            triggers = list(conn.execute(text(query)))
        _pruned(db_url)
        with engine.connect() as conn:
            assert list(conn.execute(text(query))) == triggers  # the same definitions, all enabled
    finally:
        engine.dispose()
    db = Database(db_url)
    try:
        for table in ("audit_log", "audit_anchor"):
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
                    session.execute(text(statement))
    finally:
        db.dispose()
    assert len(_rows(db_url)) == 3 and len(_anchors(db_url)) == 1


def test_every_write_form_on_the_anchor_iscli_refused(db_url: str) -> None:
    _pruned(db_url)
    [anchor] = _anchors(db_url)
    replace = ("(id, pruned_at, before, rows_removed, last_id, last_chain) "
               "VALUES (1, '2020-01-01', '2020-01-01', 0, 0, 'forged')")
    if db_url.startswith("postgresql"):
        engine = create_engine(db_url)
        try:
            for statement in ("UPDATE audit_anchor SET last_chain = 'forged'", "DELETE FROM audit_anchor",
                              "TRUNCATE audit_anchor",
                              f"INSERT INTO audit_anchor {replace} ON CONFLICT (id) DO UPDATE "
                              "SET last_chain = excluded.last_chain"):
                with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                    conn.execute(text(statement))
        finally:
            engine.dispose()
    else:  # a connection made by any other tool, without the portal's pragmas
        conn = sqlite3.connect(make_url(db_url).database or "")
        try:
            for statement in ("UPDATE audit_anchor SET last_chain = 'forged'", "DELETE FROM audit_anchor",
                              f"INSERT OR REPLACE INTO audit_anchor {replace}",
                              f"REPLACE INTO audit_anchor {replace}",
                              f"INSERT INTO audit_anchor {replace} ON CONFLICT (id) DO UPDATE "
                              "SET last_chain = excluded.last_chain"):
                with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                    conn.execute(statement)
                conn.commit()
        finally:
            conn.close()
    assert [(a.id, a.last_id, a.last_chain) for a in _anchors(db_url)] == \
        [(anchor.id, anchor.last_id, anchor.last_chain)]


def test_a_pruned_database_backs_up_and_restores_with_its_chain(db_url: str, request: pytest.FixtureRequest,
                                                              tmp_path: Path) -> None:
    _pruned(db_url)
    backup = tmp_path / "portal.backup"
    result = runner.invoke(cli, ["db", "backup", str(backup), "--db", db_url])
    assert result.exit_code == 0 and "审计日志哈希链完整" in result.output, result.output
    target = (f"sqlite:///{tmp_path / 'restored' / 'portal.sqlite3'}" if db_url.startswith("sqlite")
              else str(request.getfixturevalue("postgres").new_database()))
    result = runner.invoke(cli, ["db", "restore", str(backup), "--db", target])
    assert result.exit_code == 0 and "审计日志哈希链完整" in result.output, result.output
    assert [row.id for row in _rows(target)] == [4, 5, 6] and len(_anchors(target)) == 1
    assert _verify(target).exit_code == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_portal_role_can_neither_prune_nor_delete(db_url: str, postgres) -> None:
    _plant(db_url, [OLD, OLD, YOUNG])
    role = f"portal_role_{make_url(db_url).database}"
    postgres.admin(f"CREATE ROLE {role} LOGIN")
    granted = runner.invoke(cli, ["db", "grant", role, "--db", db_url])
    assert granted.exit_code == 0, granted.output
    portal_url = make_url(db_url).set(username=role).render_as_string(hide_password=False)
    cli_refused(_prune(portal_url, _days_ago(200)), "清理失败", "所有者", "未删除任何记录")
    assert len(_rows(db_url)) == 3 and _anchors(db_url) == []
    engine = create_engine(portal_url)
    try:
        for statement in ("DELETE FROM audit_log", "DELETE FROM audit_anchor",
                          "UPDATE audit_anchor SET id = id", "TRUNCATE audit_anchor",
                          "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                          "DROP TRIGGER audit_anchor_append_only ON audit_anchor"):
            with pytest.raises(DBAPIError, match="must be owner|permission denied"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:  # it reads the anchors (the auditor's page verifies the chain)
            assert conn.execute(select(func.count()).select_from(AuditAnchor.__table__)).scalar_one() == 0
    finally:
        engine.dispose()
    # the owner prunes; the portal's role still verifies the chain and appends to it
    assert _prune(db_url, _days_ago(200)).exit_code == 0
    assert _verify(portal_url).exit_code == 0
    _plant(portal_url, [0])
    assert [row.id for row in _rows(db_url)] == [3, 4, 5] and _verify(db_url).exit_code == 0
