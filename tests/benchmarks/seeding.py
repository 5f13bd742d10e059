"""A city-sized data set for the benchmarks, written with bulk inserts: hubs, activities over
four weeks (with their texts), onboarded people and sign-ups."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from bot.db.models import Activity, ActivityText, Hub, OutboxMessage, Signup, User
from bot.db.session import SessionFactory
from bot.services.users import NOTICE_VERSION

KINDS = ("sport", "music", "study", "work", "language", "art")
CHUNK = 5000


async def bulk(db: SessionFactory, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        async with db.begin() as session:
            await session.execute(insert(model), rows[start : start + CHUNK])


async def analyze(db: SessionFactory) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL would gather them later)."""
    async with db() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("ANALYZE"))
            await session.commit()


async def people(db: SessionFactory, first: int, count: int, language: str = "en") -> list[int]:
    ids = list(range(first, first + count))
    now = datetime.now(UTC)
    await bulk(db, User, [
        {
            "id": p, "chat_id": p, "language": language, "telegram_language": language,
            "age_band": "18_24", "step": "done", "consent_at": now,
            "notice_version": NOTICE_VERSION, "interests": ["sport"],
        }
        for p in ids
    ])  # fmt: skip
    return ids


async def catalogue(db: SessionFactory, activities: int, hubs: int = 10) -> list[int]:
    """`activities` sessions at `hubs` new hubs over the next four weeks; their ids."""
    async with db.begin() as session:
        before = int(await session.scalar(select(func.coalesce(func.max(Activity.id), 0))) or 0)
        hub_ids = list(
            await session.scalars(
                insert(Hub).returning(Hub.id),
                [
                    {"name": f"Hub {n + 1}", "neighbourhood": f"Quartiere {n + 1}",
                     "address": f"Via {n + 1}", "latitude": 43.84, "longitude": 10.50, "notes": {}}
                    for n in range(hubs)
                ],
            )
        )  # fmt: skip
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    step = timedelta(days=28) / activities
    await bulk(db, Activity, [
        {
            "hub_id": hub_ids[n % hubs], "category": KINDS[n % len(KINDS)],
            "starts_at": start + n * step, "ends_at": start + n * step + timedelta(hours=2),
            "capacity": 20, "min_age": 14, "max_age": 35, "languages": ["it"],
            "accessible": n % 3 == 0, "status": "scheduled",
        }
        for n in range(activities)
    ])  # fmt: skip
    async with db() as session:
        ids = list(
            await session.scalars(
                select(Activity.id).where(Activity.id > before).order_by(Activity.id)
            )
        )
    await bulk(db, ActivityText, [
        {"activity_id": a, "language": language, "title": f"{KINDS[n % len(KINDS)]} {n}", "description": "…"}
        for n, a in enumerate(ids)
        for language in ("en", "it")
    ])  # fmt: skip
    return ids


async def signups(db: SessionFactory, users: list[int], activities: list[int], count: int) -> None:
    """`count` confirmed places, each person at a different activity in turn."""
    taken: Counter[int] = Counter()
    rows = []
    for n in range(count):
        activity = activities[n % len(activities)]
        taken[activity] += 1
        rows.append({
            "user_id": users[n % len(users)], "activity_id": activity, "status": "confirmed",
            "queue_number": taken[activity], "checkin_code": f"{n:06d}"[-6:], "display_name": "P",
        })  # fmt: skip
    await bulk(db, Signup, rows)


async def outbox(db: SessionFactory, chats: list[int], text: str) -> None:
    now = datetime.now(UTC)
    await bulk(db, OutboxMessage, [
        {"chat_id": c, "kind": "broadcast", "text": text, "due_at": now, "status": "pending", "attempts": 0}
        for c in chats
    ])  # fmt: skip
