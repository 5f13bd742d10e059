"""Screens: what to show, drawn by functions that make no Telegram call and are reached by
name, and the one helper that puts them on the phone.

A screen function takes the update, the context and its own arguments and returns what to
show: a `Screen` (text and keyboard, or a document, a venue, a photo), several of them, or
a toast answering the tapped button. A handler reaches another feature's screen with
`draw("activities.card", update, context, ...)`, never by importing the module that draws
it, so no handler module imports another.

`put` decides, once for the whole update, how that reaches the phone: the first screen
marked `replace` takes the place of the message whose button was tapped (an edit); an edit
that would change nothing is not sent, and Telegram's "message is not modified" counts as
done; a message that can no longer be edited is replaced by a new one. The tapped button
is answered exactly once, before anything is sent: with the toast the handler gave, or, when
the tap changes nothing on screen, with a short note saying so.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO
from typing import Any, TypeVar, get_type_hints

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest

from bot.i18n import N_, pN_
from bot.updates import Answers
from handlers.callbacks import Callback, number, pack
from handlers.common import Markup, PortaContext, answer, say

UNCHANGED = N_("✓ Already on your screen.")
LISTEN = pN_("button", "🔊 Listen")
# Telegram's words when an edit cannot be made: the message is gone, too old or not ours.
GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str


@dataclass(frozen=True)
class Venue:
    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class Screen:
    """One thing to show: a message (text, or the caption of a document or photo), a venue,
    or, with `toast`, the answer to the tapped button."""

    text: str = ""
    markup: Markup = None
    document: Document | None = None
    venue: Venue | None = None
    photo: str | None = None  # a Telegram file_id
    replace: bool = False  # in place of the message whose button was tapped
    keyboard_only: bool = False  # with replace: change only that message's buttons
    toast: bool = False
    alert: bool = False
    # A screen that informs names itself, (screen name, *arguments as text), to be read
    # aloud: 🔊 Listen under it sends it as a voice note (see handlers/voice.py).
    spoken: tuple[str, ...] | None = None
    # The part of `text` a recording by the team is tied to, when the rest changes by the
    # day (today's opening hours); None: all of it.
    steady: str | None = None

    @property
    def plain(self) -> bool:
        """A text message whose keyboard, if any, is inline: the only kind an edit can show."""
        inline = self.markup is None or isinstance(self.markup, InlineKeyboardMarkup)
        return inline and not (self.document or self.venue or self.photo)


Shown = Screen | Sequence[Screen] | None
ScreenFn = Callable[..., Awaitable[Shown]]
Action = Callable[[Update, PortaContext, Callback], Awaitable[Shown]]
Taker = Callable[[Update, PortaContext], Awaitable[Shown | bool]]
F = TypeVar("F", bound=ScreenFn)

_SCREENS: dict[str, ScreenFn] = {}


def screen(name: str) -> Callable[[F], F]:
    """Register a screen function under `name`."""

    def register(function: F) -> F:
        if name in _SCREENS and _SCREENS[name] is not function:
            raise ValueError(f"two screens are named {name!r}")
        _SCREENS[name] = function
        return function

    return register


def names() -> set[str]:
    return set(_SCREENS)


async def draw(name: str, update: Update, context: PortaContext, *args: Any) -> list[Screen]:
    """What the screen `name` shows for these arguments."""
    return listed(await _SCREENS[name](update, context, *args))


async def redraw(name: str, update: Update, context: PortaContext, raw: Sequence[str]) -> Shown:
    """The screen `name` again, from its arguments as text (a button's data): each is read
    by its annotation (a whole number, text, or a class with `parse`); None for a name or
    arguments that do not fit."""
    function = _SCREENS.get(name)
    if function is None:
        return None
    hints = [hint for key, hint in get_type_hints(function).items() if key != "return"][2:]
    if len(raw) != len(hints):
        return None
    args: list[Any] = []
    for text, hint in zip(raw, hints, strict=True):
        if hint is int:
            value: Any = number(text)
        elif hint is str:
            value = text
        else:
            value = getattr(hint, "parse", lambda _: None)(text)
        if value is None:
            return None
        args.append(value)
    return await function(update, context, *args)


def listed(shown: Shown) -> list[Screen]:
    if shown is None:
        return []
    return [shown] if isinstance(shown, Screen) else list(shown)


def replacing(shown: Shown) -> list[Screen]:
    """The same screens, the first message taking the place of the tapped one."""
    items = listed(shown)
    for index, item in enumerate(items):
        if not item.toast:
            items[index] = dataclasses.replace(item, replace=True)
            break
    return items


def toast(text: str, *, alert: bool = False) -> Screen:
    """The answer to the tapped button: a short note at the top of the chat, or a box."""
    return Screen(text=text, toast=True, alert=alert)


def tapped(update: Update) -> str | None:
    """The label of the button that was tapped, to keep under the question answered."""
    query = update.callback_query
    message = query.message if query else None
    markup = getattr(message, "reply_markup", None)
    for row in markup.inline_keyboard if markup else ():
        for item in row:
            if query is not None and item.callback_data == query.data:
                return str(item.text)
    return None


def frozen(update: Update, note: str | None = None) -> Screen:
    """The tapped question, answered: its text with ✓ `note` under it, and no buttons."""
    query = update.callback_query
    message = query.message if query else None
    if note is None or not isinstance(message, Message) or message.text is None:
        return Screen(replace=True, keyboard_only=True)
    text = f"{html.escape(message.text)}\n<b>✓ {html.escape(note)}</b>"
    return Screen(text=text, replace=True)


# -- putting screens on the phone ---------------------------------------------------------


async def put(update: Update, context: PortaContext, shown: Shown) -> list[Message]:
    """Show `shown` in the update's chat; answer the tapped button once. Returns what was sent
    or edited."""
    items = [with_listen(item, context) for item in listed(shown)]
    query = update.callback_query
    carrier = query.message if query and isinstance(query.message, Message) else None
    steps: list[tuple[Screen, bool]] = []
    edited = False
    for item in items:
        if item.toast:
            continue
        if item.replace and not edited and editable(carrier, item):
            edited = True
            assert carrier is not None
            if not unchanged(carrier, item, context):
                steps.append((item, True))
        elif not item.keyboard_only:
            steps.append((item, False))
    answers: Answers = context.bot_data["answers"]
    if query is not None and answers.claim(query.id):
        note = next((item for item in items if item.toast), None)
        if note is None and not steps:
            note = toast(say(context.t, UNCHANGED))
        await answer(query, note.text if note else None, alert=note.alert if note else False)
    done: list[Message] = []
    for item, edit in steps:
        if edit:
            assert carrier is not None
            result = await edit_in_place(carrier, item, context)
            if result is not None:
                done.append(result)
                continue
            if item.keyboard_only:
                continue
        done.append(await send(update, context, item))
    follow = context.bot_data.get("voice.follow")
    if follow is not None and context.voice_always:
        for item in items:
            if item.spoken and not item.toast and not item.keyboard_only:
                await follow(update, context, item)
    return done


def with_listen(item: Screen, context: PortaContext) -> Screen:
    """A screen that can be read aloud, with 🔊 Listen under it (when Porta has a voice)."""
    if not item.spoken or item.toast or context.bot_data.get("voice") is None:
        return item
    if item.markup is not None and not isinstance(item.markup, InlineKeyboardMarkup):
        return item
    try:
        data = pack("vo", "s", "n", *item.spoken)
    except ValueError:  # arguments too long for a button: no 🔊 rather than no screen
        return item
    rows = list(item.markup.inline_keyboard) if item.markup else []
    listen = InlineKeyboardButton(context.t.pgettext(*LISTEN), callback_data=data)
    if any(button.callback_data == data for row in rows for button in row):
        return item
    markup = InlineKeyboardMarkup([*rows, [listen]])
    return dataclasses.replace(item, markup=markup)


def editable(carrier: Message | None, item: Screen) -> bool:
    if carrier is None:
        return False
    if item.keyboard_only:
        return True
    return carrier.text is not None and item.plain


def unchanged(carrier: Message, item: Screen, context: PortaContext) -> bool:
    """Whether the tapped message already shows `item` (text as Telegram renders it)."""
    if keyboard(carrier.reply_markup) != keyboard(item.markup):
        return False
    if item.keyboard_only:
        return True
    shown = carrier.text or ""
    return rendered(context.t.directed(item.text)).strip() == shown.strip()


def keyboard(markup: object) -> list[Any] | None:
    if isinstance(markup, InlineKeyboardMarkup) and markup.inline_keyboard:
        rows: list[Any] = markup.to_dict()["inline_keyboard"]
        return rows
    return None


async def edit_in_place(carrier: Message, item: Screen, context: PortaContext) -> Message | None:
    """Edit the tapped message; None when it can no longer be edited."""
    markup = item.markup if isinstance(item.markup, InlineKeyboardMarkup) else None
    try:
        if item.keyboard_only:
            result = await carrier.edit_reply_markup(reply_markup=markup)
        else:
            result = await carrier.edit_text(context.t.directed(item.text), reply_markup=markup)
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason:
            return carrier
        if any(words in reason for words in GONE):
            return None
        raise
    return result if isinstance(result, Message) else carrier


async def send(update: Update, context: PortaContext, item: Screen) -> Message:
    chat = update.effective_chat
    assert chat is not None
    bot, markup = context.bot, item.markup
    caption = context.t.directed(item.text) if item.text else None
    if item.document is not None:
        upload = InputFile(BytesIO(item.document.content), filename=item.document.filename)
        return await bot.send_document(chat.id, upload, caption=caption, reply_markup=markup)
    if item.photo is not None:
        return await bot.send_photo(chat.id, item.photo, caption=caption, reply_markup=markup)
    if item.venue is not None:
        venue = item.venue
        return await bot.send_venue(
            chat.id, venue.latitude, venue.longitude, venue.title, venue.address
        )
    return await bot.send_message(chat.id, context.t.directed(item.text), reply_markup=markup)


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def rendered(text: str) -> str:
    """The text Telegram shows for `text` in HTML parse mode: tags gone, entities read."""
    parser = _Plain()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


# -- wiring: handlers of python-telegram-bot that show what a function returns ------------

Handler = Callable[[Update, PortaContext], Coroutine[Any, Any, None]]


def shows(function: Callable[[Update, PortaContext], Awaitable[Shown]]) -> Handler:
    """A command or message handler that puts on the phone what `function` returns."""

    async def handle(update: Update, context: PortaContext) -> None:
        await put(update, context, await function(update, context))

    handle.__doc__ = function.__doc__
    return handle


def first_taker(*takers: Taker) -> Handler:
    """A message handler that offers the message to each taker in turn (a form waiting for
    an answer, a menu button, ...); the first that takes it says what to show."""

    async def handle(update: Update, context: PortaContext) -> None:
        for take in takers:
            shown = await take(update, context)
            if shown is False:
                continue
            await put(update, context, None if shown is True else shown)
            return

    return handle
