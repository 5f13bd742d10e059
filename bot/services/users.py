"""Users: profile, onboarding steps, consent and the under-14 rule."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User

NOTICE_VERSION = "2026-11"
AGE_BANDS = ("u14", "14_17", "18_24", "25_35", "o35")
INTERESTS = ("training", "culture", "school", "work", "civic", "sport", "language", "housing")

# Onboarding, in order. A user at "done" has finished; "guardian" waits for a guardian.
STEPS = ("welcome", "age", "consent", "neighbourhood", "interests", "done")
GUARDIAN = "guardian"

# Guardian codes avoid letters and digits that are easy to confuse when read aloud.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def now() -> datetime:
    return datetime.now(UTC)


async def get(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def ensure(
    session: AsyncSession, user_id: int, chat_id: int, telegram_language: str | None = None
) -> User:
    """Return the user, creating a fresh record for someone new or returning after erasure."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, chat_id=chat_id, step="welcome", interests=[])
        user.telegram_language = telegram_language
        user.notify_reminders = user.notify_announcements = True
        session.add(user)
        await session.flush()
    elif user.blocked_at is not None:
        user.blocked_at = None  # they wrote again, so they unblocked the bot
    return user


def may_store_personal_data(user: User) -> bool:
    """Under-14s store nothing beyond id and language until a guardian has consented."""
    return user.step != GUARDIAN and user.consent_at is not None


def set_language(user: User, locale: str) -> None:
    user.language = locale


def locale_of(user: User, default: str) -> str:
    """The language to write to the user in: their choice, else their Telegram's."""
    return user.language or user.telegram_language or default


async def note_telegram_language(session: AsyncSession, user_id: int, locale: str) -> None:
    user = await session.get(User, user_id)
    if user is not None and user.telegram_language != locale:
        user.telegram_language = locale


def set_age_band(user: User, band: str) -> None:
    """Save the age group and move onboarding on.

    An under-14 without a guardian's consent keeps no age group, no profile and no consent:
    only the "guardian" step and the code a guardian confirms at the hub.
    """
    if band not in AGE_BANDS:
        raise ValueError(band)
    if band == "u14" and user.guardian_consent_at is None:
        user.age_band = user.neighbourhood = user.awaiting = None
        user.interests = []
        user.consent_at = user.notice_version = None
        user.guardian_code = user.guardian_code or new_guardian_code()
        user.step = GUARDIAN
        return
    user.age_band = band
    if band != "u14":
        user.guardian_code = None
    if user.step in ("welcome", "age", GUARDIAN):
        user.step = "done" if user.consent_at else "consent"


def new_guardian_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def record_consent(user: User) -> None:
    user.consent_at = now()
    user.notice_version = NOTICE_VERSION
    if user.step == "consent":
        user.step = "neighbourhood"


def wait_for(user: User, answer: str | None) -> None:
    """Remember that the next typed text answers `answer` (for example "neighbourhood")."""
    user.awaiting = answer


async def stop_waiting(session: AsyncSession, user_id: int) -> None:
    user = await session.get(User, user_id)
    if user is not None:
        user.awaiting = None


def set_neighbourhood(user: User, name: str | None) -> None:
    """Save (or skip, with None) the neighbourhood; a name is trimmed to 80 characters."""
    user.neighbourhood = " ".join(name.split())[:80] if name else None
    user.awaiting = None
    if user.step == "neighbourhood":
        user.step = "interests"


def toggle_interest(user: User, interest: str) -> None:
    if interest not in INTERESTS:
        raise ValueError(interest)
    chosen = set(user.interests or [])
    chosen ^= {interest}
    user.interests = [i for i in INTERESTS if i in chosen]


def finish_onboarding(user: User) -> str | None:
    """Mark onboarding done and hand back the deep link it was started with, if any."""
    user.step = "done"
    user.awaiting = None
    link, user.pending_link = user.pending_link, None
    return link


def set_notifications(
    user: User, *, reminders: bool | None = None, news: bool | None = None
) -> None:
    if reminders is not None:
        user.notify_reminders = reminders
    if news is not None:
        user.notify_announcements = news


async def record_guardian_consent(
    session: AsyncSession, code: str, operator_id: int
) -> User | None:
    """Record that a guardian consented for the under-14 holding `code`; None if unknown."""
    code = code.strip().upper()
    user = await session.scalar(select(User).where(User.guardian_code == code))
    if user is None:
        return None
    user.guardian_consent_at = user.consent_at = now()
    user.notice_version = NOTICE_VERSION
    user.guardian_recorded_by = operator_id
    user.guardian_code = None
    user.age_band = "u14"
    if user.step == GUARDIAN:
        user.step = "done"
    return user


def export(user: User) -> dict[str, object]:
    """Everything Porta holds about the user, as JSON-ready data."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "telegram_id": user.id,
        "chat_id": user.chat_id,
        "language": user.language,
        "telegram_language": user.telegram_language,
        "age_band": user.age_band,
        "onboarding_step": user.step,
        "awaiting_answer": user.awaiting,
        "pending_link": user.pending_link,
        "consent": {"given_at": when(user.consent_at), "notice_version": user.notice_version},
        "guardian": {
            "code": user.guardian_code,
            "consent_recorded_at": when(user.guardian_consent_at),
            "recorded_by_operator": user.guardian_recorded_by,
        },
        "neighbourhood": user.neighbourhood,
        "interests": list(user.interests or []),
        "notifications": {
            "reminders": user.notify_reminders,
            "announcements": user.notify_announcements,
        },
        "voice_notes_with_every_screen": user.voice_always,
        "blocked_bot_at": when(user.blocked_at),
        "created_at": when(user.created_at),
        "updated_at": when(user.updated_at),
    }


async def erase(session: AsyncSession, user_id: int) -> bool:
    """Delete the user and everything that hangs on them. True when there was something."""
    user = await session.get(User, user_id)
    if user is None:
        return False
    await session.delete(user)
    return True


async def mark_blocked(session: AsyncSession, user_id: int) -> None:
    user = await session.get(User, user_id)
    if user is not None and user.blocked_at is None:
        user.blocked_at = now()
