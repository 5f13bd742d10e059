"""Messages Porta sends on its own about someone's activity, in that person's language."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot import delivery, scheduler
from bot.db.models import Signup
from bot.i18n import N_, Translator
from bot.services import catalog, users
from handlers.callbacks import pack
from handlers.cards import title_of, when
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
