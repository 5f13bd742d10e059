"""/start: greet, pick the language, ask the age group, take consent, then the optional
neighbourhood and interests. The step lives in the database, so a restart loses nothing."""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import User
from bot.i18n import N_, Translator
from bot.services import users
from handlers import links, privacy, profile
from handlers.callbacks import Callback, pack
from handlers.common import PortaContext, answer, buttons, close_keyboard, reply, say, show
from handlers.labels import language_rows, main_menu

DEEP_LINK = re.compile(r"^[ah][0-9]{1,9}$")
WELCOME = N_(
    "👋 Hello! I am Porta, the bot of the youth hubs. {organisation} runs me.\n\n"
    "Here you can find activities, ask about housing and get reminders.\n\n"
    "Choose your language, then tap Continue."
)
NOTICE = N_(
    "🔒 <b>Your privacy, in short</b>\n"
    "• I save your language, your age group, the choices you make here and, when you sign "
    "up, your first name.\n"
    "• Only the hub team can see them. We never sell them.\n"
    "• See your data with /mydata. Delete it with /deleteme.\n\n"
    "Do you agree?"
)


def welcome_keyboard(t: Translator) -> InlineKeyboardMarkup:
    languages = [(name, pack("lang", code, "o")) for code, name in language_rows()]
    rows = [languages[i : i + 3] for i in range(0, len(languages), 3)]
    rows.append([(t.pgettext("button", "Continue ▶"), pack("ob", "go"))])
    return buttons(rows)


def notice_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return buttons(
        [
            [(t.pgettext("button", "✅ I agree"), pack("ob", "agree"))],
            [(t.pgettext("button", "📄 Read the full text"), pack("ob", "full"))],
            [(t.pgettext("button", "No, thanks"), pack("ob", "no"))],
        ]
    )


def welcome_text(context: PortaContext) -> str:
    return say(context.t, WELCOME, organisation=context.settings.organisation)


async def start(update: Update, context: PortaContext) -> None:
    """Greet a new user, pick up an unfinished onboarding, or welcome someone back."""
    payload = context.args[0] if context.args else None
    link = payload if payload and DEEP_LINK.match(payload) else None
    async with context.db.begin() as session:
        user = await users.ensure(session, *profile.ids(update), context.telegram_locale)
        finished = user.step in ("done", users.GUARDIAN)  # under-14s browse meanwhile
        if link and not finished:
            user.pending_link = link
    if finished:
        text = say(context.t, N_("Welcome back! Use the menu below."))
        await reply(update, context, text, main_menu(context.t))
        if link:
            await links.open_link(update, context, link)
        return
    await show_step(update, context, user)


async def show_step(update: Update, context: PortaContext, user: User) -> None:
    """Ask the question of the step the user is at."""
    if user.step == "welcome":
        await reply(update, context, welcome_text(context), welcome_keyboard(context.t))
    elif user.step == "age":
        await profile.ask_age(update, context, "o")
    elif user.step == "consent":
        await reply(update, context, say(context.t, NOTICE), notice_keyboard(context.t))
    elif user.step == "neighbourhood":
        await profile.ask_neighbourhood(update, context, "o")
    elif user.step == "interests":
        await profile.ask_interests(update, context, user, "o")
    elif user.step == users.GUARDIAN:
        await profile.guardian_needed(update, context, user.guardian_code)


async def next_step(update: Update, context: PortaContext, user: User) -> None:
    """After an answer: ask the next question, or finish."""
    if user.step == users.GUARDIAN:
        await profile.guardian_needed(update, context, user.guardian_code)
    elif user.step == "done":
        await finished(update, context, None)
    else:
        await show_step(update, context, user)


async def finished(update: Update, context: PortaContext, link: str | None) -> None:
    text = say(
        context.t,
        N_("🎉 All set! Use the menu below. You can change your choices in Settings."),
    )
    await reply(update, context, text, main_menu(context.t))
    if link:
        await links.open_link(update, context, link)


async def onboarding_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Continue after the welcome, agree or not to the privacy notice, or read it in full."""
    action = data.arg(0)
    if action == "full":
        await answer(update.callback_query)
        await privacy.send_full_notice(update, context)
        return
    expected = {"go": "welcome", "agree": "consent", "no": "consent"}.get(action)
    if expected is None:
        await answer(update.callback_query, say(context.t, profile.STALE_BUTTON))
        return
    async with context.db.begin() as session:
        user = await users.ensure(session, *profile.ids(update))
        if user.step != expected:
            await answer(update.callback_query, say(context.t, profile.ALREADY_SAVED))
            return
        if action == "go":
            user.step = "age"
        elif action == "agree":
            users.record_consent(user)
        else:
            user.age_band = None
            link = users.finish_onboarding(user)
    await answer(update.callback_query)
    if action == "go":
        await close_keyboard(update.callback_query, context)
        await next_step(update, context, user)
    elif action == "agree":
        await close_keyboard(
            update.callback_query, context, context.t.pgettext("button", "✅ I agree")
        )
        await next_step(update, context, user)
    else:
        await close_keyboard(
            update.callback_query, context, context.t.pgettext("button", "No, thanks")
        )
        text = say(
            context.t,
            N_(
                "OK. I will not save anything more about you. You can still look at the "
                "activities. If you change your mind, go to Settings."
            ),
        )
        await reply(update, context, text, main_menu(context.t))
        if link:
            await links.open_link(update, context, link)


async def refresh_welcome(update: Update, context: PortaContext) -> None:
    """Show the welcome again in the language just picked."""
    await show(update, context, welcome_text(context), welcome_keyboard(context.t))
