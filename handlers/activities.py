"""Finding activities: today, this week, for me, by hub, by kind, accessible, by a word;
paged lists, the activity card, its calendar file and its place on the map."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Hub
from bot.i18n import N_
from bot.services import catalog, signups, users
from bot.services.calendar import activity_ics
from bot.services.catalog import Filter
from handlers.callbacks import Callback, pack
from handlers.cards import Where, card_keyboard, card_text, list_label, now, title_of
from handlers.common import NOT_FOUND, STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import INTEREST_LABELS, label
from handlers.screens import Document, Screen, Shown, Venue, replacing, screen, toast

FILTERS = {
    "today": "today",
    "week": "week",
    "mine": "mine",
    "hub": "hub",
    "cat": "category",
    "acc": "access",
    "q": "search",
}
SEARCH_BYTES = 24
MENU_TEXT = N_("🗓 <b>Activities</b>\nWhat are you looking for?")


def menu_markup(context: PortaContext) -> InlineKeyboardMarkup:
    t = context.t
    return buttons(
        [
            [
                (t.pgettext("button", "📅 Today"), pack("ac", "l", "today", "", 0)),
                (t.pgettext("button", "🗓 This week"), pack("ac", "l", "week", "", 0)),
            ],
            [
                (t.pgettext("button", "✨ For me"), pack("ac", "l", "mine", "", 0)),
                (t.pgettext("button", "♿ Accessible"), pack("ac", "l", "acc", "", 0)),
            ],
            [
                (t.pgettext("button", "🏠 By hub"), pack("ac", "hubs")),
                (t.pgettext("button", "🏷 By kind"), pack("ac", "cats")),
            ],
            [(t.pgettext("button", "🔎 Search"), pack("ac", "find"))],
            [(t.pgettext("button", "💡 Ideas from young people"), pack("ib", "list", 0, 0))],
        ]
    )


@screen("activities")
async def activities_menu(update: Update, context: PortaContext) -> Shown:
    """The activities menu: the ways of looking for an activity."""
    return Screen(say(context.t, MENU_TEXT), menu_markup(context))


async def activities_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the activities screens."""
    action = data.arg(0)
    if action == "m":
        return replacing(await activities_menu(update, context))
    if action == "l" and data.arg(1) in FILTERS and data.arg(3).isdigit():
        where = Where(data.arg(1), data.arg(2), int(data.arg(3)))
        return replacing(await activity_list(update, context, where))
    if action == "hubs":
        return replacing(await pick_hub(update, context))
    if action == "cats":
        return replacing(await pick_kind(update, context))
    if action == "find":
        return await ask_search(update, context)
    if action == "c" and data.arg(1).isdigit() and (back := Where.parse(data.arg(2))):
        return replacing(await card(update, context, int(data.arg(1)), back))
    if action == "ics" and data.arg(1).isdigit():
        return await calendar_file(update, context, int(data.arg(1)))
    if action == "map" and data.arg(1).isdigit():
        return await venue(update, context, int(data.arg(1)))
    return toast(say(context.t, STALE_BUTTON))


@screen("activities.kinds")
async def pick_kind(update: Update, context: PortaContext) -> Shown:
    rows = [
        [(label(context.t, INTEREST_LABELS[c]), pack("ac", "l", "cat", c, 0))]
        for c in catalog.CATEGORIES
    ]
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("ac", "m"))])
    return Screen(say(context.t, N_("Which kind of activity?")), buttons(rows))


@screen("activities.hubs")
async def pick_hub(update: Update, context: PortaContext) -> Shown:
    async with context.db() as session:
        hubs = await catalog.hubs(session)
    rows = [[(hub.name, pack("ac", "l", "hub", hub.id, 0))] for hub in hubs]
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("ac", "m"))])
    return Screen(say(context.t, N_("Which hub?")), buttons(rows))


async def ask_search(update: Update, context: PortaContext) -> Shown:
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        users.wait_for(user, "search")
    return Screen(say(context.t, N_("🔎 Write a word to look for, for example: football.")))


async def take_search(update: Update, context: PortaContext) -> Shown | bool:
    """Typed words after 🔎 Search: list the activities they name."""
    assert update.message is not None and update.message.text is not None
    async with context.db.begin() as session:
        user = await users.get(session, ids(update)[0])
        if user is None or user.awaiting != "search":
            return False
        await users.stop_waiting(session, user.id)
    words = re.sub(r"[:.\s]+", " ", update.message.text).strip()
    while len(words.encode()) > SEARCH_BYTES:
        words = words[:-1]
    return await activity_list(update, context, Where("q", words.strip(), 0))


@screen("activities.list")
async def activity_list(update: Update, context: PortaContext, where: Where) -> Shown:
    """One page of activities, eight at most, with previous and next."""
    user_id, _ = ids(update)
    async with context.db() as session:
        user = await users.get(session, user_id)
        page = await catalog.find(
            session,
            Filter(FILTERS[where.kind], where.arg),
            user=user,
            locale=context.t.locale,
            default=context.settings.default_language,
            zone=context.settings.zone,
            now=now(),
            page=where.page,
        )
        hub = (
            await catalog.get_hub(session, int(where.arg))
            if where.kind == "hub" and where.arg.isdigit()
            else None
        )
    t, default = context.t, context.settings.default_language
    rows = [
        [(list_label(t, a, default), pack("ac", "c", a.id, where.token()))] for a in page.activities
    ]
    nav = []
    if where.page > 0:
        previous = pack("ac", "l", where.kind, where.arg, where.page - 1)
        nav.append((t.pgettext("button", "◀ Previous"), previous))
    if page.has_next:
        following = pack("ac", "l", where.kind, where.arg, where.page + 1)
        nav.append((t.pgettext("button", "Next ▶"), following))
    if nav:
        rows.append(nav)
    rows.append([(t.pgettext("button", "⬅ Back"), pack("ac", "m"))])
    if page.activities:
        text = say(t, N_("Tap an activity to see more."))
    else:
        text = say(t, N_("Nothing here right now. Try another choice."))
    if hub is not None:
        text = hub_header(context, hub) + "\n\n" + text
    return Screen(text, buttons(rows))


def hub_header(context: PortaContext, hub: Hub) -> str:
    notes = (
        hub.notes.get(context.t.locale) or hub.notes.get(context.settings.default_language) or {}
    )
    lines = [f"🏠 <b>{html.escape(hub.name)}</b>", f"📍 {html.escape(hub.address)}"]
    if notes.get("hours"):
        lines.append(f"🕒 {html.escape(notes['hours'])}")
    if notes.get("access"):
        lines.append(f"♿ {html.escape(notes['access'])}")
    if hub.contact:
        lines.append(f"📞 {html.escape(hub.contact)}")
    return "\n".join(lines)


@screen("activities.card")
async def card(update: Update, context: PortaContext, activity_id: int, where: Where) -> Shown:
    """The activity card, with sign-up or cancel, calendar, map and back."""
    user_id, _ = ids(update)
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
        if activity is None:
            return Screen(say(context.t, NOT_FOUND))
        taken, waiting = await catalog.counts(session, activity_id)
        mine = await signups.at(session, user_id, activity_id)
        position = await signups.position(session, mine) if mine else 0
    moment = now()
    text = card_text(
        context.t,
        activity,
        default=context.settings.default_language,
        taken=taken,
        waiting=waiting,
        signup=mine,
        position=position,
        now=moment,
    )
    markup = card_keyboard(context.t, activity, mine, where, moment)
    return Screen(text, markup, spoken=("activities.card", str(activity_id), where.token()))


@screen("activities.calendar")
async def calendar_file(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """The activity as a calendar file (.ics)."""
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
    if activity is None:
        return toast(say(context.t, STALE_BUTTON))
    default = context.settings.default_language
    text = catalog.text_for(activity, context.t.locale, default)
    content = activity_ics(activity, text, context.settings.zone, context.bot.username or "porta")
    caption = say(
        context.t,
        N_("Open this file to add {title} to your calendar."),
        title=title_of(context.t, activity, default),
    )
    return Screen(caption, document=Document(content, f"activity-{activity.id}.ics"))


@screen("activities.map")
async def venue(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """The activity's hub on the map."""
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
    if activity is None:
        return toast(say(context.t, STALE_BUTTON))
    hub = activity.hub
    return Screen(venue=Venue(hub.latitude, hub.longitude, hub.name, hub.address))
