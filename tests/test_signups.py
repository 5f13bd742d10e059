"""Sign-ups against the real database: capacity, waitlist, promotion, concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Signup
from bot.db.session import SessionFactory
from bot.services import signups
from bot.services.signups import SignupRefused
from tests.factories import NOW, activity, hub, person


async def join(db: SessionFactory, user, activity_id: int) -> signups.Outcome:  # type: ignore[no-untyped-def]
    async with db.begin() as session:
        fresh = await session.merge(user)
        return await signups.join(session, fresh, activity_id, "Sam", NOW)


async def test_places_then_waitlist_then_promotion(db: SessionFactory) -> None:
    place = await hub(db)
    football = await activity(db, place.id, capacity=2)
    people = [await person(db) for _ in range(4)]
    outcomes = [await join(db, p, football.id) for p in people]
    assert [(o.signup.status, o.position) for o in outcomes] == [
        ("confirmed", 0), ("confirmed", 0), ("waitlisted", 1), ("waitlisted", 2),
    ]  # fmt: skip
    again = await join(db, people[0], football.id)
    assert again.already and again.signup.id == outcomes[0].signup.id

    async with db.begin() as session:
        cancelled, promoted = await signups.cancel(session, people[1].id, football.id, NOW)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert (
        promoted is not None and promoted.user_id == people[2].id and promoted.status == "confirmed"
    )
    async with db() as session:
        last = await session.scalar(select(Signup).where(Signup.user_id == people[3].id))
        assert last is not None and await signups.position(session, last) == 1

    rejoined = await join(db, people[1], football.id)
    assert (rejoined.signup.status, rejoined.position) == ("waitlisted", 2)


async def test_rules_past_age_guardian_and_consent(db: SessionFactory) -> None:
    place = await hub(db)
    past = await activity(db, place.id, starts=NOW - timedelta(hours=1))
    adults = await activity(db, place.id, min_age=18)
    with pytest.raises(SignupRefused, match="closed"):
        await join(db, await person(db), past.id)
    with pytest.raises(SignupRefused, match="age"):
        await join(db, await person(db, "14_17"), adults.id)
    child = await person(db)
    child.step, child.consent_at = "guardian", None
    with pytest.raises(SignupRefused, match="guardian"):
        await join(db, child, adults.id)
    no_consent = await person(db)
    no_consent.consent_at = None
    with pytest.raises(SignupRefused, match="consent"):
        await join(db, no_consent, adults.id)
    with pytest.raises(SignupRefused, match="unknown"):
        await join(db, await person(db), 999_999)


async def test_fifty_concurrent_signups_for_ten_places(db: SessionFactory) -> None:
    place = await hub(db)
    popular = await activity(db, place.id, capacity=10)
    people = [await person(db) for _ in range(50)]
    outcomes = await asyncio.gather(*(join(db, p, popular.id) for p in people))
    async with db() as session:
        rows = (await session.scalars(
            select(Signup).where(Signup.activity_id == popular.id).order_by(Signup.queue_number)
        )).all()  # fmt: skip
    assert len(rows) == 50
    assert [r.status for r in rows] == ["confirmed"] * 10 + ["waitlisted"] * 40
    assert [r.queue_number for r in rows] == list(range(1, 51))
    # Arrival order: whoever got the lock first got the lower number and the place.
    assert sorted(o.position for o in outcomes if o.position) == list(range(1, 41))
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
