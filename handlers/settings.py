"""Settings: language, age group, neighbourhood, interests, notifications, privacy."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import User
from bot.i18n import N_, native_name
from bot.services import users
from handlers import language, onboarding, privacy, profile
from handlers.callbacks import Callback, pack
from handlers.common import PortaContext, answer, buttons, reply, say, show
from handlers.labels import AGE_LABELS, INTEREST_LABELS, label

SETTINGS = N_(
    "⚙️ <b>Settings</b>\n"
    "Language: {language}\n"
    "Age group: {age}\n"
    "Neighbourhood: {neighbourhood}\n"
    "Interests: {interests}\n"
    "Reminders: {reminders}\n"
    "Announcements: {announcements}"
)


def settings_screen(context: PortaContext, user: User) -> tuple[str, InlineKeyboardMarkup]:
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
            [
                (t.pgettext("button", "📄 My data"), pack("set", "data")),
                (t.pgettext("button", "🗑 Delete my data"), pack("set", "del")),
            ],
        ]
    )
    return text, markup


async def show_settings(update: Update, context: PortaContext, user: User | None = None) -> None:
    """Show the settings screen (as a new message when opened from the menu)."""
    if user is None:
        async with context.db.begin() as session:
            user = await users.ensure(session, *profile.ids(update))
    text, markup = settings_screen(context, user)
    query = update.callback_query
    if query and query.data and query.data.startswith("set:"):
        await show(update, context, text, markup)
    else:
        await reply(update, context, text, markup)


async def settings_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Open one setting from the settings screen."""
    action = data.arg(0)
    query = update.callback_query
    if action not in ("lang", "age", "nb", "int", "rem", "news", "data", "del", "consent"):
        await answer(query, say(context.t, profile.STALE_BUTTON))
        return
    async with context.db.begin() as session:
        user = await users.ensure(session, *profile.ids(update))
        if action == "rem":
            users.set_notifications(user, reminders=not user.notify_reminders)
        elif action == "news":
            users.set_notifications(user, news=not user.notify_announcements)
        elif action == "nb" and user.step == "done" and users.may_store_personal_data(user):
            users.wait_for(user, "neighbourhood")
    await answer(query)
    if action in ("rem", "news"):
        await show_settings(update, context, user)
    elif action == "lang":
        await language.ask_language(update, context)
    elif action == "age":
        await profile.ask_age(update, context, "s")
    elif action == "data":
        await privacy.mydata(update, context)
    elif action == "del":
        await privacy.deleteme(update, context)
    elif user.step != "done":
        await onboarding.show_step(update, context, user)
    elif not users.may_store_personal_data(user):
        await ask_consent(update, context)
    elif action == "nb":
        await profile.ask_neighbourhood(update, context, "s")
    else:
        await profile.ask_interests(update, context, user, "s")


async def ask_consent(update: Update, context: PortaContext) -> None:
    """For someone who said no to the notice: offer it again."""
    markup = buttons(
        [
            [(context.t.pgettext("button", "✅ I agree"), pack("consent", "yes"))],
            [(context.t.pgettext("button", "📄 Read the full text"), pack("ob", "full"))],
        ]
    )
    await reply(update, context, say(context.t, onboarding.NOTICE), markup)


async def consent_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Record consent given later, from settings."""
    async with context.db.begin() as session:
        user = await users.ensure(session, *profile.ids(update))
        if user.step == users.GUARDIAN or user.consent_at is not None:
            await answer(update.callback_query, say(context.t, profile.ALREADY_SAVED))
            return
        users.record_consent(user)
    await answer(update.callback_query)
    await show_settings(update, context, user)
