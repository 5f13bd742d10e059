"""The profile questions, asked during onboarding and again from settings: age group,
neighbourhood and interests. Origin "o" is onboarding, "s" is settings."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import User
from bot.i18n import N_, Translator
from bot.services import users
from handlers.callbacks import Callback, pack
from handlers.common import PortaContext, answer, buttons, close_keyboard, reply, say, show
from handlers.labels import AGE_LABELS, INTEREST_LABELS, label, main_menu

ASK_AGE = N_("How old are you?")
ASK_NEIGHBOURHOOD = N_(
    "Which neighbourhood do you live in? Tap it or write its name. You can also skip this."
)
ASK_INTERESTS = N_("What do you like? Tap everything that fits, then tap Done.")
ALREADY_SAVED = N_("Already saved.")


def age_keyboard(t: Translator, origin: str) -> InlineKeyboardMarkup:
    choices = [(label(t, entry), pack("age", band, origin)) for band, entry in AGE_LABELS.items()]
    return buttons([choices[:1], choices[1:3], choices[3:]])


def neighbourhood_keyboard(t: Translator, names: list[str], origin: str) -> InlineKeyboardMarkup:
    rows = [[(name, pack("nb", index, origin))] for index, name in enumerate(names)]
    rows.append([(t.pgettext("button", "Skip"), pack("nb", "skip", origin))])
    return buttons(rows)


def interests_keyboard(t: Translator, chosen: list[str], origin: str) -> InlineKeyboardMarkup:
    rows = [
        [(("✅ " if key in chosen else "") + label(t, entry), pack("int", key, origin))]
        for key, entry in INTEREST_LABELS.items()
    ]
    rows.append([(t.pgettext("button", "Done"), pack("int", "done", origin))])
    return buttons(rows)


async def ask_age(update: Update, context: PortaContext, origin: str) -> None:
    await reply(update, context, say(context.t, ASK_AGE), age_keyboard(context.t, origin))


async def ask_neighbourhood(update: Update, context: PortaContext, origin: str) -> None:
    markup = neighbourhood_keyboard(context.t, context.settings.neighbourhoods, origin)
    await reply(update, context, say(context.t, ASK_NEIGHBOURHOOD), markup)


async def ask_interests(update: Update, context: PortaContext, user: User, origin: str) -> None:
    markup = interests_keyboard(context.t, list(user.interests or []), origin)
    await reply(update, context, say(context.t, ASK_INTERESTS), markup)


async def guardian_needed(update: Update, context: PortaContext, code: str | None) -> None:
    """Tell an under-14 how a parent or guardian gives consent, and what they can do meanwhile."""
    text = say(
        context.t,
        N_(
            "You are under 14. A parent or guardian must agree before I can save anything "
            "about you.\n\nGo to the hub with your parent or guardian and show this code to "
            "an operator: <b>{code}</b>\n\nUntil then you can look at the activities, but you "
            "cannot sign up."
        ),
        code=code or "-",
    )
    await reply(update, context, text, main_menu(context.t))


async def chosen_age(update: Update, context: PortaContext, data: Callback) -> None:
    """Save the age group; go on with onboarding, or back to settings."""
    from handlers import onboarding, settings  # the two flows this question belongs to

    band, origin = data.arg(0), data.arg(1)
    if band not in users.AGE_BANDS:
        await answer(update.callback_query, say(context.t, STALE_BUTTON))
        return
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if origin == "o" and user.step != "age":
            await answer(update.callback_query, say(context.t, ALREADY_SAVED))
            return
        users.set_age_band(user, band)
    await answer(update.callback_query)
    await close_keyboard(update.callback_query, context, label(context.t, AGE_LABELS[band]))
    if origin == "o":
        await onboarding.next_step(update, context, user)
    elif user.step == users.GUARDIAN:
        await guardian_needed(update, context, user.guardian_code)
    else:
        await settings.show_settings(update, context, user)


async def chosen_neighbourhood(update: Update, context: PortaContext, data: Callback) -> None:
    """Save the tapped neighbourhood (or skip it)."""
    choice, origin = data.arg(0), data.arg(1)
    names = context.settings.neighbourhoods
    if choice != "skip" and not (choice.isdigit() and int(choice) < len(names)):
        await answer(update.callback_query, say(context.t, STALE_BUTTON))
        return
    name = None if choice == "skip" else names[int(choice)]
    await save_neighbourhood(update, context, name, origin)


async def save_neighbourhood(
    update: Update, context: PortaContext, name: str | None, origin: str
) -> None:
    from handlers import onboarding, settings

    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if (origin == "o" and user.step != "neighbourhood") or not users.may_store_personal_data(
            user
        ):
            await answer(update.callback_query, say(context.t, ALREADY_SAVED))
            return
        users.set_neighbourhood(user, name)
    await answer(update.callback_query)
    note = name or context.t.pgettext("button", "Skip")
    await close_keyboard(update.callback_query, context, note)
    if origin == "o":
        await onboarding.next_step(update, context, user)
    else:
        await settings.show_settings(update, context, user)


async def chosen_interest(update: Update, context: PortaContext, data: Callback) -> None:
    """Toggle an interest (the keyboard shows ticks), or finish with Done."""
    from handlers import onboarding, settings

    key, origin = data.arg(0), data.arg(1)
    if key != "done" and key not in users.INTERESTS:
        await answer(update.callback_query, say(context.t, STALE_BUTTON))
        return
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        in_step = user.step == "interests" if origin == "o" else user.step == "done"
        if not in_step or not users.may_store_personal_data(user):
            await answer(update.callback_query, say(context.t, ALREADY_SAVED))
            return
        if key != "done":
            users.toggle_interest(user, key)
        elif origin == "o":
            link = users.finish_onboarding(user)
    await answer(update.callback_query)
    if key != "done":
        markup = interests_keyboard(context.t, list(user.interests), origin)
        await show(update, context, say(context.t, ASK_INTERESTS), markup)
        return
    chosen = [label(context.t, INTEREST_LABELS[i]) for i in user.interests]
    await close_keyboard(update.callback_query, context, ", ".join(chosen) or "—")
    if origin == "o":
        await onboarding.finished(update, context, link)
    else:
        await settings.show_settings(update, context, user)


def ids(update: Update) -> tuple[int, int]:
    """The user's id and private chat id."""
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


STALE_BUTTON = N_("This button is old. Please use the menu below.")
