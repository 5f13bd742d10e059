"""What people who came thought of an activity: a face from one to five and, if they like, a
few words. Staff see the average, the count and the words, never who wrote them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class Feedback(Base):
    """One person asked once about one activity; the answer when they give it."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    # Kept to ask once and to erase with the person; never shown to staff.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column(Integer)  # 1 (bad) to 5 (great)
    comment: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
