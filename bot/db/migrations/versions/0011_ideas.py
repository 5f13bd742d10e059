"""Ideas young people propose for the hubs, and who backs them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ages", sa.JSON(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.Column("timing", sa.String(length=12), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("shown_as", sa.String(length=8), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("told_backers", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"],
                                name=op.f("fk_ideas_activity_id_activities"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_ideas_case_id_cases"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["hub_id"], ["hubs.id"], name=op.f("fk_ideas_hub_id_hubs"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_ideas_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
    )  # fmt: skip
    op.create_index(op.f("ix_ideas_status"), "ideas", ["status"], unique=False)
    op.create_index(op.f("ix_ideas_user_id"), "ideas", ["user_id"], unique=False)
    op.create_table(
        "idea_backers",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"],
                                name=op.f("fk_idea_backers_idea_id_ideas"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_idea_backers_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("idea_id", "user_id", name=op.f("pk_idea_backers")),
    )  # fmt: skip
    op.create_index(op.f("ix_idea_backers_user_id"), "idea_backers", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_idea_backers_user_id"), table_name="idea_backers")
    op.drop_table("idea_backers")
    op.drop_index(op.f("ix_ideas_user_id"), table_name="ideas")
    op.drop_index(op.f("ix_ideas_status"), table_name="ideas")
    op.drop_table("ideas")
