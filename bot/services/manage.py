"""What hub staff do with activities: create, edit, cancel, see who comes, check people in."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import delivery
from bot.db.models import Activity, ActivityText, Draft, Signup
from bot.services.catalog import CATEGORIES, as_utc
from bot.services.signups import WAITLIST_ORDER

EDITABLE = ("title", "start", "duration", "capacity", "description")


@dataclass(frozen=True)
class Figures:
    confirmed: int
    waitlisted: int
    attended: int
    no_shows: int


async def upcoming(
    session: AsyncSession, now: datetime, page: int, size: int = 8
) -> tuple[Sequence[Activity], bool]:
    """Activities not yet over (cancelled ones too), soonest first: one page and whether more."""
    query = (
        select(Activity)
        .where(Activity.ends_at > now - timedelta(days=1))
        .order_by(Activity.starts_at, Activity.id)
        .offset(page * size)
        .limit(size + 1)
    )
    rows = (await session.scalars(query)).unique().all()
    return rows[:size], len(rows) > size


async def people(session: AsyncSession, activity_id: int) -> Sequence[Signup]:
    """Everyone with a place or on the waitlist, in arrival order."""
    query = (
        select(Signup)
        .where(Signup.activity_id == activity_id, Signup.status != "cancelled")
        .order_by(*WAITLIST_ORDER)
    )
    return (await session.scalars(query)).unique().all()


def figures(signups: Sequence[Signup], activity: Activity, now: datetime) -> Figures:
    attended = sum(s.status == "attended" for s in signups)
    confirmed = sum(s.status == "confirmed" for s in signups)
    over = as_utc(activity.ends_at) <= now
    return Figures(
        confirmed=confirmed + attended,
        waitlisted=sum(s.status == "waitlisted" for s in signups),
        attended=attended,
        no_shows=confirmed if over else 0,
    )


async def check_in(
    session: AsyncSession,
    activity_id: int,
    *,
    signup_id: int | None = None,
    code: str | None = None,
) -> Signup | None:
    """Mark someone with a place as there (by their sign-up or the code on their card);
    a second tap on a name undoes it."""
    query = select(Signup).where(Signup.activity_id == activity_id)
    if signup_id is not None:
        query = query.where(Signup.id == signup_id)
    else:
        query = query.where(Signup.checkin_code == (code or "").strip())
    signup = (await session.scalars(query)).unique().one_or_none()
    if signup is None or signup.status not in ("confirmed", "attended"):
        return None
    if signup.status == "attended" and signup_id is not None:
        signup.status = "confirmed"
    else:
        signup.status = "attended"
    return signup


def attendees_csv(signups: Sequence[Signup]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["order", "first_name", "status", "checkin_code", "signed_up_at"])
    for order, s in enumerate(signups, start=1):
        writer.writerow(
            [
                order,
                s.display_name,
                s.status,
                s.checkin_code,
                as_utc(s.asked_at).isoformat(timespec="minutes"),
            ]
        )
    return out.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet apps read UTF-8


async def cancel_activity(session: AsyncSession, activity_id: int) -> list[Signup]:
    """Cancel the activity; return whoever had a place or waited, to be told."""
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.status == "cancelled":
        return []
    activity.status = "cancelled"
    told = [
        s for s in await people(session, activity_id) if s.status in ("confirmed", "waitlisted")
    ]
    for signup in told:  # reminders and notices already queued no longer make sense
        await delivery.withdraw(session, f"reminder:{signup.id}:")
        await delivery.withdraw(session, f"notice:{signup.id}:")
    return told


# -- drafts: a new activity or an edit, one answer at a time, kept in the database ------------

NEW_STEPS = ("hub", "title", "category", "start", "duration", "capacity", "description")


async def draft_of(session: AsyncSession, operator_id: int) -> Draft | None:
    return await session.get(Draft, operator_id)


async def start_draft(
    session: AsyncSession, operator_id: int, activity_id: int | None, step: str, language: str
) -> Draft:
    draft = await session.get(Draft, operator_id)
    if draft is None:
        draft = Draft(operator_id=operator_id)
        session.add(draft)
    draft.activity_id, draft.step, draft.data = activity_id, step, {"language": language}
    await session.flush()
    return draft


def parse_answer(step: str, text: str, zone: Any, now: datetime) -> Any:
    """The typed answer for a step as a value, or raise ValueError."""
    text = text.strip()
    if step in ("title", "description"):
        if not text or len(text) > (120 if step == "title" else 1000):
            raise ValueError(step)
        return text
    if step == "start":
        moment = _parse_local(text, zone)
        if moment <= now:
            raise ValueError(step)
        return moment.astimezone(UTC).isoformat()  # stored in UTC (SQLite keeps no offset)
    if step in ("duration", "capacity"):
        number = int(text)
        if not (1 <= number <= (24 * 60 if step == "duration" else 1000)):
            raise ValueError(step)
        return number
    raise ValueError(step)


def _parse_local(text: str, zone: Any) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%d/%m %H:%M"):
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if pattern == "%d/%m %H:%M":
            today = datetime.now(zone)
            moment = moment.replace(year=today.year)
            if moment.replace(tzinfo=zone) < today:
                moment = moment.replace(year=today.year + 1)
        return moment.replace(tzinfo=zone)
    raise ValueError("start")


async def finish_new(session: AsyncSession, draft: Draft, operator_id: int) -> Activity:
    data = draft.data
    start = datetime.fromisoformat(data["start"])
    activity = Activity(
        hub_id=int(data["hub"]),
        category=data["category"],
        starts_at=start,
        ends_at=start + timedelta(minutes=int(data["duration"])),
        capacity=int(data["capacity"]),
        min_age=14,
        max_age=35,
        languages=[data["language"]],
        accessible=False,
        created_by=operator_id,
    )
    activity.texts.append(
        ActivityText(
            language=data["language"], title=data["title"], description=data.get("description", "")
        )
    )
    session.add(activity)
    await session.delete(draft)
    await session.flush()
    return activity


async def apply_edit(
    session: AsyncSession, activity: Activity, field: str, value: Any, language: str
) -> None:
    """Change one field; a new time keeps the duration."""
    if field in ("title", "description"):
        text = next((t for t in activity.texts if t.language == language), None)
        if text is None:
            text = ActivityText(language=language, title=activity.texts[0].title, description="")
            activity.texts.append(text)
        setattr(text, field, value)
    elif field == "start":
        length = as_utc(activity.ends_at) - as_utc(activity.starts_at)
        activity.starts_at = datetime.fromisoformat(value)
        activity.ends_at = activity.starts_at + length
        for signup in await people(session, activity.id):  # reminders of the old time
            await delivery.withdraw(session, f"reminder:{signup.id}:")
    elif field == "duration":
        activity.ends_at = as_utc(activity.starts_at) + timedelta(minutes=int(value))
    elif field == "capacity":
        activity.capacity = int(value)
    await session.flush()


def valid_category(value: str) -> bool:
    return value in CATEGORIES
