"""Sign-ups against the real database: capacity, waitlist, promotion, concurrency."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Signup
from bot.db.session import SessionFactory
from bot.services import signups
from bot.services.signups import SignupRefused
from tests.factories import NOW, activity, hub, person


@dataclass(frozen=True)
class Joined:
    signup: Signup
    already: bool
    position: int  # asked once the sign-up's transaction is over, as the handler does


async def join(db: SessionFactory, user, activity_id: int, tap=None, at=None) -> Joined:  # type: ignore[no-untyped-def]
    async with db.begin() as session:
        fresh = await session.merge(user)
        outcome = await signups.join(
            session, fresh, activity_id, "Sam", NOW, asked_at=at, tap_id=tap
        )
    async with db() as session:
        return Joined(
            outcome.signup, outcome.already, await signups.position(session, outcome.signup)
        )


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


async def test_the_waitlist_keeps_the_order_people_tapped_in(db: SessionFactory) -> None:
    """Taps handled at once may reach the database in another order than they came (and reach
    different processes with different delays): whoever tapped first waits ahead, and gets the
    freed place. Telegram's numbering restarts at random after a week without updates."""
    place = await hub(db)
    full = await activity(db, place.id, capacity=1)
    first, early, late, next_week = [await person(db) for _ in range(4)]
    await join(db, first, full.id, tap=500)
    # The later tap reached the database first, and its process stamped it earlier.
    later = await join(db, late, full.id, tap=502, at=NOW)
    assert later.position == 1
    earlier = await join(db, early, full.id, tap=501, at=NOW + timedelta(milliseconds=40))
    assert earlier.position == 1
    after_a_quiet_week = await join(db, next_week, full.id, tap=7, at=NOW + timedelta(days=8))
    assert after_a_quiet_week.position == 3
    async with db() as session:
        waiting = await session.scalar(select(Signup).where(Signup.user_id == late.id))
        assert waiting is not None and await signups.position(session, waiting) == 2
    async with db.begin() as session:
        _, promoted = await signups.cancel(session, first.id, full.id, NOW)
    assert promoted is not None and promoted.user_id == early.id
