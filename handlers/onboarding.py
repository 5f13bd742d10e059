"""/start: greet, pick the language, ask the age group, take consent, then the optional
neighbourhood and interests. The step lives in the database, so a restart loses nothing."""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import User
from bot.i18n import N_, Translator
from bot.services import users
from handlers.callbacks import Callback, pack
from handlers.casecard import sos_button
from handlers.common import ALREADY_SAVED, STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import language_rows, main_menu
from handlers.screens import Screen, Shown, draw, frozen, screen, toast

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


def welcome_keyboard(t: Translator, voice: bool = False) -> InlineKeyboardMarkup:
    languages = [(name, pack("lang", code, "o")) for code, name in language_rows()]
    rows = [languages[i : i + 3] for i in range(0, len(languages), 3)]
    if voice:  # next to the languages, before anything must be read: each one, spoken
        rows.append([("🔊 🌐", pack("vo", "s", "n", "welcome"))])
    rows.append([(t.pgettext("button", "Continue ▶"), pack("ob", "go"))])
    rows.append([sos_button(t)])
    return buttons(rows)


@screen("welcome")
async def welcome(update: Update, context: PortaContext) -> Shown:
    """The first screen: who Porta is, the nine languages and Continue."""
    text = say(context.t, WELCOME, organisation=context.settings.organisation)
    voice = context.bot_data.get("voice") is not None
    return Screen(text, welcome_keyboard(context.t, voice), spoken=("welcome",))


@screen("notice")
async def notice(update: Update, context: PortaContext, origin: str) -> Shown:
    """The short privacy notice: during onboarding ("o") with "No, thanks", or offered
    again from settings ("s") to someone who said no."""
    t = context.t
    agree = pack("ob", "agree") if origin == "o" else pack("consent", "yes")
    rows = [
        [(t.pgettext("button", "✅ I agree"), agree)],
        [(t.pgettext("button", "📄 Read the full text"), pack("ob", "full"))],
    ]
    if origin == "o":
        rows.append([(t.pgettext("button", "No, thanks"), pack("ob", "no"))])
    return Screen(say(t, NOTICE), buttons(rows), spoken=("notice", origin))


async def start(update: Update, context: PortaContext) -> Shown:
    """Greet a new user, pick up an unfinished onboarding, or welcome someone back."""
    payload = context.args[0] if context.args else None
    link = payload if payload and DEEP_LINK.match(payload) else None
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update), context.telegram_locale)
        finished = user.step in ("done", users.GUARDIAN)  # under-14s browse meanwhile
        if link and not finished:
            user.pending_link = link
    if not finished:
        return await draw("onboarding.step", update, context, user)
    if link:  # someone who knows Porta, from a poster: the page itself, in one message
        return await draw("link", update, context, link)
    return Screen(say(context.t, N_("Welcome back! Use the menu below.")), main_menu(context.t))


@screen("onboarding.step")
async def step(update: Update, context: PortaContext, user: User) -> Shown:
    """The question of the step the user is at."""
    if user.step == "welcome":
        return await draw("welcome", update, context)
    if user.step == "age":
        return await draw("profile.age", update, context, "o")
    if user.step == "consent":
        return await draw("notice", update, context, "o")
    if user.step == "neighbourhood":
        return await draw("profile.neighbourhood", update, context, "o")
    if user.step == "interests":
        return await draw("profile.interests", update, context, user, "o")
    if user.step == users.GUARDIAN:
        return await draw("guardian", update, context, user.guardian_code)
    return await draw("onboarding.finished", update, context, None)


@screen("onboarding.finished")
async def finished(update: Update, context: PortaContext, link: str | None) -> Shown:
    """The end of onboarding: the main menu, then the page a poster's link named."""
    text = say(
        context.t,
        N_("🎉 All set! Use the menu below. You can change your choices in Settings."),
    )
    shown = [Screen(text, main_menu(context.t))]
    if link:
        shown += await draw("link", update, context, link)
    return shown


async def onboarding_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Continue after the welcome, agree or not to the privacy notice, or read it in full."""
    action = data.arg(0)
    if action == "full":
        return await draw("privacy.full", update, context)
    expected = {"go": "welcome", "agree": "consent", "no": "consent"}.get(action)
    if expected is None:
        return toast(say(context.t, STALE_BUTTON))
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if user.step != expected:
            return toast(say(context.t, ALREADY_SAVED))
        if action == "go":
            user.step = "age"
        elif action == "agree":
            users.record_consent(user)
        else:
            user.age_band = None
            link = users.finish_onboarding(user)
    t = context.t
    if action == "go":
        return [frozen(update), *await draw("onboarding.step", update, context, user)]
    if action == "agree":
        answered = frozen(update, t.pgettext("button", "✅ I agree"))
        return [answered, *await draw("onboarding.step", update, context, user)]
    text = say(
        t,
        N_(
            "OK. I will not save anything more about you. You can still look at the "
            "activities. If you change your mind, go to Settings."
        ),
    )
    shown = [frozen(update, t.pgettext("button", "No, thanks")), Screen(text, main_menu(t))]
    if link:
        shown += await draw("link", update, context, link)
    return shown
