"""Ideas young people propose for the hubs, and who backs them ("👍 I'd join").

Nothing a young person writes is shown to others before a youth worker approves it: each idea
has a case of kind "idea" whose topic in the youth workers' group holds its card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class Idea(Base):
    """One idea: what the proposer wrote, in their language, and where it stands."""

    __tablename__ = "ideas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None once the proposer is erased (an idea made an activity stays, without a name).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    ages: Mapped[list[str]] = mapped_column(JSON, default=list)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="SET NULL"))
    timing: Mapped[str] = mapped_column(String(12), default="")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    # How others see the proposer: their first name, or "a young person from <hub>".
    shown_as: Mapped[str] = mapped_column(String(8), default="hub")
    display_name: Mapped[str] = mapped_column(String(64), default="")
    # pending -> approved | changes | declined; approved -> activity
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    # Titles and summaries staff add in other languages: {"it": {"title": ..., "summary": ...}}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    told_backers: Mapped[int] = mapped_column(Integer, default=0)  # the last milestone told
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class Backing(Base):
    """One person who would join an idea; one row per person and idea (race-free)."""

    __tablename__ = "idea_backers"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
