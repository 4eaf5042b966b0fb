"""``scoring db backup`` / ``scoring db restore`` on SQLite and PostgreSQL: a checked copy, restored
only into an empty database, refused when truncated, tampered with, or about to overwrite."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from portal_fixtures import cli_refused, seed
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.portal.store import Database
from scoring.portal.store.audit import verify_chain

runner = CliRunner()


def _counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite") and not Path(make_url(url).database or "").exists():
        return {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                    for name in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def _filled(url: str) -> None:
    """The test accounts and year, and audit rows written by the command line."""
    seed(url)
    for command in (["users", "add", "zj", "--role", "province", "--unit", "330000"],
                    ["users", "add", "boss", "--role", "central"], ["users", "disable", "zj"]):
        result = runner.invoke(cli, [*command, "--db", url])
        assert result.exit_code == 0, result.output


def _empty_target(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no table at all: a new SQLite file name, or a new PostgreSQL database."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'portal.sqlite3'}"
    return str(request.getfixturevalue("postgres").new_database())


def _backup(url: str, path: Path) -> None:
    result = runner.invoke(cli, ["db", "backup", str(path), "--db", url])
    assert result.exit_code == 0, result.output
    assert "写后核对一致" in result.output and "审计日志哈希链完整" in result.output
    assert path.is_file() and path.stat().st_mode & 0o077 == 0


def test_a_backup_restores_into_an_empty_database_with_every_row_and_the_chain(
        db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _filled(db_url)
    source = _counts(db_url)
    assert source["audit_log"] >= 3 and source["accounts"] >= 9
    backup = tmp_path / "portal.backup"
    _backup(db_url, backup)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    target = _empty_target(db_url, request, tmp_path)
    result = runner.invoke(cli, ["db", "restore", str(backup), "--db", target])
    assert result.exit_code == 0, result.output
    assert "审计日志哈希链完整" in result.output and f"{sum(source.values())} 行" in result.output
    assert ("scoring db grant" in result.output) == target.startswith("postgresql")  # grants not restored
    assert _counts(target) == source
    database = Database(target)
    try:
        with database.transaction(writes=False) as session:
            status = verify_chain(session)
            names = sorted(session.execute(text("SELECT name FROM accounts")).scalars())
    finally:
        database.dispose()
    assert status.intact and status.rows == source["audit_log"]
    assert "zj" in names and "boss" in names
    verified = runner.invoke(cli, ["audit-log", "verify", "--db", target])
    assert verified.exit_code == 0 and "完整" in verified.output, verified.output


def test_restore_refuses_a_database_that_has_tables(db_url: str, tmp_path: Path) -> None:
    _filled(db_url)
    backup = tmp_path / "portal.backup"
    _backup(db_url, backup)
    before = _counts(db_url)
    result = runner.invoke(cli, ["db", "restore", str(backup), "--db", db_url])
    cli_refused(result, "不是空库", "只能恢复到空数据库")
    assert _counts(db_url) == before


def test_backup_never_overwrites_a_file(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    existing = tmp_path / "portal.backup"
    existing.write_bytes(b"an older backup")
    result = runner.invoke(cli, ["db", "backup", str(existing), "--db", db_url])
    cli_refused(result, "已存在，拒绝覆盖")
    assert existing.read_bytes() == b"an older backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "portal.sqlite3") == ["portal.backup"]


def test_a_truncated_or_foreign_file_is_refused_and_the_target_left_alone(
        db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _filled(db_url)
    backup = tmp_path / "portal.backup"
    _backup(db_url, backup)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    target = _empty_target(db_url, request, tmp_path)
    cli_refused(runner.invoke(cli, ["db", "restore", str(truncated), "--db", target]), "已损坏")
    assert _counts(target) == {}
    foreign = tmp_path / "notes.txt"
    foreign.write_text("不是备份", encoding="utf-8")
    cli_refused(runner.invoke(cli, ["db", "restore", str(foreign), "--db", target]), "不是 scoring db backup")
    cli_refused(runner.invoke(cli, ["db", "restore", str(tmp_path / "missing.backup"), "--db", target]),
             "不存在")
    assert _counts(target) == {}
    # and the intact backup still restores there: the refusals wrote nothing
    assert runner.invoke(cli, ["db", "restore", str(backup), "--db", target]).exit_code == 0


def test_a_backup_whose_audit_chain_was_changed_iscli_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    _filled(url)
    backup = tmp_path / "portal.backup"
    _backup(url, backup)
    conn = sqlite3.connect(backup)  # someone with the file lifts the trigger and edits one row
    with conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET action = 'sign-in' WHERE id = 2")
    conn.close()
    target = tmp_path / "restored.sqlite3"
    cli_refused(runner.invoke(cli, ["db", "restore", str(backup), "--db", f"sqlite:///{target}"]),
             "哈希链", "第 2 条记录", "篡改")
    assert not target.exists()


def test_a_database_whose_audit_chain_is_broken_is_not_backed_up_nor_restored(
        db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _filled(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET client = '198.51.100.7' WHERE id = 1"))
    engine.dispose()
    backup = tmp_path / "portal.backup"
    cli_refused(runner.invoke(cli, ["db", "backup", str(backup), "--db", db_url]), "第 1 条记录", "篡改")
    assert not backup.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    # a copy made by other means (sqlite3's backup, pg_dump itself) is refused before the target is touched
    if db_url.startswith("sqlite"):
        source, copy = sqlite3.connect(make_url(db_url).database or ""), sqlite3.connect(backup)
        source.backup(copy)
        copy.close()
        source.close()
    else:
        server = request.getfixturevalue("postgres")
        subprocess.run([str(server.bin_dir / "pg_dump"), "-h", str(server.folder), "-U", "postgres", "-Fc",
                        "-f", str(backup), make_url(db_url).database], check=True, capture_output=True)
    target = _empty_target(db_url, request, tmp_path)
    cli_refused(runner.invoke(cli, ["db", "restore", str(backup), "--db", target]), "第 1 条记录", "篡改")
    assert _counts(target) == {}
