"""Sign-in throttling state: one row per (account, client address) pair, changed under a row lock.

The rules (how many free attempts, how the delay grows) are in ``scoring.portal.accounts.throttle``;
this module only keeps the counts. ``reserve`` counts an attempt *before* its password is checked,
in a short transaction of its own that locks the pair's row (PostgreSQL: ``SELECT … FOR UPDATE``;
SQLite: its single writer), so parallel guesses cannot all pass a check that none has counted yet.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from scoring.portal.store.models import SignInPair

UNKNOWN_ACCOUNT = "*unknown*"  # no account name has "*": every unknown name shares one pair per address


def locked_pair(db: Session, name: str, client: str) -> SignInPair:
    """The pair's row, created if new, locked until the caller's transaction ends."""
    values = {"account_name": name[:64], "client": client[:64], "failures": 0, "refusals": 0}
    if db.get_bind().dialect.name == "postgresql":
        db.execute(pg_insert(SignInPair).values(**values).on_conflict_do_nothing())
    else:
        db.execute(sqlite_insert(SignInPair).values(**values).on_conflict_do_nothing())
    query = select(SignInPair).where(SignInPair.account_name == name[:64], SignInPair.client == client[:64])
    row = db.scalars(query.with_for_update().execution_options(populate_existing=True)).one()
    return row


def clear(db: Session, name: str, client: str | None = None) -> int:
    """Forget the failures of an account (from one address, or from all); how many pairs were waiting."""
    query = update(SignInPair).where(SignInPair.account_name == name[:64])
    if client is not None:
        query = query.where(SignInPair.client == client[:64])
    waiting = db.scalars(select(SignInPair.client).where(SignInPair.account_name == name[:64],
                                                         SignInPair.failures > 0)).all()
    db.execute(query.values(failures=0, blocked_until=None, refusals=0))
    return len(waiting)
