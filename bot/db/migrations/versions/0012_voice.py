"""Voice notes made once, staff recordings, listens per screen, and "a voice note with every
screen" in the person's settings.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("voice_always", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "voice_clips",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("catalog", sa.String(length=16), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_voice_clips")),
    )
    op.create_index(op.f("ix_voice_clips_language"), "voice_clips", ["language"], unique=False)
    op.create_table(
        "voice_recordings",
        sa.Column("page", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("page", "language", name=op.f("pk_voice_recordings")),
    )
    op.create_table(
        "voice_listens",
        sa.Column("screen", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("listens", sa.Integer(), nullable=False),
        sa.Column("understood", sa.Integer(), nullable=False),
        sa.Column("not_understood", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("screen", "language", "day", name=op.f("pk_voice_listens")),
    )


def downgrade() -> None:
    op.drop_table("voice_listens")
    op.drop_table("voice_recordings")
    op.drop_index(op.f("ix_voice_clips_language"), table_name="voice_clips")
    op.drop_table("voice_clips")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("voice_always")
