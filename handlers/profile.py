"""The profile questions, asked during onboarding and again from settings: age group,
neighbourhood and interests. Origin "o" is onboarding, "s" is settings."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import User
from bot.i18n import N_, Translator
from bot.services import users
from handlers.callbacks import Callback, pack
from handlers.common import ALREADY_SAVED, STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import AGE_LABELS, INTEREST_LABELS, label, main_menu
from handlers.screens import Screen, Shown, draw, frozen, replacing, screen, toast

ASK_AGE = N_("How old are you?")
ASK_NEIGHBOURHOOD = N_(
    "Which neighbourhood do you live in? Tap it or write its name. You can also skip this."
)
ASK_INTERESTS = N_("What do you like? Tap everything that fits, then tap Done.")


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


@screen("profile.age")
async def ask_age(update: Update, context: PortaContext, origin: str) -> Shown:
    return Screen(say(context.t, ASK_AGE), age_keyboard(context.t, origin))


@screen("profile.neighbourhood")
async def ask_neighbourhood(update: Update, context: PortaContext, origin: str) -> Shown:
    markup = neighbourhood_keyboard(context.t, context.settings.neighbourhoods, origin)
    return Screen(say(context.t, ASK_NEIGHBOURHOOD), markup)


@screen("profile.interests")
async def ask_interests(update: Update, context: PortaContext, user: User, origin: str) -> Shown:
    markup = interests_keyboard(context.t, list(user.interests or []), origin)
    return Screen(say(context.t, ASK_INTERESTS), markup)


@screen("guardian")
async def guardian_needed(update: Update, context: PortaContext, code: str | None) -> Shown:
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
    return Screen(text, main_menu(context.t))


async def after_answer(
    update: Update, context: PortaContext, user: User, origin: str
) -> list[Screen]:
    """What comes after a profile answer: the next onboarding step, or the settings."""
    if origin == "o":
        return await draw("onboarding.step", update, context, user)
    if user.step == users.GUARDIAN:
        return await draw("guardian", update, context, user.guardian_code)
    return await draw("settings", update, context, user)


async def chosen_age(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Save the age group; go on with onboarding, or back to settings."""
    band, origin = data.arg(0), data.arg(1)
    if band not in users.AGE_BANDS:
        return toast(say(context.t, STALE_BUTTON))
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if origin == "o" and user.step != "age":
            return toast(say(context.t, ALREADY_SAVED))
        users.set_age_band(user, band)
    answered = frozen(update, label(context.t, AGE_LABELS[band]))
    return [answered, *await after_answer(update, context, user, origin)]


async def chosen_neighbourhood(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Save the tapped neighbourhood (or skip it)."""
    choice, origin = data.arg(0), data.arg(1)
    names = context.settings.neighbourhoods
    if choice != "skip" and not (choice.isdigit() and int(choice) < len(names)):
        return toast(say(context.t, STALE_BUTTON))
    name = None if choice == "skip" else names[int(choice)]
    return await save_neighbourhood(update, context, name, origin)


async def take_neighbourhood(update: Update, context: PortaContext) -> Shown | bool:
    """A typed neighbourhood, when onboarding or settings asked for one."""
    assert update.message is not None and update.message.text is not None
    async with context.db() as session:
        user = await users.get(session, ids(update)[0])
    if user is not None and user.step == "neighbourhood":
        return await save_neighbourhood(update, context, update.message.text, "o")
    if user is not None and user.awaiting == "neighbourhood":
        return await save_neighbourhood(update, context, update.message.text, "s")
    return False


async def save_neighbourhood(
    update: Update, context: PortaContext, name: str | None, origin: str
) -> Shown:
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        if (origin == "o" and user.step != "neighbourhood") or not users.may_store_personal_data(
            user
        ):
            return toast(say(context.t, ALREADY_SAVED))
        users.set_neighbourhood(user, name)
    note = name or context.t.pgettext("button", "Skip")
    return [frozen(update, note), *await after_answer(update, context, user, origin)]


async def chosen_interest(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Toggle an interest (the keyboard shows ticks), or finish with Done."""
    key, origin = data.arg(0), data.arg(1)
    if key != "done" and key not in users.INTERESTS:
        return toast(say(context.t, STALE_BUTTON))
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        in_step = user.step == "interests" if origin == "o" else user.step == "done"
        if not in_step or not users.may_store_personal_data(user):
            return toast(say(context.t, ALREADY_SAVED))
        if key != "done":
            users.toggle_interest(user, key)
        elif origin == "o":
            link = users.finish_onboarding(user)
    if key != "done":
        return replacing(await ask_interests(update, context, user, origin))
    chosen = [label(context.t, INTEREST_LABELS[i]) for i in user.interests]
    answered = frozen(update, ", ".join(chosen) or "—")
    if origin == "o":
        return [answered, *await draw("onboarding.finished", update, context, link)]
    return [answered, *await draw("settings", update, context, user)]
