"""When reminders are due. The schedule is the sign-ups themselves: a periodic scan finds the
reminders that have come due and queues them in the outbox (once each, by key), so nothing
depends on timers kept in memory, and a cancelled sign-up or activity is simply not reminded.

Offsets of a day or more count calendar days (the day before, at the same local time, also
across a daylight-saving change); shorter offsets count hours. No reminder goes out between
22:00 and 08:00 local time: it waits for 08:00, unless the activity itself is that early.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, Signup, User
from bot.services.catalog import as_utc

QUIET_START, QUIET_END = time(22, 0), time(8, 0)
MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class DueReminder:
    signup: Signup
    user: User
    hours: int
    key: str


def is_quiet(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone).time()
    return local >= QUIET_START or local < QUIET_END


def after_quiet_hours(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment`, or 08:00 local time after it when it falls in the quiet hours."""
    if not is_quiet(moment, zone):
        return moment
    local = moment.astimezone(zone)
    morning = datetime.combine(local.date(), QUIET_END, zone)
    if local.time() >= QUIET_START:
        morning += timedelta(days=1)
    return morning.replace(tzinfo=zone).astimezone(moment.tzinfo)


def due_at(starts_at: datetime, hours: int, zone: ZoneInfo) -> datetime:
    """When the reminder `hours` before `starts_at` goes out, quiet hours considered."""
    start = as_utc(starts_at)
    if hours >= 24 and hours % 24 == 0:
        local = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=hours // 24)
        moment = local.replace(tzinfo=zone).astimezone(start.tzinfo)
    else:
        moment = start - timedelta(hours=hours)
    morning = after_quiet_hours(moment, zone)
    # An activity that early is reminded at the planned time, night or not.
    return morning if morning <= start - MARGIN else moment


async def due(
    session: AsyncSession, offsets: Sequence[int], zone: ZoneInfo, now: datetime
) -> list[DueReminder]:
    """Reminders that have come due: for confirmed places at scheduled activities still
    ahead, for people who want reminders and have not blocked the bot. Only the nearest due
    offset counts (no "tomorrow" once it is "in two hours"), and none that fell due before
    the person had their place."""
    horizon = now + timedelta(hours=max(offsets) + 24)
    query = (
        select(Signup, User)
        .join(Activity, Signup.activity_id == Activity.id)
        .join(User, Signup.user_id == User.id)
        .where(Signup.status == "confirmed", Activity.status == "scheduled")
        .where(Activity.starts_at > now, Activity.starts_at <= horizon)
        .where(User.notify_reminders.is_(True), User.blocked_at.is_(None))
    )
    found = []
    for signup, user in (await session.execute(query)).all():
        starts = as_utc(signup.activity.starts_at)
        placed = as_utc(signup.updated_at)
        passed = [h for h in offsets if due_at(starts, h, zone) <= now]
        if not passed:
            continue
        hours = min(passed)
        if due_at(starts, hours, zone) < placed - timedelta(minutes=1):
            continue
        key = f"reminder:{signup.id}:{hours}:{starts.isoformat()}"
        found.append(DueReminder(signup, user, hours, key))
    return found
