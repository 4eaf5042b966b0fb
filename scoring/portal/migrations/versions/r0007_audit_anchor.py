"""Audit-log retention: ``audit_anchor`` holds one row per prune (``scoring audit-log prune``), with
the id and ``chain`` value of the last audit row removed, so the chain of the rows kept still
verifies. The anchor table is append-only like the audit log itself, against every write form.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.Date(), nullable=False),
        sa.Column("rows_removed", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_chain", sa.String(80), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                   "ON audit_anchor FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
        return
    for change in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_anchor_no_{change.lower()} BEFORE {change} ON audit_anchor "
                   "BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only'); END")
    # as r0005 does for every append-only table: REPLACE would delete the row it replaces
    op.execute("CREATE TRIGGER audit_anchor_no_replace_0 BEFORE INSERT ON audit_anchor "
               "WHEN EXISTS (SELECT 1 FROM audit_anchor WHERE id = NEW.id) "
               "BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only: key already taken'); END")


def downgrade() -> None:
    op.drop_table("audit_anchor")
