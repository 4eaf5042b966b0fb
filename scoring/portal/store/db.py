"""The database engine: SQLite (default, under ``var/``) or PostgreSQL, and transactions.

On SQLite every connection uses WAL, enforces foreign keys and waits for a busy lock; a
transaction that will write starts with ``BEGIN IMMEDIATE`` so two writers queue instead of
failing on a stale snapshot. On PostgreSQL pooled connections are checked before use, so the
portal recovers by itself when the server comes back after a restart. Background jobs, which no
one is waiting on to press reload, go further: ``outlasting_outage`` repeats their writes while
the database is unreachable, with growing pauses, for up to ``OUTAGE_BUDGET_S``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

SQLITE_BUSY_MS = 30_000
# how long a background job waits for the database to come back: a restart takes seconds; well
# under the 60 s without a heartbeat after which the server counts a run as dead
OUTAGE_BUDGET_S = 45.0
OUTAGE_PAUSES_S = (0.5, 1.0, 2.0, 4.0, 8.0)  # then 8 s each time

T = TypeVar("T")
log = logging.getLogger(__name__)


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


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached (refused, restarted, dropped the
    connection, stayed locked) rather than that the statement was wrong."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def outlasting_outage(work: Callable[[], T], *, what: str, budget_s: float = OUTAGE_BUDGET_S) -> T:
    """``work()`` (a whole transaction), done again after each outage with growing pauses until
    it succeeds or ``budget_s`` have passed (then the last error is raised). Only for work that
    may safely run twice: a transaction whose commit was lost must find its effect and say so."""
    deadline = time.monotonic() + budget_s
    attempt = 0
    while True:
        try:
            return work()
        except DBAPIError as exc:
            pause = OUTAGE_PAUSES_S[min(attempt, len(OUTAGE_PAUSES_S) - 1)]
            if not is_outage(exc) or time.monotonic() + pause > deadline:
                raise
            attempt += 1
            log.warning("%s: database unreachable (%s), try %d again in %.1f s", what,
                        type(exc.orig).__name__, attempt + 1, pause)
            time.sleep(pause)
