"""What every handler shares: the per-update context, replies in the user's language."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.db.session import SessionFactory
from bot.i18n import N_, Translator
from bot.updates import PerUserProcessor

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None

STALE_BUTTON = N_("This button is old. Please use the menu below.")
ALREADY_SAVED = N_("Already saved.")
NOT_FOUND = N_("I can't find this page. It may be over or moved. Use the menu below.")


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
        # The person asked for a voice note with every screen that informs.
        self.voice_always = False

    @property
    def settings(self) -> Settings:
        settings: Settings = self.bot_data["settings"]
        return settings

    @property
    def db(self) -> SessionFactory:
        db: SessionFactory = self.bot_data["db"]
        return db

    def arrived_at(self, update: Update) -> datetime:
        """When the update reached Porta (it may be handled later, behind others)."""
        processor = self.application.update_processor
        if isinstance(processor, PerUserProcessor):
            stamp = processor.arrived_at(update.update_id)
            if stamp is not None:
                return stamp
        return datetime.now(UTC)


# Typed answers of the forms: a phone number, and text over its limit.
PHONE = re.compile(r"^\+?[0-9][0-9 ./-]{5,22}$")
NOT_A_PHONE = N_(
    "This does not look like a phone number. Type only the number, like +39 333 1234567."
)
TOO_LONG = N_(
    "This is {count} characters long. The limit is {limit}. Please make it shorter and send it "
    "again."
)


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


async def answer(query: CallbackQuery | None, text: str | None = None, alert: bool = False) -> None:
    """Answer a callback query once; a second answer for the same query is harmless."""
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if "query is too old" not in error.message:
            raise


def ids(update: Update) -> tuple[int, int]:
    """The user's id and private chat id."""
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id
