"""Finding activities: today, this week, for me, by hub, by kind, accessible, by a word;
paged lists, the activity card, its calendar file and its place on the map."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from io import BytesIO

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot.i18n import N_
from bot.services import catalog, signups, users
from bot.services.calendar import activity_ics
from bot.services.catalog import Filter
from handlers import links
from handlers.callbacks import Callback, pack
from handlers.cards import Where, card_keyboard, card_text, list_label, title_of
from handlers.common import PortaContext, answer, buttons, reply, say, show
from handlers.labels import INTEREST_LABELS, label
from handlers.profile import STALE_BUTTON, ids

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


def now() -> datetime:
    return datetime.now(UTC)


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
        ]
    )


MENU_TEXT = N_("🗓 <b>Activities</b>\nWhat are you looking for?")


async def activities_menu(update: Update, context: PortaContext) -> None:
    """The activities menu, from the main menu button."""
    await reply(update, context, say(context.t, MENU_TEXT), menu_markup(context))


async def activities_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Every button of the activities screens."""
    action = data.arg(0)
    query = update.callback_query
    if action == "m":
        await answer(query)
        await show(update, context, say(context.t, MENU_TEXT), menu_markup(context))
    elif action == "l" and data.arg(1) in FILTERS and data.arg(3).isdigit():
        await answer(query)
        await show_list(update, context, Where(data.arg(1), data.arg(2), int(data.arg(3))))
    elif action == "hubs":
        await answer(query)
        await pick_hub(update, context)
    elif action == "cats":
        await answer(query)
        rows = [
            [(label(context.t, INTEREST_LABELS[c]), pack("ac", "l", "cat", c, 0))]
            for c in catalog.CATEGORIES
        ]
        rows.append([(context.t.pgettext("button", "⬅ Back"), pack("ac", "m"))])
        await show(update, context, say(context.t, N_("Which kind of activity?")), buttons(rows))
    elif action == "find":
        await answer(query)
        await ask_search(update, context)
    elif action == "c" and data.arg(1).isdigit() and (where := Where.parse(data.arg(2))):
        await answer(query)
        await show_card(update, context, int(data.arg(1)), where, edit=True)
    elif action in ("ics", "map") and data.arg(1).isdigit():
        await send_extra(update, context, action, int(data.arg(1)))
    else:
        await answer(query, say(context.t, STALE_BUTTON))


async def pick_hub(update: Update, context: PortaContext) -> None:
    async with context.db() as session:
        hubs = await catalog.hubs(session)
    rows = [[(hub.name, pack("ac", "l", "hub", hub.id, 0))] for hub in hubs]
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("ac", "m"))])
    await show(update, context, say(context.t, N_("Which hub?")), buttons(rows))


async def ask_search(update: Update, context: PortaContext) -> None:
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        users.wait_for(user, "search")
    text = say(context.t, N_("🔎 Write a word to look for, for example: football."))
    await reply(update, context, text)


async def search_text(update: Update, context: PortaContext, text: str) -> None:
    """Typed words after 🔎 Search: list the activities they name."""
    async with context.db.begin() as session:
        await users.stop_waiting(session, ids(update)[0])
    words = re.sub(r"[:.\s]+", " ", text).strip()
    while len(words.encode()) > SEARCH_BYTES:
        words = words[:-1]
    await show_list(update, context, Where("q", words.strip(), 0), edit=False)


async def show_list(update: Update, context: PortaContext, where: Where, edit: bool = True) -> None:
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
    default = context.settings.default_language
    rows = [
        [(list_label(context.t, a, default), pack("ac", "c", a.id, where.token()))]
        for a in page.activities
    ]
    nav = []
    if where.page > 0:
        nav.append(
            (
                context.t.pgettext("button", "◀ Previous"),
                pack("ac", "l", where.kind, where.arg, where.page - 1),
            )
        )
    if page.has_next:
        nav.append(
            (
                context.t.pgettext("button", "Next ▶"),
                pack("ac", "l", where.kind, where.arg, where.page + 1),
            )
        )
    if nav:
        rows.append(nav)
    rows.append([(context.t.pgettext("button", "⬅ Back"), pack("ac", "m"))])
    if page.activities:
        text = say(context.t, N_("Tap an activity to see more."))
    else:
        text = say(context.t, N_("Nothing here right now. Try another choice."))
    if hub is not None:
        text = hub_header(context, hub) + "\n\n" + text
    if edit and update.callback_query:
        await show(update, context, text, buttons(rows))
    else:
        await reply(update, context, text, buttons(rows))


def hub_header(context: PortaContext, hub: object) -> str:
    from bot.db.models import Hub

    assert isinstance(hub, Hub)
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


async def show_card(
    update: Update, context: PortaContext, activity_id: int, where: Where, *, edit: bool
) -> None:
    """The activity card, with sign-up or cancel, calendar, map and back."""
    user_id, _ = ids(update)
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
        if activity is None:
            text = say(context.t, links.NOT_FOUND)
            await reply(update, context, text)
            return
        taken, waiting = await catalog.counts(session, activity_id)
        mine = {s.activity_id: s for s in await signups.of_user(session, user_id)}.get(activity_id)
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
    if edit:
        await show(update, context, text, markup)
    else:
        await reply(update, context, text, markup)


async def send_extra(update: Update, context: PortaContext, action: str, activity_id: int) -> None:
    """The calendar file or the hub on the map."""
    async with context.db() as session:
        activity = await catalog.get_activity(session, activity_id)
    if activity is None:
        await answer(update.callback_query, say(context.t, STALE_BUTTON))
        return
    await answer(update.callback_query)
    _, chat_id = ids(update)
    if action == "map":
        hub = activity.hub
        await context.bot.send_venue(chat_id, hub.latitude, hub.longitude, hub.name, hub.address)
        return
    default = context.settings.default_language
    text = catalog.text_for(activity, context.t.locale, default)
    content = activity_ics(activity, text, context.settings.zone, context.bot.username or "porta")
    caption = say(
        context.t,
        N_("Open this file to add {title} to your calendar."),
        title=title_of(context.t, activity, default),
    )
    await context.bot.send_document(
        chat_id,
        InputFile(BytesIO(content), filename=f"activity-{activity.id}.ics"),
        caption=context.t.directed(caption),
    )
