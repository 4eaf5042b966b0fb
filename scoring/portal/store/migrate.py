"""Bring a database to the code's schema with the Alembic migrations shipped in the package.

``schema_state`` tells whether a database is empty, behind, current or newer than the code; the
server migrates an empty database on first start and refuses one that is newer than the code.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaState(StrEnum):
    """Where a database stands against the code's migrations."""

    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"
    NEWER = "newer"  # a revision this code does not know: written by a newer version
    FOREIGN = "foreign"  # tables, but not the portal's


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def code_head() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def database_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (None before the first migration)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_state(engine: Engine) -> tuple[SchemaState, str | None]:
    """The database's state and its recorded revision."""
    revision = database_revision(engine)
    if revision is None:
        tables = set(inspect(engine).get_table_names())
        return (SchemaState.FOREIGN if tables - {"alembic_version"} else SchemaState.EMPTY), None
    scripts = ScriptDirectory.from_config(_config())
    if revision == scripts.get_current_head():
        return SchemaState.CURRENT, revision
    known = {script.revision for script in scripts.walk_revisions()}
    return (SchemaState.BEHIND if revision in known else SchemaState.NEWER), revision


def upgrade(engine: Engine) -> None:
    """Apply every migration the database does not have yet."""
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


OBJECTION_TABLES = ("feedbacks", "objections", "objection_files", "objection_events",
                    "publication_objections")
# tables the portal only ever appends to: its role may read and insert, never update or delete
APPEND_ONLY = ("blobs", "versions", "unit_events", "year_events", "audit_log", "task_reviews",
               "central_records", "run_files", "publications", "audit_anchor", *OBJECTION_TABLES)


def grant_portal_role(engine: Engine, role: str) -> list[str]:
    """On PostgreSQL, as the tables' owner: give ``role`` exactly what the portal needs (read every
    table, insert into every table, update the tables that change: accounts, sessions, runs,
    instance; use the id sequences) and nothing else: it cannot update or delete an append-only
    table, drop a trigger, alter or create a table. Returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise ValueError("only PostgreSQL has roles")
    quoted = engine.dialect.identifier_preparer.quote(role)
    tables = sorted(set(inspect(engine).get_table_names()) - {"alembic_version"})
    changing = [t for t in tables if t not in APPEND_ONLY]
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT ON alembic_version TO {quoted}",
        f"GRANT SELECT, INSERT ON {', '.join(tables)} TO {quoted}",
        f"GRANT UPDATE ON {', '.join(changing)} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return statements
