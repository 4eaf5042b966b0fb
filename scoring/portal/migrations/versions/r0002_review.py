"""The central office's and auditors' tables: task reviews, central records, scoring runs, their
files and publications.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

APPEND_ONLY = ("task_reviews", "central_records", "run_files", "publications")

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "task_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(6), nullable=False),
        sa.Column("task_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("declared", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.UniqueConstraint("year", "unit_code", "task_id", "seq", name="task_review_once"),
        sa.CheckConstraint("action IN ('adjust', 'restore')", name="task_review_action_known"),
    )
    op.create_table(
        "central_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(6), nullable=True),
        sa.Column("blob_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("values", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.UniqueConstraint("year", "number", name="central_record_number_once"),
        sa.CheckConstraint("source IN ('form', 'workbook')", name="central_record_source_known"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("active", sa.Integer(), nullable=True),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("supersedes_run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("pdf", sa.Boolean(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("heartbeat_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("owner", sa.String(128), nullable=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("generated_at", TS, nullable=True),
        sa.Column("units", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.UniqueConstraint("active", name="one_active_run"),
        sa.CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="run_state_known"),
        sa.CheckConstraint("active IS NULL OR active = 1", name="run_active_flag"),
        sa.CheckConstraint("(active IS NULL) = (state IN ('succeeded', 'failed'))",
                           name="run_active_iff_unfinished"),
    )
    op.create_table(
        "run_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("blob_sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.UniqueConstraint("run_id", "path", name="run_file_once"),
        sa.CheckConstraint("kind IN ('input', 'output')", name="run_file_kind_known"),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), sa.ForeignKey("publications.id"), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.UniqueConstraint("run_id", name="publish_run_once"),
        sa.UniqueConstraint("year", "seq", name="publication_number_once"),
        sa.UniqueConstraint("supersedes_id", name="supersede_once"),
    )
    op.create_index("audit_by_at", "audit_log", ["at"])
    _refuse_changes()


def _refuse_changes() -> None:
    """Append-only triggers on the new tables, and a finished run that can no longer change."""
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
        op.execute("CREATE FUNCTION refuse_final_run() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN IF OLD.state IN ('succeeded', 'failed') THEN "
                   "RAISE EXCEPTION 'run % is final once finished', OLD.id; END IF; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER runs_final BEFORE UPDATE ON runs FOR EACH ROW "
                   "EXECUTE FUNCTION refuse_final_run()")
        op.execute("CREATE TRIGGER runs_no_delete BEFORE DELETE OR TRUNCATE ON runs "
                   "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
        return
    for table in APPEND_ONLY:
        for change in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    op.execute("CREATE TRIGGER runs_final BEFORE UPDATE ON runs WHEN OLD.state IN ('succeeded', 'failed') "
               "BEGIN SELECT RAISE(ABORT, 'runs are final once finished'); END")
    op.execute("CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs "
               "BEGIN SELECT RAISE(ABORT, 'runs is append-only'); END")


def downgrade() -> None:
    op.drop_index("audit_by_at", "audit_log")
    for table in ("publications", "run_files", "runs", "central_records", "task_reviews"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION refuse_final_run()")
