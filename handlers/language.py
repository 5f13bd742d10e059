"""/language and the language buttons: change the language at any time."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, SUPPORTED_LOCALES, Translator, native_name
from bot.services import users
from handlers import onboarding
from handlers.callbacks import Callback, pack
from handlers.common import PortaContext, answer, buttons, close_keyboard, reply, say
from handlers.labels import language_rows, main_menu
from handlers.profile import STALE_BUTTON, ids


async def language_command(update: Update, context: PortaContext) -> None:
    """Offer the nine languages."""
    await ask_language(update, context)


async def ask_language(update: Update, context: PortaContext) -> None:
    choices = [(name, pack("lang", code, "s")) for code, name in language_rows()]
    markup = buttons([choices[i : i + 3] for i in range(0, len(choices), 3)])
    await reply(update, context, say(context.t, N_("Choose your language:")), markup)


async def chosen_language(update: Update, context: PortaContext, data: Callback) -> None:
    """Save the language and carry on in it."""
    code, origin = data.arg(0), data.arg(1)
    if code not in SUPPORTED_LOCALES:
        await answer(update.callback_query, say(context.t, STALE_BUTTON))
        return
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        users.set_language(user, code)
    context.t = Translator(code, context.settings.zone)
    await answer(update.callback_query)
    if origin == "o" and user.step == "welcome":
        await onboarding.refresh_welcome(update, context)
        return
    await close_keyboard(update.callback_query, context, native_name(code))
    if user.step != "done":
        await onboarding.show_step(update, context, user)
        return
    text = say(context.t, N_("Done! Language: {language}."), language=native_name(code))
    await reply(update, context, text, main_menu(context.t))
