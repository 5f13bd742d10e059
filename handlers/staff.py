"""Hub staff run activities from Telegram: the list, the view with its figures and poster
link, the people with a place, check-in, the CSV export, cancelling. Forms (a new activity, an
edit, check-in by code) are in handlers.staff_form."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from io import BytesIO

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot.db.models import Activity
from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from bot.services import catalog, manage
from handlers import notices, staff_form
from handlers import operators as staff_gate
from handlers.callbacks import Callback, pack
from handlers.cards import title_of, when
from handlers.common import PortaContext, answer, buttons, reply, say, show
from handlers.profile import STALE_BUTTON, ids

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


async def manage_command(update: Update, context: PortaContext) -> None:
    """List the activities staff can manage."""
    await show_activities(update, context, 0, edit=False)


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


PEOPLE_PAGE = 40  # names a page: Telegram takes at most 100 buttons


async def people_screen(
    update: Update, context: PortaContext, activity_id: int, page: int = 0
) -> None:
    """Names with a place (tap to check in or undo), a page at a time, and the waitlist."""
    async with context.db() as session:
        people = await manage.people(session, activity_id)
    placed = [s for s in people if s.status in ("confirmed", "attended")]
    shown = placed[page * PEOPLE_PAGE : (page + 1) * PEOPLE_PAGE]
    rows = [
        [
            (
                ("✅ " if s.status == "attended" else "⬜ ") + f"{s.display_name or '?'} · "
                f"{s.checkin_code}",
                pack("op", "ci", activity_id, s.id, page),
            )
        ]
        for s in shown
    ]
    nav = []
    if page:
        nav.append(
            (context.t.pgettext("button", "◀ Previous"), pack("op", "p", activity_id, page - 1))
        )
    if len(placed) > (page + 1) * PEOPLE_PAGE:
        nav.append((context.t.pgettext("button", "Next ▶"), pack("op", "p", activity_id, page + 1)))
    if nav:
        rows.append(nav)
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("op", "v", activity_id))])
    waiting = [s for s in people if s.status == "waitlisted"]
    text = say(context.t, N_("👥 <b>People with a place</b>\nTap a name when the person arrives."))
    if waiting:
        names = [f"{n}. {html.escape(s.display_name or '?')}" for n, s in enumerate(waiting, 1)]
        more = len(names) - 100
        text += "\n\n" + say(context.t, N_("⏳ <b>Waitlist</b>")) + "\n" + "\n".join(names[:100])
        if more > 0:
            text += f"\n… +{more}"
    await show(update, context, text, buttons(rows))


async def staff_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Every button of the staff screens; refused to anyone who is not staff."""
    query = update.callback_query
    if not await staff_gate.staff_only_button(update, context):
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
        page = int(data.arg(2)) if data.arg(2).isdigit() else 0
        await people_screen(update, context, number, page)
    elif action == "ci" and data.arg(2).isdigit():
        async with context.db.begin() as session:
            signup = await manage.check_in(session, number, signup_id=int(data.arg(2)))
        await answer(query)
        if signup is not None:
            page = int(data.arg(3)) if data.arg(3).isdigit() else 0
            await people_screen(update, context, number, page)
    elif action == "csv":
        await answer(query)
        await send_csv(update, context, number)
    elif action in ("code", "e") or (action == "ef" and data.arg(2) in manage.EDITABLE):
        await answer(query)
        await staff_form.ask(update, context, number, action, data.arg(2))
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
        await staff_form.draft_choice(update, context, action, arg, data.arg(2))
    elif action in ("ns", "nf"):
        await answer(query)
        await staff_form.draft_choice(update, context, action, arg, "")
    else:
        await answer(query, say(context.t, STALE_BUTTON))


async def cancel(update: Update, context: PortaContext, activity_id: int) -> None:
    async with context.db.begin() as session:
        told = await manage.cancel_activity(session, activity_id)
    log.info("operator %s cancelled activity %s", ids(update)[0], activity_id)
    for signup in told:
        await notices.tell(context, signup, N_("❌ Sorry, {title} on {when} is cancelled."))
    await view(update, context, activity_id)


async def send_csv(update: Update, context: PortaContext, activity_id: int) -> None:
    async with context.db() as session:
        people = await manage.people(session, activity_id)
    _, chat_id = ids(update)
    document = InputFile(
        BytesIO(manage.attendees_csv(people)), filename=f"activity-{activity_id}.csv"
    )
    caption = say(context.t, N_("The list of people for this activity."))
    await context.bot.send_document(chat_id, document, caption=context.t.directed(caption))
