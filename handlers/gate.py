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
    async with context.db() as session:
        user = await users.get(session, person.id)
    default = context.settings.default_language
    locale = (user.language if user else None) or negotiate(person.language_code, default)
    context.t = Translator(locale, context.settings.zone)
