"""Reminders before an activity, in the person's language, with "I'll be there" and "I can't
come" (which frees the place for the waitlist)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot import delivery, scheduler
from bot.config import Settings
from bot.db.session import SessionFactory
from bot.i18n import N_, Translator
from bot.services import reminders, signups, users
from handlers import notices
from handlers.callbacks import Callback, pack
from handlers.cards import title_of, when
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.screens import Shown, frozen, toast

log = logging.getLogger(__name__)


async def plan(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the reminders that have come due (a JobQueue job; safe to run any time)."""
    settings: Settings = context.bot_data["settings"]
    db: SessionFactory = context.bot_data["db"]
    queued = 0
    async with db.begin() as session:
        for item in await reminders.due(
            session, settings.reminder_hours, settings.zone, datetime.now(UTC)
        ):
            default = settings.default_language
            t = Translator(users.locale_of(item.user, default), settings.zone)
            activity = item.signup.activity
            text = say(
                t,
                N_("⏰ <b>Reminder</b>: {title}\n🗓 {when}\n📍 {place}"),
                title=title_of(t, activity, default),
                when=when(t, activity.starts_at),
                place=f"{activity.hub.name}, {activity.hub.address}",
            )
            markup = buttons(
                [
                    [(t.pgettext("button", "👍 I'll be there"), pack("rm", "y", item.signup.id))],
                    [(t.pgettext("button", "❌ I can't come"), pack("rm", "n", item.signup.id))],
                ]
            )
            row = await delivery.enqueue(
                session,
                item.user.chat_id,
                t.directed(text),
                kind="reminder",
                reply_markup=markup.to_dict(),
                dedupe_key=item.key,
                expires_at=activity.starts_at,
            )
            queued += row is not None
    if queued:
        log.info("queued %s reminders", queued)
        scheduler.kick(context.application)


async def reminder_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Confirm ("y") or give up ("n") the place a reminder is about."""
    choice, number = data.arg(0), data.arg(1)
    if choice not in ("y", "n") or not number.isdigit():
        return toast(say(context.t, STALE_BUTTON))
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        mine = {s.id: s for s in await signups.of_user(session, user_id)}.get(int(number))
        if mine is None or mine.status != "confirmed":
            return toast(say(context.t, STALE_BUTTON))
        promoted = None
        if choice == "n":
            _, promoted = await signups.cancel(
                session, user_id, mine.activity_id, datetime.now(UTC)
            )
    t = context.t
    if choice == "y":
        return [
            toast(say(t, N_("Great, see you there!"))),
            frozen(update, t.pgettext("button", "👍 I'll be there")),
        ]
    log.info("user %s gave up a place at activity %s from a reminder", user_id, mine.activity_id)
    if promoted is not None:
        await notices.tell_promoted(context, promoted)
    return [
        toast(say(t, N_("Your place is cancelled."))),
        frozen(update, t.pgettext("button", "❌ I can't come")),
    ]
