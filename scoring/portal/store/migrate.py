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
from sqlalchemy import Engine, inspect

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
