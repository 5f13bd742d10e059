"""Settings: language, age group, neighbourhood, interests, notifications, privacy."""

from __future__ import annotations

from telegram import Update

from bot.db.models import User
from bot.i18n import N_, native_name
from bot.services import users
from handlers.callbacks import Callback, pack
from handlers.common import ALREADY_SAVED, STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import AGE_LABELS, INTEREST_LABELS, label
from handlers.screens import Screen, Shown, draw, frozen, listed, replacing, screen, toast

SETTINGS = N_(
    "⚙️ <b>Settings</b>\n"
    "Language: {language}\n"
    "Age group: {age}\n"
    "Neighbourhood: {neighbourhood}\n"
    "Interests: {interests}\n"
    "Reminders: {reminders}\n"
    "Announcements: {announcements}"
)
VOICE = N_("Voice notes with each screen: {state}")
ACTIONS = ("lang", "age", "nb", "int", "rem", "news", "voice", "data", "del", "consent")


@screen("settings")
async def settings_screen(update: Update, context: PortaContext, user: User | None = None) -> Shown:
    """The user's choices, with a button for each."""
    if user is None:
        async with context.db.begin() as session:
            user = await users.ensure(session, *ids(update))
    t = context.t
    on, off = t.pgettext("state", "on"), t.pgettext("state", "off")
    text = say(
        t,
        SETTINGS,
        language=native_name(t.locale),
        age=label(t, AGE_LABELS[user.age_band]) if user.age_band else "—",
        neighbourhood=user.neighbourhood or "—",
        interests=", ".join(label(t, INTEREST_LABELS[i]) for i in user.interests or []) or "—",
        reminders=on if user.notify_reminders else off,
        announcements=on if user.notify_announcements else off,
    )
    heard = context.bot_data.get("voice") is not None  # Porta has a voice on this machine
    if heard:
        text += "\n" + say(t, VOICE, state=on if user.voice_always else off)
    voice_row = [(t.pgettext("button", "🔊 Voice notes on/off"), pack("set", "voice"))]
    markup = buttons(
        [
            [
                (t.pgettext("button", "🌐 Language"), pack("set", "lang")),
                (t.pgettext("button", "🎂 Age group"), pack("set", "age")),
            ],
            [
                (t.pgettext("button", "📍 Neighbourhood"), pack("set", "nb")),
                (t.pgettext("button", "❤️ Interests"), pack("set", "int")),
            ],
            [
                (t.pgettext("button", "⏰ Reminders on/off"), pack("set", "rem")),
                (t.pgettext("button", "📣 Announcements on/off"), pack("set", "news")),
            ],
            *([voice_row] if heard else []),
            [
                (t.pgettext("button", "📄 My data"), pack("set", "data")),
                (t.pgettext("button", "🗑 Delete my data"), pack("set", "del")),
            ],
        ]
    )
    return Screen(text, markup)


async def settings_command(update: Update, context: PortaContext) -> Shown:
    """Show the settings."""
    return await settings_screen(update, context)


async def settings_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Open one setting from the settings screen."""
    action = data.arg(0)
    if action not in ACTIONS:
        return toast(say(context.t, STALE_BUTTON))
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if action == "rem":
            users.set_notifications(user, reminders=not user.notify_reminders)
        elif action == "news":
            users.set_notifications(user, news=not user.notify_announcements)
        elif action == "voice":
            user.voice_always = not user.voice_always
        elif action == "nb" and user.step == "done" and users.may_store_personal_data(user):
            users.wait_for(user, "neighbourhood")
    if action == "voice":
        context.voice_always = user.voice_always
    if action in ("rem", "news", "voice"):
        return replacing(await settings_screen(update, context, user))
    if action == "lang":
        return await draw("language", update, context)
    if action == "age":
        return await draw("profile.age", update, context, "s")
    if action == "data":
        return await draw("privacy.mydata", update, context)
    if action == "del":
        return await draw("privacy.deleteme", update, context)
    if user.step != "done":
        return await draw("onboarding.step", update, context, user)
    if not users.may_store_personal_data(user):
        return await draw("notice", update, context, "s")
    if action == "nb":
        return await draw("profile.neighbourhood", update, context, "s")
    return await draw("profile.interests", update, context, user, "s")


async def consent_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Record consent given later, from settings."""
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if user.step == users.GUARDIAN or user.consent_at is not None:
            return toast(say(context.t, ALREADY_SAVED))
        users.record_consent(user)
    answered = frozen(update, context.t.pgettext("button", "✅ I agree"))
    return [answered, *listed(await settings_screen(update, context, user))]
