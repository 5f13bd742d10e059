"""Hubs and activities: finding them, in pages, and their texts in the user's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, ActivityText, Hub, Signup, User

CATEGORIES = ("training", "culture", "school", "work", "civic", "sport", "language")
PAGE_SIZE = 8
HORIZON = timedelta(weeks=4)
# Age groups as ranges of years, to compare with an activity's age range.
AGE_RANGES = {
    "u14": (0, 13),
    "14_17": (14, 17),
    "18_24": (18, 24),
    "25_35": (25, 35),
    "o35": (36, 120),
}
TAKING_PLACES = ("confirmed", "attended")


@dataclass(frozen=True)
class Page:
    activities: Sequence[Activity]
    number: int
    has_next: bool


@dataclass(frozen=True)
class Filter:
    """Which activities a list shows: kind is today, week, mine, hub, category, access or search."""

    kind: str
    arg: str = ""


def text_for(activity: Activity, locale: str, default: str) -> ActivityText:
    """The activity's text in `locale`, else in the default language, else any there is."""
    by_language = {text.language: text for text in activity.texts}
    return by_language.get(locale) or by_language.get(default) or activity.texts[0]


def fits_age(activity: Activity, age_band: str | None) -> bool:
    if age_band is None:
        return True
    low, high = AGE_RANGES[age_band]
    return low <= activity.max_age and activity.min_age <= high


def is_open(activity: Activity, now: datetime) -> bool:
    """Whether people can still sign up: scheduled and not yet started."""
    return activity.status == "scheduled" and as_utc(activity.starts_at) > now


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; Porta stores UTC everywhere."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def get_activity(session: AsyncSession, activity_id: int) -> Activity | None:
    return await session.get(Activity, activity_id)


async def get_hub(session: AsyncSession, hub_id: int) -> Hub | None:
    return await session.get(Hub, hub_id)


async def hubs(session: AsyncSession) -> Sequence[Hub]:
    return (await session.scalars(select(Hub).order_by(Hub.name))).all()


def _upcoming(now: datetime) -> Select[Activity]:
    return (
        select(Activity)
        .where(Activity.status == "scheduled", Activity.starts_at > now)
        .where(Activity.starts_at < now + HORIZON)
        .order_by(Activity.starts_at, Activity.id)
    )


async def find(
    session: AsyncSession,
    wanted: Filter,
    *,
    user: User | None,
    locale: str,
    default: str,
    zone: ZoneInfo,
    now: datetime,
    page: int = 0,
) -> Page:
    """One page of upcoming, scheduled activities that match `wanted`."""
    query = _upcoming(now)
    if wanted.kind == "today":
        local_midnight = datetime.combine(
            now.astimezone(zone).date() + timedelta(days=1), time(), zone
        )
        query = query.where(Activity.starts_at < local_midnight.astimezone(UTC))
    elif wanted.kind == "week":
        query = query.where(Activity.starts_at < now + timedelta(days=7))
    elif wanted.kind == "hub":
        query = query.where(Activity.hub_id == int(wanted.arg or 0))
    elif wanted.kind == "category":
        query = query.where(Activity.category == wanted.arg)
    elif wanted.kind == "access":
        query = query.where(Activity.accessible.is_(True))
    elif wanted.kind == "search":
        pattern = f"%{wanted.arg.strip().lower()}%"
        texts = select(ActivityText.activity_id).where(
            ActivityText.language.in_({locale, default}),
            or_(
                func.lower(ActivityText.title).like(pattern),
                func.lower(ActivityText.description).like(pattern),
            ),
        )
        query = query.where(Activity.id.in_(texts))
    elif wanted.kind == "mine" and user is not None:
        if user.interests:
            query = query.where(Activity.category.in_(user.interests))
        if user.age_band is not None:
            low, high = AGE_RANGES[user.age_band]
            query = query.where(Activity.max_age >= low, Activity.min_age <= high)
    # The page and one more (to know whether there is a next page), in SQL: the cost does not
    # grow with the number of activities.
    query = query.offset(max(page, 0) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    rows = list((await session.scalars(query)).unique().all())
    return Page(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


async def counts(session: AsyncSession, activity_id: int) -> tuple[int, int]:
    """(people with a place, people on the waitlist)."""
    rows = await session.execute(
        select(Signup.status, func.count())
        .where(Signup.activity_id == activity_id)
        .group_by(Signup.status)
    )
    by_status: dict[str, int] = {status: count for status, count in rows.all()}
    taken = sum(by_status.get(s, 0) for s in TAKING_PLACES)
    return taken, by_status.get("waitlisted", 0)
