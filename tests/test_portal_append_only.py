"""Append-only enforced by the database itself, on every write form, and the audit log's hash chain."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from portal_fixtures import YearState
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.portal.store import Database
from scoring.portal.store.audit import verify_chain
from scoring.portal.store.migrate import APPEND_ONLY, OBJECTION_TABLES

# runs: a finished run; audit_anchor has rows only after a prune, and
# test_portal_audit_retention.py attacks it then; the published year has no feedback, and
# test_portal_objections.py attacks the feedback and objection tables once they have rows
TABLES = (*(t for t in APPEND_ONLY if t != "audit_anchor" and t not in OBJECTION_TABLES), "runs")


def _sample_row(conn, table: str) -> dict[str, object]:
    where = " WHERE state IN ('succeeded', 'failed')" if table == "runs" else ""
    row = conn.execute(text(f"SELECT * FROM {table}{where} ORDER BY 1 LIMIT 1")).mappings().first()
    conn.rollback()
    assert row is not None, f"{table} has no row to attack"
    return dict(row)


def _key(table: str) -> str:
    return "sha256" if table == "blobs" else "id"


def _forms(table: str, row: dict[str, object], postgres: bool) -> list[tuple[str, dict[str, object]]]:
    """Every way of writing over an existing row."""
    key = _key(table)
    columns = list(row)
    changed = {**row}
    if table == "blobs":  # other bytes under the same SHA-256
        victim, changed["data"] = "data", b"PK\x03\x04 forged"
    else:
        texts = [c for c in columns if c != key and isinstance(row[c], str) and c not in ("state", "at")]
        victim = texts[0] if texts else "at"
        changed[victim] = "篡改" if texts else "2030-01-01 00:00:00+00:00"
    names, values = ", ".join(f'"{c}"' for c in columns), ", ".join(f":{c}" for c in columns)
    forms = [
        (f'UPDATE {table} SET "{victim}" = :{victim} WHERE {key} = :{key}', changed),
        (f"DELETE FROM {table} WHERE {key} = :{key}", row),
        (f"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT ({key}) DO UPDATE "
         f'SET "{victim}" = excluded."{victim}"', changed),
    ]
    if postgres:
        forms.append((f"TRUNCATE {table} CASCADE", {}))
    else:
        forms += [(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({values})", changed),
                  (f"REPLACE INTO {table} ({names}) VALUES ({values})", changed)]
    return forms


def test_every_write_form_on_every_append_only_table_is_refused(year_state: YearState, year_url: str) -> None:
    postgres = make_url(year_url).get_backend_name() == "postgresql"
    if postgres:
        engine = create_engine(year_url)
        tried = 0
        with engine.connect() as conn:
            for table in TABLES:
                row = _sample_row(conn, table)
                for statement, params in _forms(table, row, postgres):
                    with pytest.raises(DBAPIError, match="append-only|final"), conn.begin():
                        conn.execute(text(statement), params)
                    tried += 1
                assert _sample_row(conn, table) == row
        engine.dispose()
        assert tried >= len(TABLES) * 4
        return
    # SQLite: a connection made by any other tool, without the portal's pragmas
    path = make_url(year_url).database
    assert path is not None
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        for table in TABLES:
            where = " WHERE state IN ('succeeded', 'failed')" if table == "runs" else ""
            row = dict(conn.execute(f"SELECT * FROM {table}{where} ORDER BY 1 LIMIT 1").fetchone())
            for statement, params in _forms(table, row, False):
                sql = statement
                for name in sorted(params, key=len, reverse=True):
                    sql = sql.replace(f":{name}", f":p_{name}")
                try:
                    conn.execute(sql, {f"p_{k}": v for k, v in params.items()})
                except sqlite3.DatabaseError as exc:
                    assert "append-only" in str(exc) or "final" in str(exc)
                else:  # a stored file's SHA-256 taken again is ignored (the row check below)
                    assert table == "blobs" and not sql.startswith(("UPDATE", "DELETE")), sql
                conn.commit()
            assert dict(conn.execute(f"SELECT * FROM {table}{where} ORDER BY 1 LIMIT 1").fetchone()) == row
    finally:
        conn.close()


def test_audit_chain_is_intact_and_a_changed_row_is_found(year_state: YearState, year_url: str,
                                                         tmp_path: Path) -> None:
    db = Database(year_url)
    try:
        with db.transaction(writes=False) as session:
            status = verify_chain(session)
        assert status.intact and status.rows > 10
        result = CliRunner().invoke(cli, ["audit-log", "verify", "--db", year_url])
        assert result.exit_code == 0 and "完整" in result.output
        victim = status.rows // 2
        # someone with the owner's rights (or the SQLite file) lifts the trigger and edits one row
        engine = create_engine(year_url)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            else:
                conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("UPDATE audit_log SET client = '198.51.100.7' WHERE id = :id"), {"id": victim})
        engine.dispose()
        result = CliRunner().invoke(cli, ["audit-log", "verify", "--db", year_url])
        assert result.exit_code == 1 and f"第 {victim} 条记录" in result.output and "篡改" in result.output
        with db.transaction(writes=False) as session:
            assert verify_chain(session).broken_at == victim
    finally:
        db.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_portal_role_cannot_drop_triggers_or_change_append_only_tables(db_url: str, postgres,
                                                                           tmp_path: Path) -> None:
    from portal_fixtures import Client, Clock, before_deadline, portal_settings, seed

    from scoring.portal.app import create_app

    seed(db_url)
    role = f"portal_role_{make_url(db_url).database}"
    postgres.admin(f"CREATE ROLE {role} LOGIN")
    result = CliRunner().invoke(cli, ["db", "grant", role, "--db", db_url])
    assert result.exit_code == 0, result.output
    portal_url = make_url(db_url).set(username=role).render_as_string(hide_password=False)
    app = create_app(portal_settings(portal_url, tmp_path / "data", Clock(before_deadline())))
    try:  # the portal works under its role: sign-in (audit rows, a session) and an upload
        client = Client(app, "sh")
        assert client.csrf and client.get("/").status_code == 200
    finally:
        app.state.portal.workers.close()
        app.state.portal.db.dispose()
    engine = create_engine(portal_url)
    try:
        for statement in ("DROP TRIGGER audit_log_append_only ON audit_log",
                          "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                          "UPDATE audit_log SET client = '198.51.100.7'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log", "DELETE FROM blobs",
                          "UPDATE versions SET unit_code = '110000'",
                          "DROP TABLE audit_log", "CREATE TABLE spare (id integer)"):
            with pytest.raises(DBAPIError, match="must be owner|permission denied"), \
                    engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()
