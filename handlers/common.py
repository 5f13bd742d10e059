"""What every handler shares: the per-update context, replies in the user's language."""

from __future__ import annotations

import html
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.db.session import SessionFactory
from bot.i18n import Translator

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


class PortaContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context, carrying the locale picked once for the update."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self.t: Translator = Translator(self.settings.default_language, self.settings.zone)
        # The locale Telegram's language_code maps to, whatever the user chose.
        self.telegram_locale: str = self.settings.default_language

    @property
    def settings(self) -> Settings:
        settings: Settings = self.bot_data["settings"]
        return settings

    @property
    def db(self) -> SessionFactory:
        db: SessionFactory = self.bot_data["db"]
        return db


def say(t: Translator, message: str, **values: object) -> str:
    """Translate a whole sentence, then fill its named placeholders, HTML-escaped."""
    text = t(message)
    if values:
        text = text.format(**{k: html.escape(str(v)) for k, v in values.items()})
    return text


def buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def reply(update: Update, context: PortaContext, text: str, markup: Markup = None) -> Message:
    """Send a new message to the update's chat, laid out in the user's direction."""
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(chat.id, context.t.directed(text), reply_markup=markup)


async def show(
    update: Update, context: PortaContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the tapped message with a new screen (a new message if it cannot be edited)."""
    query = update.callback_query
    message = query.message if query else None
    if isinstance(message, Message) and message.text is not None:
        try:
            await message.edit_text(context.t.directed(text), reply_markup=markup)
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return
            if "not found" not in error.message and "can't be edited" not in error.message:
                raise
    await reply(update, context, text, markup)


async def answer(query: CallbackQuery | None, text: str | None = None, alert: bool = False) -> None:
    """Answer a callback query once; a second answer for the same query is harmless."""
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if "query is too old" not in error.message:
            raise


async def close_keyboard(
    query: CallbackQuery | None, context: PortaContext, note: str | None = None
) -> None:
    """Freeze a question once answered: keep its text, add the answer, drop its buttons."""
    if query is None or not isinstance(query.message, Message) or query.message.text is None:
        return
    try:
        if note is None:
            await query.message.edit_reply_markup(reply_markup=None)
            return
        text = f"{html.escape(query.message.text)}\n<b>✓ {html.escape(note)}</b>"
        await query.message.edit_text(context.t.directed(text), reply_markup=None)
    except BadRequest as error:
        if "not modified" not in error.message and "not found" not in error.message:
            raise
