"""Hub staff run activities from Telegram: the list, the view with its figures and poster
link, the people with a place, check-in, the CSV export, cancelling. Forms (a new activity, an
edit, check-in by code) are in handlers.staff_form, under callback data of their own ("of")."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Activity
from bot.i18n import N_, Translator
from bot.services import catalog, feedback, manage
from handlers import notices
from handlers.callbacks import Callback, pack
from handlers.cards import now, title_of, when
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.gate import not_staff
from handlers.labels import summary_line
from handlers.screens import Document, Screen, Shown, draw, replacing, screen, toast

log = logging.getLogger(__name__)


async def manage_command(update: Update, context: PortaContext) -> Shown:
    """List the activities staff can manage."""
    return await managed(update, context, 0)


@screen("staff.list")
async def managed(update: Update, context: PortaContext, page: int) -> Shown:
    """The upcoming activities, a page at a time, each opening its staff view."""
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
    if context.bot_data.get("voice") is not None:  # the team's own voice for the pages
        keyboard.append([(context.t.pgettext("button", "🎙 Voices of the pages"), pack("vr", "l"))])
    text = say(context.t, N_("🛠 <b>Activities to manage</b>\nNew one: /newactivity"))
    return Screen(text, buttons(keyboard) if keyboard else None)  # none coming: no keyboard


def view_markup(t: Translator, activity: Activity) -> InlineKeyboardMarkup:
    rows = [
        [
            (t.pgettext("button", "👥 People"), pack("op", "p", activity.id)),
            (t.pgettext("button", "📄 List as CSV"), pack("op", "csv", activity.id)),
        ],
        [(t.pgettext("button", "✅ Check in by code"), pack("of", "code", activity.id))],
        [
            (t.pgettext("button", "💬 What people said"), pack("op", "fb", activity.id)),
            (t.pgettext("button", "🖨 Poster"), pack("pr", "a", activity.id)),
        ],
    ]
    if activity.status == "scheduled":
        rows.append(
            [
                (t.pgettext("button", "✏️ Edit"), pack("of", "e", activity.id)),
                (t.pgettext("button", "❌ Cancel activity"), pack("op", "x", activity.id)),
            ]
        )
    rows.append([(t.pgettext("button", "⬅ Back"), pack("op", "l", 0))])
    return buttons(rows)


@screen("staff.view")
async def view(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """The staff view of one activity, with its figures and its poster link."""
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
        people = await manage.people(session, activity_id) if activity else []
        said = await feedback.summary(session, activity_id)
    if activity is None:
        return Screen(say(context.t, STALE_BUTTON))
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
    text += "\n💬 " + summary_line(t, said)
    return Screen(text, view_markup(t, activity))


PEOPLE_PAGE = 40  # names a page: Telegram takes at most 100 buttons


@screen("staff.people")
async def people_screen(
    update: Update, context: PortaContext, activity_id: int, page: int = 0
) -> Shown:
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
    return Screen(text, buttons(rows))


async def staff_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the staff screens; refused to anyone who is not staff."""
    if refused := await not_staff(update, context):
        return refused
    action, arg = data.arg(0), data.arg(1)
    if not arg.isdigit():
        return toast(say(context.t, STALE_BUTTON))
    number, page = int(arg), int(data.arg(2)) if data.arg(2).isdigit() else 0
    if action == "l":
        return replacing(await managed(update, context, number))
    if action == "v":
        return replacing(await view(update, context, number))
    if action == "p":
        return replacing(await people_screen(update, context, number, page))
    if action == "ci" and data.arg(2).isdigit():
        async with context.db.begin() as session:
            signup = await manage.check_in(session, number, signup_id=int(data.arg(2)))
        if signup is None:
            return toast(say(context.t, STALE_BUTTON))
        page = int(data.arg(3)) if data.arg(3).isdigit() else 0
        return replacing(await people_screen(update, context, number, page))
    if action == "csv":
        return await attendees_file(update, context, number)
    if action == "fb":
        return replacing(await draw("staff.feedback", update, context, number))
    if action == "x":
        return replacing(await confirm_cancel(update, context, number))
    if action == "xx":
        return replacing(await cancel(update, context, number))
    return toast(say(context.t, STALE_BUTTON))


@screen("staff.cancel")
async def confirm_cancel(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """Ask before cancelling an activity."""
    t = context.t
    markup = buttons(
        [
            [(t.pgettext("button", "❌ Yes, cancel it"), pack("op", "xx", activity_id))],
            [(t.pgettext("button", "No, keep it"), pack("op", "v", activity_id))],
        ]
    )
    return Screen(say(t, N_("Cancel this activity? Everyone signed up will be told.")), markup)


async def cancel(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """Cancel the activity; everyone signed up is told in their language."""
    async with context.db.begin() as session:
        told = await manage.cancel_activity(session, activity_id)
    log.info("operator %s cancelled activity %s", ids(update)[0], activity_id)
    for signup in told:
        await notices.tell(context, signup, N_("❌ Sorry, {title} on {when} is cancelled."))
    return await view(update, context, activity_id)


@screen("staff.csv")
async def attendees_file(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """The people of an activity as a CSV file."""
    async with context.db() as session:
        people = await manage.people(session, activity_id)
    caption = say(context.t, N_("The list of people for this activity."))
    document = Document(manage.attendees_csv(people), f"activity-{activity_id}.csv")
    return Screen(caption, document=document)
