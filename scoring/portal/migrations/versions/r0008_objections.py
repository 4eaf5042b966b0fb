"""Feedback (反馈征求意见) and objections (issue 22): a run fed back once with its deadline, the
units' objections with their files, the one event that closes each (withdrawn, accepted, not
accepted), and which answered objections a publication answers. All append-only, against every
write form, as r0005 arranges for the older tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)
TABLES = ("feedbacks", "objections", "objection_files", "objection_events", "publication_objections")
# each table's primary key and unique keys: a REPLACE over any of them is refused (see r0005)
KEYS = {
    "feedbacks": (("id",), ("run_id",)),
    "objections": (("id",),),
    "objection_files": (("id",), ("objection_id", "seq")),
    "objection_events": (("id",), ("objection_id",)),
    "publication_objections": (("publication_id", "objection_id"),),
}


def _account() -> sa.Column[int]:
    return sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "feedbacks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("at", TS, nullable=False),
        _account(),
        sa.UniqueConstraint("run_id", name="feed_back_once"),
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("feedback_id", sa.Integer(), sa.ForeignKey("feedbacks.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(6), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("subject_label", sa.String(500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        _account(),
    )
    op.create_index("objections_by_unit", "objections", ["year", "unit_code"])
    op.create_table(
        "objection_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("objection_id", sa.Integer(), sa.ForeignKey("objections.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("blob_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.UniqueConstraint("objection_id", "seq", name="objection_file_number_once"),
    )
    op.create_table(
        "objection_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("objection_id", sa.Integer(), sa.ForeignKey("objections.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("correction", sa.String(16), nullable=True),
        sa.Column("at", TS, nullable=False),
        _account(),
        sa.UniqueConstraint("objection_id", name="close_objection_once"),
    )
    op.create_table(
        "publication_objections",
        sa.Column("publication_id", sa.Integer(), sa.ForeignKey("publications.id"), primary_key=True),
        sa.Column("objection_id", sa.Integer(), sa.ForeignKey("objections.id"), primary_key=True),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
        return
    for table in TABLES:
        for change in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        for number, key in enumerate(KEYS[table]):
            match = " AND ".join(f"{column} = NEW.{column}" for column in key)
            op.execute(f"CREATE TRIGGER {table}_no_replace_{number} BEFORE INSERT ON {table} "
                       f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {match}) "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: key already taken'); END")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
