"""Fixture factories: hubs, activities and people in the test database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bot.db.models import Activity, ActivityText, Broadcast, Hub, User
from bot.db.session import SessionFactory
from bot.services import users

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


async def hub(db: SessionFactory, name: str = "San Vito") -> Hub:
    async with db.begin() as session:
        made = Hub(name=name, neighbourhood=name, address="Via San Vito 1, Lucca",
                   latitude=43.85, longitude=10.52, contact="0583 000000", notes={})  # fmt: skip
        session.add(made)
    return made


async def activity(
    db: SessionFactory,
    hub_id: int,
    *,
    capacity: int = 10,
    starts: datetime | None = None,
    category: str = "sport",
    titles: dict[str, str] | None = None,
    min_age: int = 14,
    max_age: int = 35,
    accessible: bool = False,
) -> Activity:
    starts = starts or NOW + timedelta(days=2)
    async with db.begin() as session:
        made = Activity(hub_id=hub_id, category=category, starts_at=starts,
                        ends_at=starts + timedelta(hours=2), capacity=capacity, min_age=min_age,
                        max_age=max_age, languages=["it", "en"], accessible=accessible)  # fmt: skip
        for language, title in (titles or {"it": "Calcetto", "en": "Five-a-side football"}).items():
            made.texts.append(ActivityText(language=language, title=title, description=title))
        session.add(made)
    return made


async def person(db: SessionFactory, age_band: str = "18_24") -> User:
    user_id = 50_000 + next(_ids)
    async with db.begin() as session:
        made = await users.ensure(session, user_id, user_id, "en")
        made.age_band, made.step = age_band, "done"
        users.record_consent(made)
    return made


async def crowd(db: SessionFactory, chat_ids: list[int]) -> None:
    """People who finished onboarding days ago and take announcements, one per chat."""
    long_ago = datetime.now(UTC) - timedelta(days=3)
    async with db.begin() as session:
        await session.execute(
            insert(User),
            [
                {
                    "id": c,
                    "chat_id": c,
                    "step": "done",
                    "interests": [],
                    "notify_reminders": True,
                    "notify_announcements": True,
                    "consent_at": long_ago,
                    "created_at": long_ago,
                    "updated_at": long_ago,
                }
                for c in chat_ids
            ],
        )


async def announcement(db: SessionFactory, text: str = "Hello from the hub") -> None:
    """An announcement to everyone, due now (the broadcast job expands it)."""
    made = Broadcast(author_id=0, texts={"en": text}, base_language="en", audience="all",
                     status="scheduled", total=0, sent=0, blocked=0, failed=0,
                     scheduled_at=datetime.now(UTC))  # fmt: skip
    async with db.begin() as session:
        session.add(made)
