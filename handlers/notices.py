"""Messages Porta sends on its own about someone's activity, in that person's language."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot import delivery, scheduler
from bot.db.models import Activity, Signup
from bot.i18n import N_, Translator
from bot.services import cases, catalog, ideas, users
from handlers.callbacks import pack
from handlers.cards import Where, title_of, when
from handlers.common import PortaContext, buttons, say

log = logging.getLogger(__name__)


async def tell(
    context: PortaContext, signup: Signup, message: str, *, card_button: bool = False
) -> None:
    """Queue `message` (with {title} and {when}) for the person behind `signup`, in the
    outbox: it goes out at Telegram's pace and survives a restart."""
    async with context.db() as session:
        person = await users.get(session, signup.user_id)
        activity = await catalog.get_activity(session, signup.activity_id)
    if person is None or activity is None:
        return
    default = context.settings.default_language
    t = Translator(users.locale_of(person, default), context.settings.zone)
    text = say(t, message, title=title_of(t, activity, default), when=when(t, activity.starts_at))
    markup = None
    if card_button:
        label = t.pgettext("button", "See the activity")
        markup = buttons([[(label, pack("ac", "c", activity.id, "my..0"))]])
    # Keyed by the sign-up, so that giving the place up withdraws it; no use once it started.
    key = f"notice:{signup.id}:{secrets.token_hex(6)}"
    await send_later(
        context, person.chat_id, t.directed(text), markup, key=key, until=activity.starts_at
    )


async def send_later(
    context: PortaContext,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    key: str | None = None,
    until: datetime | None = None,
) -> None:
    """Put a message in the outbox and wake the sender."""
    async with context.db.begin() as session:
        await delivery.enqueue(
            session,
            chat_id,
            text,
            kind="notice",
            reply_markup=markup.to_dict() if markup else None,
            dedupe_key=key,
            expires_at=until,
        )
    scheduler.kick(context.application)


async def tell_promoted(context: PortaContext, promoted: Signup) -> None:
    """Tell the first on the waitlist, in their language, that a place is theirs."""
    message = N_("🎉 Good news! A place is free for you: {title}, {when}. See you there!")
    await tell(context, promoted, message, card_button=True)
    log.info(
        "user %s moved up from the waitlist of activity %s", promoted.user_id, promoted.activity_id
    )


IDEA_MADE = N_(
    "🎉 The idea “{idea}” is now an activity: {title}, {when}, at {hub}. Tap to sign up."
)


IDEA_DONE = N_("✅ This idea is now an activity. I told its backers and its proposer ({count}).")


async def tell_backers(
    context: PortaContext, session: AsyncSession, idea_id: int, activity: Activity
) -> int:
    """An idea became `activity`: everyone who backed it, and its proposer, get one message
    in their language with a one-tap sign-up, through the outbox (once each, whatever
    happens); the idea leaves the moderation queue. How many were told."""
    idea = await ideas.get(session, idea_id)
    if idea is None:
        return 0
    idea.status, idea.activity_id = "activity", activity.id
    people = await ideas.people_of(session, idea)
    default = context.settings.default_language
    hub = await catalog.get_hub(session, activity.hub_id)
    for person in people:
        t = Translator(users.locale_of(person, default), context.settings.zone)
        text = say(t, IDEA_MADE, idea=idea.title, title=title_of(t, activity, default),
                   when=when(t, activity.starts_at), hub=hub.name if hub else "")  # fmt: skip
        join = (
            t.pgettext("button", "✅ Sign up"),
            pack("sg", "j", activity.id, Where("none").token()),
        )
        await delivery.enqueue(
            session, person.chat_id, t.directed(text), kind="notice",
            reply_markup=buttons([[join]]).to_dict(),
            dedupe_key=f"idea:{idea.id}:activity:{person.id}", expires_at=activity.starts_at,
        )  # fmt: skip
    case = await ideas.case_of(session, idea)
    if case is not None and case.status != "closed":
        t = Translator(default, context.settings.zone)
        await cases.note_in_topic(session, case, say(t, IDEA_DONE, count=len(people)))
        await cases.set_status(session, case, "closed", None)
        await cases.topic_call(session, case, "closeForumTopic")
    scheduler.kick(context.application)
    log.info("idea %s became activity %s; %s people told", idea.id, activity.id, len(people))
    return len(people)
