"""Evidence files attached to a unit's tasks (issue 22), append-only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(6), nullable=False),
        sa.Column("task_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("blob_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.UniqueConstraint("year", "unit_code", "task_id", "seq", name="evidence_number_once"),
    )
    op.create_index("evidence_by_unit_task", "evidence_files", ["year", "unit_code", "task_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER evidence_files_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                   "ON evidence_files FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
        return
    for change in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER evidence_files_no_{change.lower()} BEFORE {change} ON evidence_files "
                   "BEGIN SELECT RAISE(ABORT, 'evidence_files is append-only'); END")


def downgrade() -> None:
    op.drop_index("evidence_by_unit_task", "evidence_files")
    op.drop_table("evidence_files")
