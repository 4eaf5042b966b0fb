"""The database engine: SQLite (default, under ``var/``) or PostgreSQL, and transactions.

On SQLite every connection uses WAL, enforces foreign keys and waits for a busy lock; a
transaction that will write starts with ``BEGIN IMMEDIATE`` so two writers queue instead of
failing on a stale snapshot. On PostgreSQL pooled connections are checked before use, so the
portal recovers by itself when the server comes back after a restart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

SQLITE_BUSY_MS = 30_000


def default_database_url(root: Path) -> str:
    """The SQLite file the portal uses when no database is named."""
    return f"sqlite:///{root / 'var' / 'portal.sqlite3'}"


def is_sqlite(url: str) -> bool:
    """True for an SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA recursive_triggers = ON")  # REPLACE fires the append-only delete triggers
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the folder of an SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # a new database file is the owner's only (SQLite gives its -wal and -shm files the
            # same mode): it holds password hashes and every province's submissions
            os.close(os.open(parsed.database, os.O_CREAT | os.O_RDWR, 0o600))
        connect = {"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000}
        # a connection for each of 32 units uploading at once (the default is 5 + 10 overflow)
        engine = create_engine(url, connect_args=connect, pool_size=20, max_overflow=30, pool_timeout=30)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10,
                         connect_args={"connect_timeout": 5})


class Database:
    """An engine and the two kinds of transaction the portal uses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._writer = self.engine.execution_options(writes=True)

    def session(self, *, writes: bool) -> Session:
        """A new session; ``writes`` makes its transactions take SQLite's write lock at once."""
        return Session(self._writer if writes else self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, writes: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.session(writes=writes) as db, db.begin():
            yield db

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
