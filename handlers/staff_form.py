"""Staff forms, one answer at a time, kept in the drafts table so that a restart or another
process can carry on: a new activity, an edit, check-in by typed code. Their buttons carry
callback data of kind "of"; the staff screens they return to are reached by name."""

from __future__ import annotations

import logging

from telegram import Update

from bot.db.models import Signup
from bot.i18n import N_, SUPPORTED_LOCALES, native_name
from bot.services import catalog, manage, operators, signups
from handlers import notices
from handlers.callbacks import Callback, pack
from handlers.cards import now
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.gate import not_staff
from handlers.labels import INTEREST_LABELS, label
from handlers.screens import Screen, Shown, draw, replacing, screen, toast

log = logging.getLogger(__name__)

PROMPTS = {
    "title": N_("Write the title."),
    "start": N_("When does it start? Write the date and time, like 24/12/2026 17:30."),
    "duration": N_("How long is it, in minutes? For example: 90."),
    "capacity": N_("How many places are there? For example: 12."),
    "description": N_("Write a short description."),
    "code": N_("Write the check-in code from the person's card."),
}
BAD_ANSWER = N_("That does not look right. Please try again.")
FORM_ACTIONS = ("code", "e", "ef", "nh", "nc", "nl", "ns", "nf")


async def new_activity(update: Update, context: PortaContext) -> Shown:
    """Start the form for a new activity: first the hub."""
    async with context.db.begin() as session:
        await manage.start_draft(session, ids(update)[0], None, "hub", context.t.locale)
        hubs = await catalog.hubs(session)
    rows = [[(hub.name, pack("of", "nh", hub.id))] for hub in hubs]
    return Screen(say(context.t, N_("🆕 New activity. Which hub?")), buttons(rows))


async def form_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the staff forms; refused to anyone who is not staff."""
    # Youth workers finish here the activities they make from young people's ideas.
    if refused := await not_staff(update, context, ("operator", "youth", "admin")):
        return refused
    action, arg, extra = data.arg(0), data.arg(1), data.arg(2)
    if action not in FORM_ACTIONS or not arg.isdigit():
        return toast(say(context.t, STALE_BUTTON))
    if action == "ef" and extra not in manage.EDITABLE:
        return toast(say(context.t, STALE_BUTTON))
    if action == "nl" and extra not in SUPPORTED_LOCALES:
        return toast(say(context.t, STALE_BUTTON))
    if action in ("code", "e", "ef"):
        return await ask(update, context, int(arg), action, extra)
    return await draft_choice(update, context, action, arg, extra)


async def ask(
    update: Update, context: PortaContext, activity_id: int, action: str, field: str
) -> Shown:
    """Ask for a check-in code, which field to edit, or the field's new value."""
    t = context.t
    if action == "e":
        names = {
            "title": N_("Title"),
            "start": N_("Date and time"),
            "duration": N_("Length"),
            "capacity": N_("Places"),
            "description": N_("Description"),
        }
        rows = [[(say(t, names[f]), pack("of", "ef", activity_id, f))] for f in manage.EDITABLE]
        rows.append([(t.pgettext("button", "⬅ Back"), pack("op", "v", activity_id))])
        return replacing(Screen(say(t, N_("What do you want to change?")), buttons(rows)))
    step = "code" if action == "code" else f"edit:{field}"
    async with context.db.begin() as session:
        await manage.start_draft(session, ids(update)[0], activity_id, step, t.locale)
    return Screen(say(t, PROMPTS["code" if action == "code" else field]))


async def draft_choice(
    update: Update, context: PortaContext, action: str, arg: str, extra: str
) -> Shown:
    """A tapped answer in the new-activity form: hub, kind, skip, another language, finish."""
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        draft = await manage.draft_of(session, user_id)
        if draft is None or draft.activity_id is not None:
            return toast(say(context.t, STALE_BUTTON))
        data = dict(draft.data)
        if action == "nh" and draft.step == "hub":
            # An activity made from an idea has its title already.
            data["hub"], draft.step = int(arg), "category" if data.get("title") else "title"
        elif action == "nc" and draft.step == "category" and int(arg) < len(catalog.CATEGORIES):
            data["category"], draft.step = catalog.CATEGORIES[int(arg)], "start"
        elif action == "ns" and draft.step == "description":
            draft.step = "more"
        elif action == "nl" and draft.step == "more":
            data["extra"], draft.step = extra, "xtitle"
        elif action == "nf" and draft.step == "more":
            draft.data = data
            activity = await manage.finish_new(session, draft, user_id)
            for language, (title, description) in data.get("texts", {}).items():
                await manage.apply_edit(session, activity, "title", title, language)
                await manage.apply_edit(session, activity, "description", description, language)
                activity.languages = sorted({*activity.languages, language})
            created = activity.id
            if data.get("idea"):
                await notices.tell_backers(context, session, int(data["idea"]), activity)
            draft = None
        else:
            return toast(say(context.t, STALE_BUTTON))
        if draft is not None:
            draft.data = data
            step = draft.step
    if action == "nf":
        log.info("operator %s created activity %s", user_id, created)
        return await draw("staff.view", update, context, created)
    return next_question(context, step, data)


@screen("staff.form_question")
async def form_question(
    update: Update, context: PortaContext, step: str, data: dict[str, object]
) -> Shown:
    """The new-activity form's question at `step` (an idea made an activity starts here)."""
    return next_question(context, step, data)


def next_question(context: PortaContext, step: str, data: dict[str, object]) -> Screen:
    """The form's next question."""
    t = context.t
    if step == "category":
        rows = [
            [(label(t, INTEREST_LABELS[c]), pack("of", "nc", n))]
            for n, c in enumerate(catalog.CATEGORIES)
        ]
        return Screen(say(t, N_("Which kind of activity?")), buttons(rows))
    if step == "description":
        markup = buttons([[(t.pgettext("button", "Skip"), pack("of", "ns", 0))]])
        return Screen(say(t, PROMPTS["description"]), markup)
    if step == "more":
        done = set(data.get("texts", {})) | {str(data["language"])}  # type: ignore[call-overload]
        rows = [
            [(native_name(code), pack("of", "nl", 0, code))]
            for code in SUPPORTED_LOCALES
            if code not in done
        ]
        rows.append([(t.pgettext("button", "✅ Save the activity"), pack("of", "nf", 0))])
        return Screen(say(t, N_("Add the text in another language, or save.")), buttons(rows))
    if step in ("xtitle", "xdescription"):
        language = native_name(str(data["extra"]))
        message = (
            N_("Write the title in {language}.")
            if step == "xtitle"
            else N_("Write the description in {language}.")
        )
        return Screen(say(t, message, language=language))
    return Screen(say(t, PROMPTS[step]))


async def take_text(update: Update, context: PortaContext) -> Shown | bool:
    """Typed text that answers a staff form; False when there is no form open."""
    assert update.message is not None and update.message.text is not None
    text = update.message.text
    user_id, _ = ids(update)
    async with context.db() as session:
        draft = await manage.draft_of(session, user_id)
        role = await operators.role_of(session, user_id) if draft else None
    if draft is None or role is None or draft.step.startswith(("b:", "v:")):
        return False
    step = draft.step
    if step == "code":
        return await check_in_by_code(update, context, draft.activity_id or 0, text)
    if step in ("hub", "category", "more"):
        return Screen(say(context.t, N_("Please tap one of the buttons above.")))
    field = step.removeprefix("edit:").removeprefix("x")
    try:
        value = manage.parse_answer(field, text, context.settings.zone, now())
    except ValueError:
        again = say(context.t, PROMPTS.get(field, BAD_ANSWER))
        return Screen(say(context.t, BAD_ANSWER) + "\n" + again)
    if step.startswith("edit:"):
        return await save_edit(update, context, draft.activity_id or 0, field, value)
    order = {
        "title": "category",
        "start": "duration",
        "duration": "capacity",
        "capacity": "description",
        "description": "more",
        "xtitle": "xdescription",
        "xdescription": "more",
    }
    async with context.db.begin() as session:
        fresh = await manage.draft_of(session, user_id)
        if fresh is None:
            return []
        data = dict(fresh.data)
        if step.startswith("x"):
            texts = dict(data.get("texts", {}))
            pair = list(texts.get(data["extra"], ["", ""]))
            pair[0 if step == "xtitle" else 1] = value
            texts[data["extra"]] = pair
            data["texts"] = texts
        else:
            data[step] = value
        fresh.data, fresh.step = data, order[step]
    return next_question(context, order[step], data)


async def check_in_by_code(
    update: Update, context: PortaContext, activity_id: int, code: str
) -> Shown:
    async with context.db.begin() as session:
        signup = await manage.check_in(session, activity_id, code=code)
    if signup is None:
        return Screen(say(context.t, N_("No one with a place has the code {code}."), code=code[:8]))
    text = say(
        context.t,
        N_("✅ {name} is checked in. Write the next code, or tap Done."),
        name=signup.display_name or signup.checkin_code,
    )
    markup = buttons([[(context.t.pgettext("button", "Done"), pack("op", "v", activity_id))]])
    return Screen(text, markup)


async def save_edit(
    update: Update, context: PortaContext, activity_id: int, field: str, value: object
) -> Shown:
    user_id, _ = ids(update)
    promoted: list[Signup] = []
    async with context.db.begin() as session:
        activity = await catalog.get_activity(session, activity_id)
        draft = await manage.draft_of(session, user_id)
        if draft is not None:
            await session.delete(draft)
        if activity is None:
            return Screen(say(context.t, STALE_BUTTON))
        await manage.apply_edit(session, activity, field, value, context.t.locale)
        while field == "capacity" and (moved := await signups.promote(session, activity, now())):
            await session.flush()
            promoted.append(moved)
        told = [s for s in await manage.people(session, activity_id)] if field == "start" else []
    log.info("operator %s changed %s of activity %s", user_id, field, activity_id)
    for signup in promoted:
        await notices.tell_promoted(context, signup)
    for signup in told:
        await notices.tell(context, signup, N_("🕒 New time for {title}: {when}."))
    return await draw("staff.view", update, context, activity_id)
