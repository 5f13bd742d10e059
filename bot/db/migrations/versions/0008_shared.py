"""Several processes on one PostgreSQL: Telegram's send budget and the updates taken.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("spacing", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_send_budget"),
    )
    op.create_table(
        "arrivals",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("handled_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("update_id", name="pk_arrivals"),
    )
    op.create_index("ix_arrivals_person_update", "arrivals", ["person_id", "update_id"])


def downgrade() -> None:
    op.drop_index("ix_arrivals_person_update", table_name="arrivals")
    op.drop_table("arrivals")
    op.drop_table("send_budget")
