"""/language and the language buttons: change the language at any time."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, SUPPORTED_LOCALES, Translator, native_name
from bot.services import users
from handlers.callbacks import Callback, pack
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import language_rows, main_menu
from handlers.screens import Screen, Shown, draw, frozen, replacing, screen, toast


async def language_command(update: Update, context: PortaContext) -> Shown:
    """Offer the nine languages."""
    return await ask_language(update, context)


@screen("language")
async def ask_language(update: Update, context: PortaContext) -> Shown:
    choices = [(name, pack("lang", code, "s")) for code, name in language_rows()]
    markup = buttons([choices[i : i + 3] for i in range(0, len(choices), 3)])
    return Screen(say(context.t, N_("Choose your language:")), markup, spoken=("language",))


async def chosen_language(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Save the language and carry on in it (the welcome is shown again in it)."""
    code, origin = data.arg(0), data.arg(1)
    if code not in SUPPORTED_LOCALES:
        return toast(say(context.t, STALE_BUTTON))
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        users.set_language(user, code)
    context.t = Translator(code, context.settings.zone)
    chosen = toast(f"✓ {native_name(code)}")
    if origin == "o" and user.step == "welcome":
        return [chosen, *replacing(await draw("welcome", update, context))]
    shown = [chosen, frozen(update, native_name(code))]
    if user.step != "done":
        return shown + await draw("onboarding.step", update, context, user)
    text = say(context.t, N_("Done! Language: {language}."), language=native_name(code))
    return [*shown, Screen(text, main_menu(context.t))]
