"""Nothing a young person sends is ignored. Text typed outside a form: an emergency word in
any of the nine languages brings the emergency screen first; otherwise the activities its
words name. A voice note, photo, document or sticker: an answer that says it was seen. Always
"💬 Send this to a youth worker", which opens or continues a conversation with that very
message copied into the team's topic (handlers.person)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, Translator
from bot.services import catalog, users, words
from handlers.callbacks import pack
from handlers.cards import Where, list_label, now
from handlers.casecard import sos_button
from handlers.common import PortaContext, buttons, ids, say
from handlers.screens import Screen, Shown, draw

FOUND = N_("I found activities that may fit your words:")
NOTHING = N_("I have no button for that. A youth worker can read your message and answer you here.")
EMERGENCY_TOO = N_("A youth worker can read your message too, and answer you here.")
MEDIA = N_("📎 Got it. A youth worker can see it and answer you here, in this chat.")
SHOWN = 5  # activities at most


def forward_button(t: Translator, message_id: int) -> tuple[str, str]:
    return t.pgettext("button", "💬 Send this to a youth worker"), pack("ps", "fwd", message_id)


async def take_free_text(update: Update, context: PortaContext) -> Shown:
    """Typed text no form was waiting for."""
    message = update.message
    assert message is not None and message.text is not None
    t = context.t
    if words.is_emergency(message.text):
        offer = Screen(say(t, EMERGENCY_TOO), buttons([[forward_button(t, message.message_id)]]))
        return [*await draw("emergency", update, context), offer]
    async with context.db() as session:
        user = await users.get(session, ids(update)[0])
    if user is not None and user.step not in ("done", users.GUARDIAN):
        return await draw("onboarding.step", update, context, user)
    # Under-14s waiting for a guardian's consent cannot sign up: a person, and help.
    waiting = user is not None and user.step == users.GUARDIAN
    found = [] if waiting else await matches(context, message.text)
    rows = [[(label, data)] for label, data in found]
    text = say(t, FOUND) if rows else say(t, NOTHING)
    rows += [[forward_button(t, message.message_id)], [sos_button(t)]]
    shown = [Screen(text, buttons(rows))]
    if user is None:
        shown.append(Screen(say(t, N_("Hello! Tap /start to begin."))))
    return shown


async def matches(context: PortaContext, text: str) -> list[tuple[str, str]]:
    """Buttons for the coming activities the text's words name, each once, at most SHOWN."""
    t, default = context.t, context.settings.default_language
    found: dict[int, tuple[str, str]] = {}
    async with context.db() as session:
        for word in words.search_words(text):
            page = await catalog.find(
                session,
                catalog.Filter("search", word[:24]),
                user=None,
                locale=t.locale,
                default=default,
                zone=context.settings.zone,
                now=now(),
                page=0,
            )
            for activity in page.activities:
                card = pack("ac", "c", activity.id, Where("none").token())
                found.setdefault(activity.id, (list_label(t, activity, default), card))
            if len(found) >= SHOWN:
                break
    return list(found.values())[:SHOWN]


async def take_media(update: Update, context: PortaContext) -> Shown:
    """A voice note, photo, document or sticker outside a form and outside a conversation."""
    message = update.message
    assert message is not None
    t = context.t
    rows = [[forward_button(t, message.message_id)], [sos_button(t)]]
    return Screen(say(t, MEDIA), buttons(rows))
