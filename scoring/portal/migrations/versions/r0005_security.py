"""Append-only enforced against every write form, the audit log's hash chain, and the sign-in
throttle's pairs (account, client address).

On SQLite ``INSERT OR REPLACE`` / ``REPLACE INTO`` replaces a row by deleting it, and SQLite fires
delete triggers for that only when ``recursive_triggers`` is on, which a connection made with any
other tool does not set. So each append-only table (and ``runs``) gets, for its primary key and
each unique key, a BEFORE INSERT trigger that refuses a row whose key is already taken: a plain
INSERT would fail on that key anyway, a REPLACE no longer gets through. (The portal's own
connections also turn ``recursive_triggers`` on, so the BEFORE DELETE triggers fire too.) On
PostgreSQL there is no REPLACE, and ``INSERT … ON CONFLICT DO UPDATE`` fires the UPDATE triggers
already in place.

The audit log gets its ``chain`` column, filled for the rows already there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

APPEND_ONLY = ("blobs", "versions", "unit_events", "year_events", "audit_log", "task_reviews",
               "central_records", "run_files", "publications", "config_drafts", "config_adoptions",
               "evidence_files", "runs")


def _keys(table: str) -> list[list[str]]:
    """The primary key and every unique key of an SQLite table, as column lists."""
    bind = op.get_bind()
    info = bind.exec_driver_sql(f"PRAGMA table_info({table})").fetchall()
    primary = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    keys = [primary] if primary else [["rowid"]]
    for index in bind.exec_driver_sql(f"PRAGMA index_list({table})").fetchall():
        if index[2] and not index[4]:  # unique, not partial
            columns = [row[2] for row in bind.exec_driver_sql(f"PRAGMA index_info('{index[1]}')").fetchall()]
            if columns and None not in columns and columns not in keys:
                keys.append(columns)
    return keys


def _fill_chain() -> None:
    from scoring.portal.store.audit import GENESIS, chain_algorithm, row_digest
    from scoring.portal.store.models import AuditEntry

    bind = op.get_bind()
    session = sa.orm.Session(bind=bind)
    previous = GENESIS
    rows = list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
    for row in rows:
        previous = row_digest(previous, row, chain_algorithm())
        bind.execute(sa.text("UPDATE audit_log SET chain = :chain WHERE id = :id"),
                     {"chain": previous, "id": row.id})
    session.expunge_all()


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("account_name", sa.String(64), primary_key=True),
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusals", sa.Integer(), nullable=False),
    )
    op.add_column("audit_log", sa.Column("chain", sa.String(80), nullable=True))
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        _fill_chain()
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        return
    op.execute("DROP TRIGGER audit_log_no_update")
    _fill_chain()
    op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    for table in APPEND_ONLY:
        for number, key in enumerate(_keys(table)):
            match = " AND ".join(f"{column} = NEW.{column}" for column in key)
            # blobs are stored once per SHA-256 (INSERT … ON CONFLICT DO NOTHING): the same bytes
            # again are ignored, other bytes under a taken SHA-256 never replace the stored ones
            refuse = "IGNORE" if table == "blobs" else f"ABORT, '{table} is append-only: key already taken'"
            op.execute(f"CREATE TRIGGER {table}_no_replace_{number} BEFORE INSERT ON {table} "
                       f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {match}) "
                       f"BEGIN SELECT RAISE({refuse}); END")


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for number in range(len(_keys(table))):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace_{number}")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("chain")
