"""Outbox rows that go stale: a time after which a message no longer makes sense, and the
broadcast figure of messages withdrawn as too late.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(
            sa.Column("withdrawn", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("withdrawn")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("expires_at")
