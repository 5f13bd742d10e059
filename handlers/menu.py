"""The main menu under the message box, /menu and /help, and what a typed text gets when
no form is waiting for it."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from bot.services import users
from handlers.common import PortaContext, ids, say
from handlers.labels import main_menu, menu_action
from handlers.screens import Screen, Shown, draw, screen

HELP = N_(
    "❓ <b>Help</b>\n"
    "Use the buttons under the message box:\n"
    "🗓 Activities: what the hubs offer, and signing up.\n"
    "🏠 Housing: help to find a home.\n"
    "⭐ My things: your sign-ups.\n"
    "⚙️ Settings: language, reminders, your data.\n"
    "💬 Talk to a person: a youth worker answers.\n"
    "🆘 Nowhere to sleep tonight? Tap /sos.\n\n"
    "Commands: /start /menu /sos /language /privacy /mydata /deleteme /help"
)
# The main menu's buttons -> the screen each opens.
MENU_SCREENS = {
    "activities": "activities",
    "housing": "housing",
    "mine": "my_things",
    "settings": "settings",
    "person": "person",
    "ideas": "ideas.board",
    "offer": "offer.start",
    "help": "help",
}


def all_translators(context: PortaContext) -> dict[str, Translator]:
    cache: dict[str, Translator] | None = context.bot_data.get("translators")
    if cache is None:
        cache = {code: Translator(code, context.settings.zone) for code in SUPPORTED_LOCALES}
        context.bot_data["translators"] = cache
    return cache


async def menu_command(update: Update, context: PortaContext) -> Shown:
    """Show the main menu again."""
    return Screen(say(context.t, N_("Here is the menu.")), main_menu(context.t))


@screen("help")
async def help_screen(update: Update, context: PortaContext) -> Shown:
    """Explain the menu and the commands (with 🔊 Listen when Porta has a voice: the menu
    stays under the message box from before)."""
    voice = context.bot_data.get("voice") is not None
    menu = None if voice else main_menu(context.t)
    return Screen(say(context.t, HELP), menu, spoken=("help",))


async def menu_button(update: Update, context: PortaContext) -> Shown | bool:
    """A tapped main-menu button, in any language (an old keyboard may be on screen): it
    opens its screen, and whatever the bot was waiting for is dropped."""
    assert update.message is not None and update.message.text is not None
    action = menu_action(update.message.text, all_translators(context))
    if action is None:
        return False
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        if user is not None and user.awaiting:
            await users.stop_waiting(session, user_id)
    if user is None:  # an old keyboard, before /start
        return Screen(say(context.t, N_("Hello! Tap /start to begin.")))
    return await draw(MENU_SCREENS[action], update, context)
