"""Signing up: places while there are some, then a waitlist served in arrival order."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from bot import delivery
from bot.db.models import Activity, Signup, User
from bot.services import users
from bot.services.catalog import TAKING_PLACES, as_utc, fits_age, is_open

ACTIVE = ("confirmed", "waitlisted", "attended")


class SignupRefused(Exception):
    """Why someone cannot sign up: closed, age, guardian, consent or unknown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    signup: Signup
    already: bool  # nothing changed: the person was already in


async def _locked_activity(session: AsyncSession, activity_id: int) -> Activity | None:
    """Lock the activity row (PostgreSQL) so sign-ups to it happen one at a time.
    SQLite takes its write lock when the transaction begins (see bot.db.session)."""
    query = select(Activity).where(Activity.id == activity_id).with_for_update(of=Activity)
    return (await session.scalars(query)).unique().one_or_none()


# The waitlist's order: the order people tapped in. Telegram numbers updates in the order
# they came (taps reach the database in another order when several are handled at once, and
# reach different processes with different delays); the numbering restarts at random after a
# week without updates, so the day comes first. Sign-ups made without a tap come after the
# day's taps.
WAITLIST_ORDER = (
    func.date(Signup.asked_at),
    Signup.tap_id.asc().nulls_last(),
    Signup.asked_at,
    Signup.queue_number,
)


async def position(session: AsyncSession, signup: Signup) -> int:
    """The place in the waitlist (1 is next), or 0 for anyone not waiting. Someone who tapped
    earlier but whose tap was handled later goes ahead."""
    if signup.status != "waitlisted":
        return 0
    ranked = (
        select(Signup.id, func.row_number().over(order_by=WAITLIST_ORDER).label("n"))
        .where(Signup.activity_id == signup.activity_id, Signup.status == "waitlisted")
        .subquery()
    )
    return int(await session.scalar(select(ranked.c.n).where(ranked.c.id == signup.id)) or 0)


async def join(
    session: AsyncSession,
    user: User,
    activity_id: int,
    display_name: str,
    now: datetime,
    asked_at: datetime | None = None,
    tap_id: int | None = None,
) -> Outcome:
    """Give the user a place, or a place in the waitlist. Taps twice give one sign-up.
    `asked_at` is when the tap reached Porta (default: now), `tap_id` its update id.

    The activity's row stays locked until the transaction ends, so this does as few round
    trips as it can; ask the `position` once the transaction is over."""
    if user.step == users.GUARDIAN:
        raise SignupRefused("guardian")
    if not users.may_store_personal_data(user):
        raise SignupRefused("consent")
    # Before the lock: a person's taps are handled one at a time, so no one else adds theirs.
    existing = await session.scalar(
        select(Signup).where(Signup.user_id == user.id, Signup.activity_id == activity_id)
    )
    if existing is not None and existing.status in ACTIVE:
        return Outcome(existing, already=True)
    activity = await _locked_activity(session, activity_id)
    if activity is None:
        raise SignupRefused("unknown")
    if not is_open(activity, now):
        raise SignupRefused("closed")
    if not fits_age(activity, user.age_band):
        raise SignupRefused("age")
    drawn = sorted({f"{secrets.randbelow(10_000):04d}" for _ in range(8)})
    taken, last, *used = (
        await session.execute(
            select(
                func.count().filter(Signup.status.in_(TAKING_PLACES)),
                func.max(Signup.queue_number),
                *(func.count().filter(Signup.checkin_code == code) for code in drawn),
            ).where(Signup.activity_id == activity_id)
        )
    ).one()
    status = "confirmed" if (taken or 0) < activity.capacity else "waitlisted"
    signup = existing or Signup(user_id=user.id, activity_id=activity_id)
    signup.status, signup.queue_number = status, (last or 0) + 1
    signup.asked_at, signup.tap_id = asked_at or now, tap_id
    signup.display_name = display_name[:64]
    if not signup.checkin_code:
        free = [code for code, times in zip(drawn, used, strict=True) if not times]
        signup.checkin_code = free[0] if free else await _new_code(session, activity_id)
    session.add(signup)
    await session.flush()
    return Outcome(signup, already=False)


async def _new_code(session: AsyncSession, activity_id: int) -> str:
    """A four-digit check-in code no one else at the activity has (when the few drawn at
    random in `join` were all taken)."""
    used = set(
        (
            await session.scalars(
                select(Signup.checkin_code).where(Signup.activity_id == activity_id)
            )
        ).all()
    )
    while (code := f"{secrets.randbelow(10_000):04d}") in used:
        pass
    return code


async def cancel(
    session: AsyncSession, user_id: int, activity_id: int, now: datetime
) -> tuple[Signup | None, Signup | None]:
    """Cancel the user's sign-up; return it and whoever the freed place went to."""
    activity = await _locked_activity(session, activity_id)
    signup = await session.scalar(
        select(Signup).where(Signup.user_id == user_id, Signup.activity_id == activity_id)
    )
    if activity is None or signup is None or signup.status not in ("confirmed", "waitlisted"):
        return None, None
    freed = signup.status == "confirmed"
    signup.status = "cancelled"
    await delivery.withdraw(session, f"reminder:{signup.id}:")
    await delivery.withdraw(session, f"notice:{signup.id}:")
    await session.flush()
    promoted = await promote(session, activity, now) if freed else None
    return signup, promoted


async def promote(session: AsyncSession, activity: Activity, now: datetime) -> Signup | None:
    """Give a free place to the first person on the waitlist, if the activity is ahead."""
    if not is_open(activity, now):
        return None
    taken = await session.scalar(
        select(func.count()).where(
            Signup.activity_id == activity.id, Signup.status.in_(TAKING_PLACES)
        )
    )
    if (taken or 0) >= activity.capacity:
        return None
    first = await session.scalar(
        select(Signup)
        .where(Signup.activity_id == activity.id, Signup.status == "waitlisted")
        .order_by(*WAITLIST_ORDER)
        .limit(1)
    )
    if first is not None:
        first.status = "confirmed"
    return first


async def mine(session: AsyncSession, user_id: int, now: datetime) -> Sequence[Signup]:
    """The user's sign-ups to activities still ahead, soonest first."""
    query = (
        select(Signup)
        .join(Activity)
        .where(Signup.user_id == user_id, Signup.status.in_(("confirmed", "waitlisted")))
        .where(Activity.ends_at > now)
        .order_by(Activity.starts_at)
    )
    return (await session.scalars(query)).unique().all()


async def of_user(session: AsyncSession, user_id: int) -> Sequence[Signup]:
    query = select(Signup).where(Signup.user_id == user_id).order_by(Signup.created_at)
    return (await session.scalars(query)).unique().all()


async def at(session: AsyncSession, user_id: int, activity_id: int) -> Signup | None:
    """The user's sign-up for one activity, if any (its activity is not loaded again)."""
    query = (
        select(Signup)
        .where(Signup.user_id == user_id, Signup.activity_id == activity_id)
        .options(lazyload(Signup.activity))
    )
    return await session.scalar(query)


async def release_all(session: AsyncSession, user_id: int, now: datetime) -> list[Signup]:
    """Before erasing a user: free their places and promote the waitlists."""
    promoted = []
    for signup in await mine(session, user_id, now):
        _, next_in_line = await cancel(session, user_id, signup.activity_id, now)
        if next_in_line is not None:
            promoted.append(next_in_line)
    return promoted


def export(signup: Signup) -> dict[str, object]:
    return {
        "activity_id": signup.activity_id,
        "status": signup.status,
        "first_name": signup.display_name,
        "checkin_code": signup.checkin_code,
        "created_at": as_utc(signup.created_at).isoformat(),
    }
