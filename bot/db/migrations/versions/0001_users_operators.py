"""Users and operators.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("telegram_language", sa.String(16), nullable=True),
        sa.Column("age_band", sa.String(8), nullable=True),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("awaiting", sa.String(24), nullable=True),
        sa.Column("pending_link", sa.String(64), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_version", sa.String(16), nullable=True),
        sa.Column("guardian_code", sa.String(12), nullable=True),
        sa.Column("guardian_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("guardian_recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("neighbourhood", sa.String(80), nullable=True),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("notify_reminders", sa.Boolean(), nullable=False),
        sa.Column("notify_announcements", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("guardian_code", name=op.f("uq_users_guardian_code")),
    )
    op.create_table(
        "operators",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_operators")),
    )


def downgrade() -> None:
    op.drop_table("operators")
    op.drop_table("users")
