"""The programme report at a city's scale: 100,000 people, 10,000 activities, 50,000 sign-ups,
2,000 cases and 10,000 answers about activities; one month's report (figures and PDF) must
take under 10 seconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.config import Settings
from bot.db.models import Case, Feedback, Signup, User
from bot.db.session import SessionFactory
from bot.printed.report import build
from bot.printed.report_pdf import to_pdf
from bot.services.users import AGE_BANDS
from tests.benchmarks import seeding

pytestmark = pytest.mark.benchmark

PEOPLE, ACTIVITIES, SIGNUPS, CASES, ANSWERS = 100_000, 10_000, 50_000, 2_000, 10_000
LANGUAGES = ("it", "ar", "uk", "en", "fr", "bn", "ur", "sq", "ro", None)
PLACES = ("San Vito", "San Concordio", "Pontetetto", "Sant'Anna", "Ponte a Moriano", None)


async def city(db: SessionFactory, since: datetime) -> None:
    """People who came over 60 days up to now, the next four weeks' activities, sign-ups of
    every status, cases and feedback."""
    users = list(range(1, PEOPLE + 1))
    await seeding.bulk(db, User, [
        {"id": n, "chat_id": n, "language": LANGUAGES[n % 10], "telegram_language": "it",
         "age_band": (*AGE_BANDS, None)[n % 6], "neighbourhood": PLACES[n % 6], "step": "done",
         "interests": [], "created_at": since + timedelta(seconds=n * 51.84)}
        for n in users
    ])  # fmt: skip
    activities = await seeding.catalogue(db, ACTIVITIES)
    await seeding.signups(db, users, activities, SIGNUPS)
    async with db.begin() as session:
        for remainder, status in ((1, "attended"), (2, "waitlisted"), (3, "cancelled")):
            await session.execute(
                update(Signup).where(Signup.id % 4 == remainder).values(status=status)
            )
    await seeding.bulk(db, Case, [
        {"reference": f"H-2026-{n:05d}", "kind": ("housing", "person")[n % 2], "team": "housing",
         "language": "it", "status": ("new", "answered", "closed")[n % 3], "fields": {},
         "created_at": since + timedelta(hours=n), "first_answer_at":
         since + timedelta(hours=n, minutes=n % 300) if n % 5 else None}
        for n in range(CASES)
    ])  # fmt: skip
    await seeding.bulk(db, Feedback, [
        {"activity_id": activities[n % len(activities)], "user_id": users[n % len(users)],
         "score": 1 + n % 5, "asked_at": since}
        for n in range(ANSWERS)
    ])  # fmt: skip
    await seeding.analyze(db)


async def test_a_months_report_at_city_scale(db: SessionFactory, settings: Settings) -> None:
    now = datetime.now(UTC)
    await city(db, now - timedelta(days=60))
    start = now.astimezone(settings.zone).date() - timedelta(days=15)
    end = start + timedelta(days=30)
    began = time.perf_counter()
    async with db() as session:
        report = await build(session, start, end, settings.zone, now=now + timedelta(days=7))
    built = time.perf_counter()
    pdf = to_pdf(report, "it")
    done = time.perf_counter()
    database = settings.database_url.split(":")[0]
    print(
        f"\nreport {start}..{end} on {database}: figures {built - began:.2f} s, "
        f"PDF {done - built:.2f} s ({len(pdf) // 1024} KiB), total {done - began:.2f} s"
    )
    assert report.table("activities_hubs").rows and report.table("cases_answers").rows
    assert done - began < 10
