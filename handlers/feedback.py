"""After an activity, "How was it?" to each person who came: five faces, then a few words if
they like (or skip); staff see the average, the count and the words in /manage, no names."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot import delivery, scheduler
from bot.config import Settings
from bot.db.session import SessionFactory
from bot.i18n import N_, Translator
from bot.services import catalog, feedback, reminders, users
from handlers.callbacks import Callback, pack
from handlers.cards import title_of
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import summary_line
from handlers.screens import Screen, Shown, replacing, screen, toast

log = logging.getLogger(__name__)

FACES = ("😞", "🙁", "😐", "🙂", "😄")  # scores 1 to 5
WAITING = "feedback:"  # users.awaiting while the words are expected: feedback:<id>
THANKS = N_("Thank you! 💚")


async def ask_due(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the question for everyone who came to an activity that ended lately (a JobQueue
    job; each person is asked once; nothing at night: it waits for the morning)."""
    settings: Settings = context.bot_data["settings"]
    db: SessionFactory = context.bot_data["db"]
    moment = datetime.now(UTC)
    goes = reminders.after_quiet_hours(moment, settings.zone)
    default, queued = settings.default_language, 0
    async with db.begin() as session:
        for signup, user in await feedback.due(session, moment):
            item = await feedback.ask(session, signup.activity_id, user.id, moment)
            t = Translator(users.locale_of(user, default), settings.zone)
            text = say(
                t,
                N_("💬 How was <b>{title}</b>? Tap a face."),
                title=title_of(t, signup.activity, default),
            )
            faces = [(face, pack("fb", "r", item.id, n)) for n, face in enumerate(FACES, 1)]
            row = await delivery.enqueue(
                session,
                user.chat_id,
                t.directed(text),
                kind="feedback",
                reply_markup=buttons([faces]).to_dict(),
                due_at=goes,
                dedupe_key=f"feedback:{item.id}",
                expires_at=goes + timedelta(hours=12),
            )
            queued += row is not None
    if queued:
        log.info("queued %s questions about activities", queued)
        scheduler.kick(context.application)


async def feedback_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """A face ("r", score) or "s" (no words, thanks)."""
    action, number, score = data.arg(0), data.arg(1), data.arg(2)
    if action not in ("r", "s") or not number.isdigit():
        return toast(say(context.t, STALE_BUTTON))
    user_id, _ = ids(update)
    t = context.t
    async with context.db.begin() as session:
        item = await feedback.mine(session, int(number), user_id)
        user = await users.get(session, user_id)
        if item is None or user is None:
            return toast(say(t, STALE_BUTTON))
        if action == "s":
            if user.awaiting == f"{WAITING}{item.id}":
                users.wait_for(user, None)
            return [toast(say(t, THANKS)), *replacing(Screen(say(t, THANKS)))]
        if not score.isdigit() or int(score) not in feedback.SCORES:
            return toast(say(t, STALE_BUTTON))
        feedback.rate(item, int(score), datetime.now(UTC))
        users.wait_for(user, f"{WAITING}{item.id}")
    log.info("user %s rated activity %s", user_id, item.activity_id)
    text = say(
        t,
        N_(
            "{face} Thank you!\nDo you want to add a few words? Write them here. "
            "The hub team reads them without your name."
        ),
        face=FACES[int(score) - 1],
    )
    skip = buttons([[(t.pgettext("button", "Skip"), pack("fb", "s", item.id))]])
    return [toast(say(t, THANKS)), *replacing(Screen(text, skip))]


async def take_comment(update: Update, context: PortaContext) -> Shown | bool:
    """Typed words after a face: kept with the answer, without the name."""
    assert update.message is not None and update.message.text is not None
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        waiting = user.awaiting if user is not None else None
        if user is None or not waiting or not waiting.startswith(WAITING):
            return False
        number = waiting.removeprefix(WAITING)
        item = await feedback.mine(session, int(number), user_id) if number.isdigit() else None
        if item is None:
            users.wait_for(user, None)
            return False
        if not feedback.comment(item, update.message.text):
            return Screen(
                say(
                    context.t,
                    N_("That is a bit long. Please write at most {limit} characters."),
                    limit=feedback.MAX_COMMENT,
                )
            )
        users.wait_for(user, None)
    log.info("user %s wrote about activity %s", user_id, item.activity_id)
    return Screen(say(context.t, N_("Thank you! The hub team will read it. 💚")))


@screen("staff.feedback")
async def feedback_screen(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """What the people who came said: the average face, how many, and their words."""
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
        found = await feedback.summary(session, activity_id)
    if activity is None:
        return Screen(say(context.t, STALE_BUTTON))
    t = context.t
    title = html.escape(title_of(t, activity, context.settings.default_language))
    text = f"💬 <b>{title}</b>\n{summary_line(t, found)}"
    for words in found.comments:
        line = f"\n• {html.escape(words)}"
        if len(text) + len(line) > 3900:  # Telegram takes 4,096 characters
            text += "\n" + say(t, N_("…and more."))
            break
        text += line
    back = buttons([[(t.pgettext("button", "⬅ Back"), pack("op", "v", activity_id))]])
    return Screen(text, back)
