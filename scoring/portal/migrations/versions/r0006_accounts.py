"""等保 2.0 level-3 account controls: password history and expiry, TOTP second factor with recovery
codes, idle sessions and the last sign-in, and the administrator's three separate duties.

Existing administrator accounts could only read the audit log in the portal, so they become
审计管理员 (``admin_duty = 'audit'``): nobody gains a power by the migration.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts", recreate="never") as batch:
        batch.add_column(sa.Column("admin_duty", sa.String(16), nullable=True))
        batch.add_column(sa.Column("password_changed_at", TS, nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", TS, nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_sign_in_at", TS, nullable=True))
        batch.add_column(sa.Column("last_sign_in_address", sa.String(64), nullable=True))
    with op.batch_alter_table("sessions", recreate="never") as batch:
        batch.add_column(sa.Column("last_seen_at", TS, nullable=True))
        batch.add_column(sa.Column("previous_sign_in_at", TS, nullable=True))
        batch.add_column(sa.Column("previous_sign_in_address", sa.String(64), nullable=True))
        batch.add_column(sa.Column("failed_since_previous", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE accounts SET admin_duty = 'audit' WHERE role = 'admin'")
    op.execute("UPDATE accounts SET password_changed_at = created_at")
    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("code_hash", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("recovery_codes")
    op.drop_table("password_history")
    with op.batch_alter_table("sessions", recreate="never") as batch:
        for column in ("failed_since_previous", "previous_sign_in_address", "previous_sign_in_at",
                       "last_seen_at"):
            batch.drop_column(column)
    with op.batch_alter_table("accounts", recreate="never") as batch:
        for column in ("last_sign_in_address", "last_sign_in_at", "totp_last_step", "totp_enabled_at",
                       "totp_secret", "must_change_password", "password_changed_at", "admin_duty"):
            batch.drop_column(column)
