"""Hub staff run activities from Telegram: create, edit, cancel, see who comes, export the
list, check people in, see the figures. Half-filled forms live in the drafts table."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from io import BytesIO

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import Forbidden

from bot.db.models import Activity, Signup
from bot.i18n import N_, SUPPORTED_LOCALES, Translator, native_name
from bot.services import catalog, manage, operators, signups, users
from handlers.callbacks import Callback, pack
from handlers.cards import title_of, when
from handlers.common import PortaContext, answer, buttons, reply, say, show
from handlers.labels import INTEREST_LABELS, label
from handlers.profile import STALE_BUTTON, ids

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


def now() -> datetime:
    return datetime.now(UTC)


async def is_staff(update: Update, context: PortaContext) -> bool:
    async with context.db() as session:
        return await operators.role_of(session, ids(update)[0]) is not None


async def manage_command(update: Update, context: PortaContext) -> None:
    """List the activities staff can manage."""
    await show_activities(update, context, 0, edit=False)


async def new_activity(update: Update, context: PortaContext) -> None:
    """Start the form for a new activity: first the hub."""
    async with context.db.begin() as session:
        await manage.start_draft(session, ids(update)[0], None, "hub", context.t.locale)
        hubs = await catalog.hubs(session)
    rows = [[(hub.name, pack("op", "nh", hub.id))] for hub in hubs]
    await reply(update, context, say(context.t, N_("🆕 New activity. Which hub?")), buttons(rows))


async def show_activities(
    update: Update, context: PortaContext, page: int, edit: bool = True
) -> None:
    async with context.db() as session:
        rows, more = await manage.upcoming(session, now(), page)
    default = context.settings.default_language
    keyboard = [
        [
            (
                ("❌ " if a.status == "cancelled" else "")
                + f"{when(context.t, a.starts_at)} · {title_of(context.t, a, default)}"[:60],
                pack("op", "v", a.id),
            )
        ]
        for a in rows
    ]
    nav = []
    if page:
        nav.append((context.t.pgettext("button", "◀ Previous"), pack("op", "l", page - 1)))
    if more:
        nav.append((context.t.pgettext("button", "Next ▶"), pack("op", "l", page + 1)))
    if nav:
        keyboard.append(nav)
    text = say(context.t, N_("🛠 <b>Activities to manage</b>\nNew one: /newactivity"))
    if edit:
        await show(update, context, text, buttons(keyboard))
    else:
        await reply(update, context, text, buttons(keyboard))


def view_markup(t: Translator, activity: Activity) -> InlineKeyboardMarkup:
    rows = [
        [
            (t.pgettext("button", "👥 People"), pack("op", "p", activity.id)),
            (t.pgettext("button", "📄 List as CSV"), pack("op", "csv", activity.id)),
        ],
        [(t.pgettext("button", "✅ Check in by code"), pack("op", "code", activity.id))],
    ]
    if activity.status == "scheduled":
        rows.append(
            [
                (t.pgettext("button", "✏️ Edit"), pack("op", "e", activity.id)),
                (t.pgettext("button", "❌ Cancel activity"), pack("op", "x", activity.id)),
            ]
        )
    rows.append([(t.pgettext("button", "⬅ Back"), pack("op", "l", 0))])
    return buttons(rows)


async def view(update: Update, context: PortaContext, activity_id: int, edit: bool = True) -> None:
    """The staff view of one activity, with its figures and its poster link."""
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
        people = await manage.people(session, activity_id) if activity else []
    if activity is None:
        await reply(update, context, say(context.t, STALE_BUTTON))
        return
    t, default = context.t, context.settings.default_language
    numbers = manage.figures(people, activity, now())
    status = say(t, N_("cancelled")) if activity.status == "cancelled" else say(t, N_("scheduled"))
    text = say(
        t,
        N_(
            "🛠 <b>{title}</b>\n📍 {hub}\n🗓 {when}\nStatus: {status}\n"
            "👥 Places taken: {taken} of {capacity}. Waitlist: {waiting}.\n"
            "✅ Came: {attended}. Did not come: {no_shows}.\n"
            "🔗 Link for posters: {link}"
        ),
        title=title_of(t, activity, default),
        hub=activity.hub.name,
        when=when(t, activity.starts_at),
        status=status,
        taken=numbers.confirmed,
        capacity=activity.capacity,
        waiting=numbers.waitlisted,
        attended=numbers.attended,
        no_shows=numbers.no_shows,
        link=f"https://t.me/{context.bot.username}?start=a{activity.id}",
    )
    if edit:
        await show(update, context, text, view_markup(t, activity))
    else:
        await reply(update, context, text, view_markup(t, activity))


async def people_screen(update: Update, context: PortaContext, activity_id: int) -> None:
    """Names with a place (tap to check in or undo) and the waitlist in order."""
    async with context.db() as session:
        people = await manage.people(session, activity_id)
    rows = [
        [
            (
                ("✅ " if s.status == "attended" else "⬜ ")
                + f"{s.display_name or '?'} · {s.checkin_code}",
                pack("op", "ci", activity_id, s.id),
            )
        ]
        for s in people
        if s.status in ("confirmed", "attended")
    ]
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("op", "v", activity_id))])
    waiting = [
        f"{n}. {html.escape(s.display_name or '?')}"
        for n, s in enumerate((s for s in people if s.status == "waitlisted"), 1)
    ]
    text = say(context.t, N_("👥 <b>People with a place</b>\nTap a name when the person arrives."))
    if waiting:
        text += "\n\n" + say(context.t, N_("⏳ <b>Waitlist</b>")) + "\n" + "\n".join(waiting)
    await show(update, context, text, buttons(rows))


async def staff_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Every button of the staff screens; refused to anyone who is not staff."""
    query = update.callback_query
    if not await is_staff(update, context):
        await answer(
            query, say(context.t, N_("Sorry, this command is only for hub staff.")), alert=True
        )
        return
    action, arg = data.arg(0), data.arg(1)
    if not arg.isdigit():
        await answer(query, say(context.t, STALE_BUTTON))
        return
    number = int(arg)
    if action == "l":
        await answer(query)
        await show_activities(update, context, number)
    elif action == "v":
        await answer(query)
        await view(update, context, number)
    elif action == "p":
        await answer(query)
        await people_screen(update, context, number)
    elif action == "ci" and data.arg(2).isdigit():
        async with context.db.begin() as session:
            signup = await manage.check_in(session, number, signup_id=int(data.arg(2)))
        await answer(query)
        if signup is not None:
            await people_screen(update, context, number)
    elif action == "csv":
        await answer(query)
        await send_csv(update, context, number)
    elif action in ("code", "e") or (action == "ef" and data.arg(2) in manage.EDITABLE):
        await answer(query)
        await ask(update, context, number, action, data.arg(2))
    elif action == "x":
        await answer(query)
        markup = buttons(
            [
                [(context.t.pgettext("button", "❌ Yes, cancel it"), pack("op", "xx", number))],
                [(context.t.pgettext("button", "No, keep it"), pack("op", "v", number))],
            ]
        )
        await show(
            update,
            context,
            say(context.t, N_("Cancel this activity? Everyone signed up will be told.")),
            markup,
        )
    elif action == "xx":
        await answer(query)
        await cancel(update, context, number)
    elif action in ("nh", "nc") or (action == "nl" and data.arg(2) in SUPPORTED_LOCALES):
        await answer(query)
        await draft_choice(update, context, action, arg, data.arg(2))
    elif action in ("ns", "nf"):
        await answer(query)
        await draft_choice(update, context, action, arg, "")
    else:
        await answer(query, say(context.t, STALE_BUTTON))


async def ask(
    update: Update, context: PortaContext, activity_id: int, action: str, field: str
) -> None:
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
        rows = [[(say(t, names[f]), pack("op", "ef", activity_id, f))] for f in manage.EDITABLE]
        rows.append([(t.pgettext("button", "⬅ Back"), pack("op", "v", activity_id))])
        await show(update, context, say(t, N_("What do you want to change?")), buttons(rows))
        return
    step = "code" if action == "code" else f"edit:{field}"
    async with context.db.begin() as session:
        await manage.start_draft(session, ids(update)[0], activity_id, step, t.locale)
    await reply(update, context, say(t, PROMPTS["code" if action == "code" else field]))


async def draft_choice(
    update: Update, context: PortaContext, action: str, arg: str, extra: str
) -> None:
    """A tapped answer in the new-activity form: hub, kind, skip, another language, finish."""
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        draft = await manage.draft_of(session, user_id)
        if draft is None or draft.activity_id is not None:
            await reply(update, context, say(context.t, STALE_BUTTON))
            return
        data = dict(draft.data)
        if action == "nh" and draft.step == "hub":
            data["hub"], draft.step = int(arg), "title"
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
            draft = None
        else:
            await reply(update, context, say(context.t, STALE_BUTTON))
            return
        if draft is not None:
            draft.data = data
            step = draft.step
    if action == "nf":
        log.info("operator %s created activity %s", user_id, created)
        await view(update, context, created, edit=False)
    else:
        await next_question(update, context, step, data)


async def next_question(
    update: Update, context: PortaContext, step: str, data: dict[str, object]
) -> None:
    t = context.t
    if step == "category":
        rows = [
            [(label(t, INTEREST_LABELS[c]), pack("op", "nc", n))]
            for n, c in enumerate(catalog.CATEGORIES)
        ]
        await reply(update, context, say(t, N_("Which kind of activity?")), buttons(rows))
    elif step == "description":
        markup = buttons([[(t.pgettext("button", "Skip"), pack("op", "ns", 0))]])
        await reply(update, context, say(t, PROMPTS["description"]), markup)
    elif step == "more":
        done = set(data.get("texts", {})) | {str(data["language"])}  # type: ignore[call-overload]
        rows = [
            [(native_name(code), pack("op", "nl", 0, code))]
            for code in SUPPORTED_LOCALES
            if code not in done
        ]
        rows.append([(t.pgettext("button", "✅ Save the activity"), pack("op", "nf", 0))])
        await reply(
            update, context, say(t, N_("Add the text in another language, or save.")), buttons(rows)
        )
    elif step in ("xtitle", "xdescription"):
        language = native_name(str(data["extra"]))
        message = (
            N_("Write the title in {language}.")
            if step == "xtitle"
            else N_("Write the description in {language}.")
        )
        await reply(update, context, say(t, message, language=language))
    else:
        await reply(update, context, say(t, PROMPTS[step]))


async def take_text(update: Update, context: PortaContext, text: str) -> bool:
    """Typed text that answers a staff form; False when there is no form open."""
    user_id, _ = ids(update)
    async with context.db() as session:
        draft = await manage.draft_of(session, user_id)
        role = await operators.role_of(session, user_id) if draft else None
    if draft is None or role is None:
        return False
    step = draft.step
    if step == "code":
        await check_in_by_code(update, context, draft.activity_id or 0, text)
        return True
    if step in ("hub", "category", "more"):
        await reply(update, context, say(context.t, N_("Please tap one of the buttons above.")))
        return True
    field = step.removeprefix("edit:").removeprefix("x")
    try:
        value = manage.parse_answer(field, text, context.settings.zone, now())
    except ValueError:
        await reply(
            update,
            context,
            say(context.t, BAD_ANSWER) + "\n" + say(context.t, PROMPTS.get(field, BAD_ANSWER)),
        )
        return True
    if step.startswith("edit:"):
        await save_edit(update, context, draft.activity_id or 0, field, value)
        return True
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
            return True
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
    await next_question(update, context, order[step], data)
    return True


async def check_in_by_code(
    update: Update, context: PortaContext, activity_id: int, code: str
) -> None:
    async with context.db.begin() as session:
        signup = await manage.check_in(session, activity_id, code=code)
    if signup is None:
        await reply(
            update,
            context,
            say(context.t, N_("No one with a place has the code {code}."), code=code[:8]),
        )
        return
    text = say(
        context.t,
        N_("✅ {name} is checked in. Write the next code, or tap Done."),
        name=signup.display_name or signup.checkin_code,
    )
    markup = buttons([[(context.t.pgettext("button", "Done"), pack("op", "v", activity_id))]])
    await reply(update, context, text, markup)


async def save_edit(
    update: Update, context: PortaContext, activity_id: int, field: str, value: object
) -> None:
    user_id, _ = ids(update)
    promoted: list[Signup] = []
    async with context.db.begin() as session:
        activity = await catalog.get_activity(session, activity_id)
        draft = await manage.draft_of(session, user_id)
        if draft is not None:
            await session.delete(draft)
        if activity is None:
            return
        await manage.apply_edit(session, activity, field, value, context.t.locale)
        while field == "capacity" and (moved := await signups.promote(session, activity, now())):
            await session.flush()
            promoted.append(moved)
        told = [s for s in await manage.people(session, activity_id)] if field == "start" else []
    log.info("operator %s changed %s of activity %s", user_id, field, activity_id)
    from handlers.signup import tell_promoted

    for signup in promoted:
        await tell_promoted(context, signup)
    for signup in told:
        await notify(context, signup, N_("🕒 New time for {title}: {when}."))
    await view(update, context, activity_id, edit=False)


async def cancel(update: Update, context: PortaContext, activity_id: int) -> None:
    async with context.db.begin() as session:
        told = await manage.cancel_activity(session, activity_id)
    log.info("operator %s cancelled activity %s", ids(update)[0], activity_id)
    for signup in told:
        await notify(context, signup, N_("❌ Sorry, {title} on {when} is cancelled."))
    await view(update, context, activity_id)


async def notify(context: PortaContext, signup: Signup, message: str) -> None:
    """Tell one person about their activity, in their own language."""
    async with context.db() as session:
        person = await users.get(session, signup.user_id)
        activity = await catalog.get_activity(session, signup.activity_id)
    if person is None or activity is None:
        return
    t = Translator(
        users.locale_of(person, context.settings.default_language), context.settings.zone
    )
    text = say(
        t,
        message,
        title=title_of(t, activity, context.settings.default_language),
        when=when(t, activity.starts_at),
    )
    try:
        await context.bot.send_message(person.chat_id, t.directed(text))
    except Forbidden:
        async with context.db.begin() as session:
            await users.mark_blocked(session, person.id)


async def send_csv(update: Update, context: PortaContext, activity_id: int) -> None:
    async with context.db() as session:
        people = await manage.people(session, activity_id)
    _, chat_id = ids(update)
    document = InputFile(
        BytesIO(manage.attendees_csv(people)), filename=f"activity-{activity_id}.csv"
    )
    caption = say(context.t, N_("The list of people for this activity."))
    await context.bot.send_document(chat_id, document, caption=context.t.directed(caption))
