"""The team's own voice for the pages people hear most. In /manage, 🎙 Voices lists the
welcome, help, the emergency screen and each programme page; a page shows, per language, the
team's recording (✅), the automatic voice (🤖) or a recording whose text has changed since
(⚠️). "🎙 Record" and then a voice note makes it that page's voice in that language."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from babel import Locale
from telegram import Message, Update

from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from bot.services import manage, programmes, voice
from bot.voice import speech
from bot.voice.desk import Note
from handlers.callbacks import Callback, pack
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.gate import not_staff
from handlers.screens import Screen, Shown, listed, redraw, replacing, screen, toast
from handlers.voice import note_of

log = logging.getLogger(__name__)

STEP = "v:rec"
FIXED = ("welcome", "help", "emergency")
BIGGEST = 1024 * 1024  # bytes: Telegram shows no waveform for a bigger voice note
RECORDED, AUTOMATIC, OUT_OF_DATE = "✅", "🤖", "⚠️"
PAGES = N_(
    "🎙 <b>Voices of the pages</b>\n"
    "When someone taps 🔊, they hear the team's recording if there is one. If not, they hear "
    "the automatic voice.\n"
    "✅ recorded · ⚠️ the text changed, record it again · 🤖 automatic voice"
)
PAGE = N_("🎙 <b>{page}</b>\nTap a language to record this page in it.")
RECORD = N_(
    "🎙 Record a voice note in {language}: hold the microphone button and read the text "
    "below. Then send it here."
)
SAVED = N_("✅ Saved. People who tap 🔊 on this page in {language} now hear your voice.")
NOT_A_VOICE_NOTE = N_(
    "Please send a voice note: hold the microphone button in Telegram. Music files, "
    "documents and photos cannot be used."
)
TOO_BIG = N_("This voice note is too long (over 1 MB). Please record a shorter one.")
STOPPED = N_("Stopped. Nothing was recorded.")


def language_name(t: Translator, code: str) -> str:
    """A language's name in the staff member's own language."""
    return Locale.parse(code).get_display_name(t.locale) or code


@contextmanager
def speaking(context: PortaContext, language: str) -> Iterator[None]:
    """Draw screens in `language` for a while (to read them as someone of that language)."""
    saved = context.t
    context.t = Translator(language, context.settings.zone)
    try:
        yield
    finally:
        context.t = saved


async def page_in(update: Update, context: PortaContext, page: str) -> Screen | None:
    """The spoken screen of `page` ("help", "housing.page:3") in the current language."""
    name, *args = page.split(":")
    if name not in FIXED and name != "housing.page":
        return None
    return next((i for i in listed(await redraw(name, update, context, args)) if i.spoken), None)


async def note_in(update: Update, context: PortaContext, page: str, language: str) -> Note | None:
    with speaking(context, language):
        item = await page_in(update, context, page)
        return note_of(context, item) if item is not None else None


async def states(update: Update, context: PortaContext, page: str) -> dict[str, str]:
    """✅, ⚠️ or 🤖 for each of the nine languages of `page`."""
    async with context.db() as session:
        found = {r.language: r for r in await voice.recordings(session, [page])}
    marks = {}
    for language in SUPPORTED_LOCALES:
        recording = found.get(language)
        if recording is None:
            marks[language] = AUTOMATIC
            continue
        note = await note_in(update, context, page, language)
        fresh = note is not None and note.text_key == recording.text_key
        marks[language] = RECORDED if fresh else OUT_OF_DATE
    return marks


@screen("voice.pages")
async def pages_screen(update: Update, context: PortaContext) -> Shown:
    """Every page the team may record, each with how many languages are recorded."""
    async with context.db() as session:
        shown = [*FIXED, *(f"housing.page:{p.id}" for p in await programmes.housing(session))]
        shown += [
            f"housing.page:{p.id}"
            for p in await programmes.emergency(session)
            if p.kind == "service" and f"housing.page:{p.id}" not in shown
        ]
    rows = []
    for page in shown:
        item = await page_in(update, context, page)
        if item is None:
            continue
        marks = await states(update, context, page)
        tally = " ".join(
            f"{mark}{sum(m == mark for m in marks.values())}"
            for mark in (RECORDED, OUT_OF_DATE)
            if mark in marks.values()
        )
        label = f"{speech.title_of(item.text)[:44]} {tally}".strip()
        rows.append([(label, pack("vr", "p", page))])
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("op", "l", 0))])
    return Screen(say(context.t, PAGES), buttons(rows))


@screen("voice.page")
async def page_screen(update: Update, context: PortaContext, page: str) -> Shown:
    """One page: its nine languages, each marked and each a button to record it."""
    t = context.t
    item = await page_in(update, context, page)
    if item is None:
        return toast(say(t, STALE_BUTTON))
    marks = await states(update, context, page)
    rows = [
        [(f"{marks[code]} {language_name(t, code)}", pack("vr", "r", code, page))]
        for code in SUPPORTED_LOCALES
    ]
    rows.append([(t.pgettext("button", "⬅ Back"), pack("vr", "l"))])
    return Screen(say(t, PAGE, page=speech.title_of(item.text)), buttons(rows))


async def start_recording(update: Update, context: PortaContext, page: str, language: str) -> Shown:
    """Wait for a voice note reading `page` in `language`; show the text to read."""
    t = context.t
    with speaking(context, language):
        item = await page_in(update, context, page)
    if item is None or language not in SUPPORTED_LOCALES:
        return toast(say(t, STALE_BUTTON))
    async with context.db.begin() as session:
        draft = await manage.start_draft(session, ids(update)[0], None, STEP, t.locale)
        draft.data = {**draft.data, "page": page, "voice": language}
    stop = buttons([[(t.pgettext("button", "✖️ Stop"), pack("vr", "x", page))]])
    prompt = say(t, RECORD, language=language_name(t, language))
    return [Screen(prompt), Screen(item.steady or item.text, stop)]


async def voice_staff_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """The buttons of 🎙 Voices; staff only."""
    if refused := await not_staff(update, context):
        return refused
    action = data.arg(0)
    if action == "l":
        return replacing(await pages_screen(update, context))
    if action == "p":
        return replacing(await page_screen(update, context, ":".join(data.args[1:])))
    if action == "r":
        return await start_recording(update, context, ":".join(data.args[2:]), data.arg(1))
    if action == "x":
        async with context.db.begin() as session:
            draft = await manage.draft_of(session, ids(update)[0])
            if draft is not None and draft.step == STEP:
                await session.delete(draft)
        return [toast(say(context.t, STOPPED)), Screen(say(context.t, STOPPED), replace=True)]
    return toast(say(context.t, STALE_BUTTON))


async def take_recording(update: Update, context: PortaContext) -> Shown | bool:
    """Whatever staff send while a recording is awaited: a voice note is kept as the page's
    voice; anything else is refused, saying what is needed, and nothing changes."""
    message = update.message
    if message is None or update.effective_user is None:
        return False
    async with context.db() as session:
        draft = await manage.draft_of(session, update.effective_user.id)
    if draft is None or draft.step != STEP:
        return False
    if await not_staff(update, context):
        return False  # the role was taken away meanwhile: the message goes on as anyone's
    t = context.t
    page, language = str(draft.data.get("page", "")), str(draft.data.get("voice", ""))
    stop = buttons([[(t.pgettext("button", "✖️ Stop"), pack("vr", "x", page))]])
    refused = refusal(message)
    if refused is not None:
        return Screen(say(t, refused), stop)
    assert message.voice is not None
    note = await note_in(update, context, page, language)
    if note is None:
        return Screen(say(t, STALE_BUTTON))
    async with context.db.begin() as session:
        await voice.record(
            session,
            page,
            language,
            text_key=note.text_key,
            file_id=message.voice.file_id,
            seconds=seconds_of(message.voice.duration),
            by=update.effective_user.id,
        )
        fresh = await manage.draft_of(session, update.effective_user.id)
        if fresh is not None and fresh.step == STEP:
            await session.delete(fresh)
    log.info("operator %s recorded %s in %s", update.effective_user.id, page, language)
    saved = Screen(say(t, SAVED, language=language_name(t, language)))
    return [saved, *listed(await page_screen(update, context, page))]


def seconds_of(duration: int | timedelta | None) -> int:
    if isinstance(duration, timedelta):
        return int(duration.total_seconds())
    return int(duration or 0)


def refusal(message: Message) -> str | None:
    """Why `message` cannot be a page's voice, or None when it can."""
    if message.voice is None:
        return NOT_A_VOICE_NOTE
    if (message.voice.file_size or 0) > BIGGEST:
        return TOO_BIG
    return None
