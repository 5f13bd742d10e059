"""What runs before every handler: groups are ignored, the locale is picked once."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.i18n import Translator, negotiate
from bot.services import users
from handlers.common import PortaContext


async def private_only(update: Update, context: PortaContext) -> None:
    """Porta talks one to one: updates from groups and channels stop here, unanswered."""
    chat = update.effective_chat
    if update.callback_query is not None and chat is None:
        return
    if chat is None or chat.type != ChatType.PRIVATE:
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop


async def pick_locale(update: Update, context: PortaContext) -> None:
    """Choose the update's locale: the saved choice, else Telegram's, else the default."""
    person = update.effective_user
    if person is None:
        return
    telegram_locale = negotiate(person.language_code, context.settings.default_language)
    context.telegram_locale = telegram_locale
    context.t = Translator(telegram_locale, context.settings.zone)
    async with context.db() as session:
        user = await users.get(session, person.id)
    if user is not None and user.language:
        context.t = Translator(user.language, context.settings.zone)
    if user is not None and user.telegram_language != telegram_locale:
        async with context.db.begin() as session:
            await users.note_telegram_language(session, person.id, telegram_locale)
