"""When a sign-up was asked for: the moment the tap reached Porta and the tap's update id
(Telegram numbers updates in the order they came), so that the waitlist keeps the order people
tapped in even when several taps are handled at once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signups") as batch:
        batch.add_column(sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tap_id", sa.BigInteger(), nullable=True))
    op.execute("UPDATE signups SET asked_at = created_at")
    with op.batch_alter_table("signups") as batch:
        batch.alter_column("asked_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("signups") as batch:
        batch.drop_column("tap_id")
        batch.drop_column("asked_at")
