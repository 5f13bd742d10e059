"""Announcements: who receives them, what each person reads, and how far the sending got."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import delivery
from bot.db.models import Activity, Broadcast, OutboxMessage, Signup, User
from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from bot.services import users
from bot.services.catalog import CATEGORIES

KINDS = ("all", "hub", "neighbourhood", "language", "interest", "activity")
# Room left for the line that says, in the reader's language, that this is an announcement.
MAX_TEXT, MAX_CAPTION = 3800, 900
ANNOUNCEMENT = N_("📣 An announcement from the hubs:")


def parse_audience(audience: str) -> tuple[str, str]:
    """ "hub:3" -> ("hub", "3"); raise ValueError for anything else."""
    kind, _, arg = audience.partition(":")
    if kind not in KINDS or (kind == "all") == bool(arg):
        raise ValueError(audience)
    if kind in ("hub", "activity") and not arg.isdigit():
        raise ValueError(audience)
    if (kind == "language" and arg not in SUPPORTED_LOCALES) or (
        kind == "interest" and arg not in (*CATEGORIES, "housing")
    ):
        raise ValueError(audience)
    return kind, arg


async def recipients(session: AsyncSession, audience: str, default: str) -> Sequence[User]:
    """Everyone in the audience who takes announcements and has not blocked the bot."""
    kind, arg = parse_audience(audience)
    query = select(User).where(
        User.notify_announcements.is_(True),
        User.blocked_at.is_(None),
        User.step.in_(("done", users.GUARDIAN)),
    )
    if kind == "neighbourhood":
        query = query.where(User.neighbourhood == arg)
    elif kind in ("hub", "activity"):
        people = select(Signup.user_id).join(Activity).where(Signup.status != "cancelled")
        if kind == "hub":
            people = people.where(Activity.hub_id == int(arg))
        else:
            people = people.where(Activity.id == int(arg))
        query = query.where(User.id.in_(people))
    found = (await session.scalars(query.order_by(User.id))).all()
    if kind == "language":
        return [u for u in found if users.locale_of(u, default) == arg]
    if kind == "interest":
        return [u for u in found if arg in (u.interests or [])]
    return found


def text_for(broadcast: Broadcast, locale: str, t: Translator) -> str:
    """The reader's own text if the author wrote one, else the author's with a line saying,
    in the reader's language, that it is an announcement from the hubs."""
    own = broadcast.texts.get(locale)
    if own:
        return html.escape(own)
    base = html.escape(broadcast.texts[broadcast.base_language])
    return f"{t(ANNOUNCEMENT)}\n\n{base}"


async def expand(session: AsyncSession, broadcast: Broadcast, default: str, zone: object) -> int:
    """Turn the broadcast into one outbox row per recipient (once: rows have keys)."""
    people = await recipients(session, broadcast.audience, default)
    for person in people:
        locale = users.locale_of(person, default)
        t = Translator(locale, zone)  # type: ignore[arg-type]
        row = await delivery.enqueue(
            session,
            person.chat_id,
            t.directed(text_for(broadcast, locale, t)),
            kind="broadcast",
            dedupe_key=f"broadcast:{broadcast.id}:{person.id}",
        )
        if row is not None:
            row.broadcast_id, row.photo = broadcast.id, broadcast.photo
    broadcast.total, broadcast.status = len(people), "sending"
    await session.flush()
    return len(people)


async def due(session: AsyncSession, now: datetime) -> Sequence[Broadcast]:
    """Scheduled broadcasts whose time has come, locked so that one process expands each."""
    query = (
        select(Broadcast)
        .where(Broadcast.status == "scheduled", Broadcast.scheduled_at <= now)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


async def update_progress(session: AsyncSession, broadcast: Broadcast, now: datetime) -> bool:
    """Count what went out; True when the figures changed. Done when nothing is left."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast.id)
        .group_by(OutboxMessage.status)
    )
    counts: dict[str, int] = {status: count for status, count in rows.all()}
    before = (broadcast.sent, broadcast.blocked, broadcast.failed, broadcast.status)
    withdrawn = broadcast.withdrawn
    broadcast.sent = counts.get("sent", 0)
    broadcast.blocked = counts.get("blocked", 0)
    broadcast.failed = counts.get("failed", 0) + counts.get("cancelled", 0)
    broadcast.withdrawn = counts.get("withdrawn", 0)
    if not counts.get("pending") and not counts.get("sending"):
        broadcast.status, broadcast.finished_at = "done", now
    after = (broadcast.sent, broadcast.blocked, broadcast.failed, broadcast.status)
    return before != after or broadcast.withdrawn != withdrawn


async def active(session: AsyncSession) -> Sequence[Broadcast]:
    return (await session.scalars(select(Broadcast).where(Broadcast.status == "sending"))).all()


async def recent(session: AsyncSession, limit: int = 10) -> Sequence[Broadcast]:
    query = select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)
    return (await session.scalars(query)).all()
