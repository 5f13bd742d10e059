"""The main menu under the message box, /menu and /help."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from bot.services import users
from handlers import activities, broadcasts, onboarding, settings, signup, staff_form
from handlers.common import PortaContext, reply, say
from handlers.labels import main_menu, menu_action
from handlers.profile import ids, save_neighbourhood

HELP = N_(
    "❓ <b>Help</b>\n"
    "Use the buttons under the message box:\n"
    "🗓 Activities: what the hubs offer, and signing up.\n"
    "🏠 Housing: help to find a home.\n"
    "⭐ My things: your sign-ups.\n"
    "⚙️ Settings: language, reminders, your data.\n"
    "💬 Talk to a person: a youth worker answers.\n\n"
    "Commands: /start /menu /language /privacy /mydata /deleteme /help"
)


def all_translators(context: PortaContext) -> dict[str, Translator]:
    cache: dict[str, Translator] | None = context.bot_data.get("translators")
    if cache is None:
        cache = {code: Translator(code, context.settings.zone) for code in SUPPORTED_LOCALES}
        context.bot_data["translators"] = cache
    return cache


async def menu_command(update: Update, context: PortaContext) -> None:
    """Show the main menu again."""
    await reply(update, context, say(context.t, N_("Here is the menu.")), main_menu(context.t))


async def help_command(update: Update, context: PortaContext) -> None:
    """Explain the menu and the commands."""
    await reply(update, context, say(context.t, HELP), main_menu(context.t))


async def text_message(update: Update, context: PortaContext) -> None:
    """A typed text: a menu button, an answer the bot waits for, or something it can't read."""
    assert update.message is not None and update.message.text is not None
    text = update.message.text
    action = menu_action(text, all_translators(context))
    if action is None and await staff_form.take_text(update, context, text):
        return
    if action is None and await broadcasts.take_message(update, context):
        return
    user_id, _ = ids(update)
    async with context.db() as session:
        user = await users.get(session, user_id)
    if action is None and user is not None:
        if user.step == "neighbourhood":
            await save_neighbourhood(update, context, text, "o")
            return
        if user.awaiting == "neighbourhood":
            await save_neighbourhood(update, context, text, "s")
            return
        if user.awaiting == "search":
            await activities.search_text(update, context, text)
            return
    if action is not None and user is not None and user.awaiting:
        async with context.db.begin() as session:
            await users.stop_waiting(session, user_id)
    if user is None:
        text = say(context.t, N_("Hello! Tap /start to begin."))
        await reply(update, context, text)
        return
    if action is None:
        if user.step != "done":
            await onboarding.show_step(update, context, user)
            return
        text = say(context.t, N_("Sorry, I did not understand. Please use the buttons below."))
        await reply(update, context, text, main_menu(context.t))
        return
    await MENU_ACTIONS[action](update, context)


async def housing(update: Update, context: PortaContext) -> None:
    text = say(
        context.t,
        N_(
            "🏠 The housing service helps young people find a home: flats at a fair rent, "
            "living together with others, and support to live on your own.\n\n"
            "To ask, call {contact} or visit your hub."
        ),
        contact=context.settings.hub_contact,
    )
    await reply(update, context, text)


async def talk_to_person(update: Update, context: PortaContext) -> None:
    text = say(
        context.t,
        N_(
            "💬 A youth worker can help you. Call or write on WhatsApp: {contact}. "
            "Or visit your hub when it is open."
        ),
        contact=context.settings.hub_contact,
    )
    await reply(update, context, text)


async def open_settings(update: Update, context: PortaContext) -> None:
    await settings.show_settings(update, context)


async def my_things(update: Update, context: PortaContext) -> None:
    await signup.my_things(update, context)


MENU_ACTIONS = {
    "activities": activities.activities_menu,
    "housing": housing,
    "mine": my_things,
    "settings": open_settings,
    "person": talk_to_person,
    "help": help_command,
}
