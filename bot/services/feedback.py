"""Asking the people who came how an activity was: once each, after it ends, never at night,
never anyone who turned messages off; and what staff see of the answers (no names)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, Feedback, Signup, User
from bot.services import users
from bot.services.catalog import as_utc

ASK_WITHIN = timedelta(days=2)  # after the end: later, the question makes little sense
SCORES = range(1, 6)
MAX_COMMENT = 500  # characters


@dataclass(frozen=True)
class Summary:
    count: int  # people who chose a face
    average: float | None
    comments: list[str]  # newest first, without names


async def due(session: AsyncSession, now: datetime) -> list[tuple[Signup, User]]:
    """The people checked in at an activity that ended lately, not asked yet, who take
    messages about their activities and agreed to the privacy notice."""
    asked = select(Feedback.id).where(
        Feedback.activity_id == Signup.activity_id, Feedback.user_id == Signup.user_id
    )
    query = (
        select(Signup, User)
        .join(Activity, Signup.activity_id == Activity.id)
        .join(User, Signup.user_id == User.id)
        .where(Signup.status == "attended", Activity.status != "cancelled")
        .where(Activity.ends_at <= now, Activity.ends_at > now - ASK_WITHIN)
        .where(User.notify_reminders.is_(True), User.blocked_at.is_(None))
        .where(User.consent_at.is_not(None), User.step != users.GUARDIAN)
        .where(~asked.exists())
    )
    return [(signup, user) for signup, user in (await session.execute(query)).unique().all()]


async def ask(session: AsyncSession, activity_id: int, user_id: int, now: datetime) -> Feedback:
    """Note that the person was asked (so they are asked once)."""
    item = Feedback(activity_id=activity_id, user_id=user_id, asked_at=now)
    session.add(item)
    await session.flush()
    return item


async def mine(session: AsyncSession, feedback_id: int, user_id: int) -> Feedback | None:
    item = await session.get(Feedback, feedback_id)
    return item if item is not None and item.user_id == user_id else None


def rate(item: Feedback, score: int, now: datetime) -> None:
    """Keep the face chosen (a second tap changes it)."""
    if score not in SCORES:
        raise ValueError(score)
    item.score, item.answered_at = score, now


def comment(item: Feedback, text: str) -> bool:
    """Keep the words, if not too long (False: longer than MAX_COMMENT; nothing kept)."""
    words = " ".join(text.split())
    if len(words) > MAX_COMMENT:
        return False
    item.comment = words or None
    return True


async def summary(session: AsyncSession, activity_id: int) -> Summary:
    """The figures staff see: counted in the database, the words without who wrote them."""
    count, average = (
        await session.execute(
            select(func.count(Feedback.score), func.avg(Feedback.score)).where(
                Feedback.activity_id == activity_id
            )
        )
    ).one()
    words = await session.scalars(
        select(Feedback.comment)
        .where(Feedback.activity_id == activity_id, Feedback.comment.is_not(None))
        .order_by(Feedback.answered_at.desc(), Feedback.id.desc())
    )
    return Summary(
        int(count), float(average) if average is not None else None, [w for w in words if w]
    )


async def of_user(session: AsyncSession, user_id: int) -> Sequence[Feedback]:
    query = select(Feedback).where(Feedback.user_id == user_id).order_by(Feedback.id)
    return (await session.scalars(query)).all()


def export(item: Feedback) -> dict[str, object]:
    return {
        "activity_id": item.activity_id,
        "score": item.score,
        "comment": item.comment,
        "asked_at": as_utc(item.asked_at).isoformat(),
    }
