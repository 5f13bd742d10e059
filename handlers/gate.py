"""What runs before every handler: groups are ignored, the locale is picked once, and staff
commands and buttons are refused to anyone without the role."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.i18n import N_, Translator, negotiate
from bot.services import operators, users
from handlers.callbacks import unpack
from handlers.common import PortaContext, ids, say
from handlers.screens import Screen, put, toast

log = logging.getLogger(__name__)

# Command -> the role it needs. An admin may do everything an operator may.
OPERATOR_COMMANDS = {
    "ops": "operator",
    "guardian": "operator",
    "stats": "operator",
    "manage": "operator",
    "newactivity": "operator",
    "broadcast": "operator",
    "broadcasts": "operator",
    "operators": "admin",
    "report": "admin",
}
STAFF_ONLY = N_("Sorry, this command is only for hub staff.")
GROUP_BUTTONS = ("cs", "qr", "is")  # kinds of callback data that work in staff groups


async def private_only(update: Update, context: PortaContext) -> None:
    """Porta talks one to one: updates from groups and channels stop here, unanswered,
    except the buttons of case cards in staff supergroups (their handlers check the case
    and the role of the one who tapped)."""
    chat = update.effective_chat
    query = update.callback_query
    if query is not None and chat is None:
        return
    if query is not None and chat is not None and chat.type == ChatType.SUPERGROUP:
        data = unpack(query.data)
        if data is not None and data.kind in GROUP_BUTTONS:
            return
    if chat is None or chat.type != ChatType.PRIVATE:
        if query is not None and context.bot_data["answers"].claim(query.id):
            await query.answer()
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
    context.voice_always = user is not None and user.voice_always
    if user is not None and user.telegram_language != telegram_locale:
        async with context.db.begin() as session:
            await users.note_telegram_language(session, person.id, telegram_locale)


async def staff_commands(update: Update, context: PortaContext) -> None:
    """Stop operator commands from anyone who lacks the role, with a polite answer."""
    assert update.message is not None and update.message.text is not None
    command = update.message.text.split()[0].lstrip("/").split("@")[0].lower()
    needed = OPERATOR_COMMANDS.get(command)
    if needed is None:
        return
    user_id, _ = ids(update)
    async with context.db() as session:
        role = await operators.role_of(session, user_id)
    if role == "admin" or role == needed:
        return
    log.info("refused /%s to user %s", command, user_id)
    await put(update, context, Screen(say(context.t, STAFF_ONLY)))
    raise ApplicationHandlerStop


async def not_staff(
    update: Update, context: PortaContext, roles: tuple[str, ...] = ("operator", "admin")
) -> Screen | None:
    """For staff buttons: None for staff with one of `roles`; for anyone else, the polite
    answer to show."""
    async with context.db() as session:
        role = await operators.role_of(session, ids(update)[0])
    allowed = role in roles
    return None if allowed else toast(say(context.t, STAFF_ONLY), alert=True)
