"""Messages Porta sends on its own about someone's activity, in that person's language."""

from __future__ import annotations

from telegram.error import Forbidden

from bot.db.models import Signup
from bot.i18n import Translator
from bot.services import catalog, users
from handlers.callbacks import pack
from handlers.cards import title_of, when
from handlers.common import PortaContext, buttons, say


async def tell(
    context: PortaContext, signup: Signup, message: str, *, card_button: bool = False
) -> None:
    """Send `message` (with {title} and {when}) to the person behind `signup`.

    A person who blocked the bot is marked as such; nothing else is tried.
    """
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
    try:
        await context.bot.send_message(person.chat_id, t.directed(text), reply_markup=markup)
    except Forbidden:
        async with context.db.begin() as session:
            await users.mark_blocked(session, person.id)
