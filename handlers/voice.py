"""🔊 Listen: a screen read aloud as a voice note in the person's language, with 🐢 Slower,
🔁 Again and "Did you understand?" under it; and, for those who asked, a voice note with
every screen that informs. Any screen that names itself (`Screen.spoken`) can be heard: its
note is read from the message the person tapped, or, for a page the team may record (tied
to its steady words) and under a voice note, from the screen drawn again by name."""

from __future__ import annotations

import html
from datetime import date, datetime

from telegram import InlineKeyboardMarkup, Message, Update

from bot.i18n import N_, Translator
from bot.services import users, voice
from bot.voice import speech
from bot.voice.desk import Counted, Desk, Note
from bot.voice.engine import NORMAL_RATE, SLOW_RATE
from handlers.callbacks import Callback, pack
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.screens import Screen, Shown, listed, redraw, toast

RATES = {"n": NORMAL_RATE, "s": SLOW_RATE}
# Pages the team may record in their own voice (the screen name; a programme by its id).
RECORDABLE = ("welcome", "help", "emergency", "housing.page")
AUTOMATIC = N_("🤖 Automatic voice")
HUMAN = N_("🎙 Read by the team")
NOTHING = N_("There is nothing to read on this screen.")
COMING = N_("🔊 The voice note is on its way.")
THANKS = N_("Thank you! This helps us make Porta clearer.")
FROM_NOW = N_("From now on I also send a voice note with each screen. You can stop it in Settings.")
MULTILINGUAL = ("welcome", "language")  # screens read first in each of the nine languages


def today(context: PortaContext) -> date:
    return datetime.now(context.settings.zone).date()


def page_of(spoken: tuple[str, ...]) -> str | None:
    name, args = spoken[0], spoken[1:]
    if name not in RECORDABLE:
        return None
    return ":".join((name, *args))


def note_of(context: PortaContext, item: Screen) -> Note:
    """What `item` says aloud, in the person's language (after the nine languages' "tap here
    for ..." on the first screen)."""
    assert item.spoken is not None
    t = context.t
    choices = []
    for row in item.markup.inline_keyboard if item.markup is not None else ():  # type: ignore[union-attr]
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else ""
            if not data.startswith(("vo:", "lang:")):
                choices.append(str(button.text))
    phones = [context.settings.emergency_number]
    text = speech.screen_text(t, item.text, choices, phones)
    parts: list[tuple[str, str]] = []
    if item.spoken[0] in MULTILINGUAL:
        parts = speech.languages_intro(context.settings.zone)
    parts.append((t.locale, text))
    words = speech.screen_text(t, item.steady, choices, phones) if item.steady else text
    return Note(parts, t.locale, page_of(item.spoken), words)


def keyboard(t: Translator, speed: str, spoken: tuple[str, ...]) -> object:
    rows = [
        [
            (t.pgettext("button", "🐢 Slower"), pack("vo", "s", "s", *spoken)),
            (t.pgettext("button", "🔁 Again"), pack("vo", "s", speed, *spoken)),
        ],
        [
            (t.pgettext("button", "👍 I understood"), pack("vo", "u", "yes", spoken[0])),
            (t.pgettext("button", "👎 Not really"), pack("vo", "u", "no", spoken[0])),
        ],
    ]
    return buttons(rows)


async def speak(update: Update, context: PortaContext, item: Screen, speed: str = "n") -> None:
    """Send `item` as a voice note to the chat of the update, soon: the note is made and
    sent beside the update's handling, so that a note that waits its turn in the speech
    process holds none of the workers other people's taps need."""
    if context.bot_data.get("voice") is not None and item.spoken is not None:
        context.application.create_task(send_note(update, context, item, speed), update=update)


async def send_note(update: Update, context: PortaContext, item: Screen, speed: str) -> None:
    desk: Desk | None = context.bot_data.get("voice")
    chat = update.effective_chat
    if desk is None or chat is None or item.spoken is None:
        return
    t = context.t
    title = speech.title_of(item.text)
    note = note_of(context, item)
    await desk.send(
        context.bot,
        chat.id,
        note,
        rate=RATES[speed],
        caption=t.directed(f"🔊 {title}\n{t(AUTOMATIC)}"),
        human_caption=t.directed(f"🔊 {title}\n{t(HUMAN)}"),
        markup=keyboard(t, speed, item.spoken),  # type: ignore[arg-type]
        counted=Counted(item.spoken[0], today(context)),
    )


def as_shown(update: Update, spoken: tuple[str, ...]) -> Screen | None:
    """The screen as the person sees it, read from the tapped message itself: nothing to
    draw again (50 people tapping 🔊 at once cost the others no database turns). Not for a
    page the team may record (its note is tied to its steady words), nor for the buttons
    under a voice note (the message is the note, not the screen)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if page_of(spoken) is not None or not isinstance(message, Message) or not message.text:
        return None
    markup = message.reply_markup
    return Screen(html.escape(message.text, quote=False), markup, spoken=spoken)


async def voice_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """🔊 Listen, 🐢 Slower, 🔁 Again, and the answer to "Did you understand?"."""
    t = context.t
    if data.arg(0) == "u":
        answer, screen_name = data.arg(1), data.arg(2)
        if answer not in ("yes", "no") or not screen_name:
            return toast(say(t, STALE_BUTTON))
        async with context.db.begin() as session:
            await voice.count(session, screen_name[:40], t.locale, answer, today(context))
        query = update.callback_query
        message = query.message if query else None
        markup = getattr(message, "reply_markup", None)
        rows = list(markup.inline_keyboard[:1]) if markup else []
        kept = Screen(markup=InlineKeyboardMarkup(rows), replace=True, keyboard_only=True)
        return [toast(say(t, THANKS)), kept]
    speed, name, raw = data.arg(1), data.arg(2), data.args[3:]
    if data.arg(0) != "s" or speed not in RATES or context.bot_data.get("voice") is None:
        return toast(say(t, STALE_BUTTON))
    item = as_shown(update, (name, *raw))
    if item is None:
        item = next((i for i in listed(await redraw(name, update, context, raw)) if i.spoken), None)
    if item is None:
        return toast(say(t, NOTHING))
    query = update.callback_query
    if query is not None and context.bot_data["answers"].claim(query.id):
        await query.answer(say(t, COMING))  # at once: the note may take a moment to make
    if name in MULTILINGUAL and update.effective_user is not None:
        async with context.db.begin() as session:  # someone who listens first: voice always
            user = await users.ensure(session, *ids(update))
            first = not user.voice_always
            user.voice_always = True
        context.voice_always = True
        if first:
            item = Screen(f"{item.text}\n\n{say(t, FROM_NOW)}", item.markup, spoken=item.spoken)
    await speak(update, context, item, speed)
    return None
