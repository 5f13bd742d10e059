"""🏠 Housing: the programmes and services as pages, "🆘 Nowhere to sleep tonight", and the
young person's own requests. The emergency screen asks nothing and stores nothing: it is
open to anyone, before onboarding and at any age."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Hub, Programme
from bot.i18n import N_, Translator
from bot.services import cases, catalog, forms, programmes, users
from bot.services.case_names import STATUS_NAMES
from handlers.callbacks import Callback, number, pack
from handlers.cards import now
from handlers.casecard import sos_button, talk_button
from handlers.common import NOT_FOUND, PortaContext, buttons, ids, say
from handlers.screens import Screen, Shown, Venue, draw, replacing, screen

HOUSING = N_(
    "🏠 <b>Housing</b>\n"
    "Here are the ways the city helps young people find a home. Tap one to read more "
    "and to ask about it."
)
EMERGENCY = N_(
    "🆘 <b>Nowhere to sleep tonight?</b>\n"
    "If you are in danger, call <b>{number}</b> now. It is free from any phone."
)
NO_SERVICE_TODAY = N_("No service is open today. Call the street unit or talk to a person.")
SEND_LOCATION = N_("📍 Send your location (📎 → Location) to see the nearest place.")
EMOJI = {"street-unit": "🚐", "canteen": "🍲", "night-shelter": "🛏", "day-centre": "🚿"}
CENTRE = (43.8430, 10.5050)  # the middle of the city, when nothing better is known


def title(context: PortaContext, programme: Programme) -> str:
    locale, default = context.t.locale, context.settings.default_language
    name = programmes.title(programme, locale, default)
    return f"{EMOJI.get(programme.external_id, '🏠')} {name}"


@screen("housing")
async def housing(update: Update, context: PortaContext) -> Shown:
    """The programmes and services, the emergency button, and the person's requests."""
    t = context.t
    async with context.db() as session:
        listed = list(await programmes.housing(session))
        services = [p for p in await programmes.emergency(session) if p.kind == "service"]
        mine = await cases.of_user(session, ids(update)[0])
        unfinished = await forms.get(session, ids(update)[0])
    rows = [[sos_button(t)]]
    if unfinished is not None:
        rows.append([(t.pgettext("button", "▶️ Continue your request"), pack("rq", "resume", 1))])
    rows += [[(title(context, p), pack("hs", "p", p.id))] for p in listed + services]
    if mine:
        rows.append([(t.pgettext("button", "📋 My requests"), pack("hs", "mine"))])
    return Screen(say(t, HOUSING), buttons(rows), spoken=("housing",))


@screen("housing.page")
async def page(update: Update, context: PortaContext, programme_id: int) -> Shown:
    """One programme or service on one screen: who, what, how, documents, contact."""
    t = context.t
    async with context.db() as session:
        programme = await programmes.get(session, programme_id)
    if programme is None:
        return Screen(say(t, NOT_FOUND))
    texts = programmes.texts(programme, t.locale, context.settings.default_language)
    lines = [f"<b>{html.escape(title(context, programme))}</b>"]
    for key, icon in (("who", "👥"), ("offers", "🎁"), ("apply", "📝"), ("documents", "📄")):
        if texts.get(key):
            lines.append(f"{icon} {html.escape(texts[key])}")
    lines += place_lines(t, programme)
    if programme.contact:
        lines.append(f"📞 {html.escape(programme.contact)}")
    rows = []
    if programme.kind == "housing":
        rows.append([(t.pgettext("button", "✉️ Ask about this"), pack("rq", "new", programme.id))])
    else:  # a service: the youth workers answer
        rows.append([(t.pgettext("button", "✉️ Ask about this"), pack("ps", "open", "normal"))])
    if programme.latitude is not None:
        rows.append([(t.pgettext("button", "📍 Map"), pack("hs", "map", programme.id))])
    rows.append([(t.pgettext("button", "⬅️ Back"), pack("hs", "list"))])
    text = "\n\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:])
    steady = "\n".join(line for line in text.splitlines() if not line.startswith("🕒"))
    spoken = ("housing.page", str(programme_id))
    return Screen(text, buttons(rows), spoken=spoken, steady=steady)


def place_lines(t: Translator, programme: Programme) -> list[str]:
    lines = []
    today = now().astimezone(t.zone)
    hours = programmes.openings(programme, today.date())
    if programme.hours:
        shown = ", ".join(f"{o.opens}–{o.closes}" for o in hours)
        lines.append(
            say(t, N_("🕒 Today: {hours}"), hours=shown) if hours else t(N_("🕒 Closed today."))
        )
    if programme.address:
        lines.append(f"📍 {html.escape(programme.address)}")
    return lines


@screen("emergency")
async def emergency(update: Update, context: PortaContext) -> Shown:
    """112, the street unit, what is open today with its hours, the nearest place as a
    venue, and a person to talk to; no form, nothing stored."""
    t = context.t
    async with context.db() as session:
        services = list(await programmes.emergency(session))
        user = await users.get(session, ids(update)[0]) if update.effective_user else None
        hubs = await catalog.hubs(session)
    lines = [say(t, EMERGENCY, number=context.settings.emergency_number)]
    today = now().astimezone(t.zone)
    open_today = []
    for service in services:
        hours = programmes.openings(service, today.date())
        if service.hours and not hours and service.address:
            continue  # a place closed today (a number to call is always given)
        name = html.escape(title(context, service))
        times = ", ".join(f"{o.opens}–{o.closes}" for o in hours)
        parts = [f"<b>{name}</b>"]
        if service.contact and service.address is None:
            parts.append(f"📞 {html.escape(service.contact)}")
        if times:
            parts.append(f"🕒 {times}")
        if service.address:
            parts.append(f"📍 {html.escape(service.address)}")
            open_today.append(service)
        lines.append(" · ".join(parts))
    if len(lines) == 1:
        lines.append(t(NO_SERVICE_TODAY))
    lines.append(t(SEND_LOCATION))
    rows = [[talk_button(t, urgent=True)]]
    if user is not None and user.step in ("done", users.GUARDIAN):
        rows.append([(t.pgettext("button", "🏠 Housing"), pack("hs", "list"))])
    markup = buttons(rows)
    steady = "\n\n".join((lines[0], lines[-1]))  # what is open changes by the day
    spoken = Screen("\n\n".join(lines), markup, spoken=("emergency",), steady=steady)
    shown: list[Screen] = [spoken]
    here = reference_point(user.neighbourhood if user else None, hubs)
    nearest = programmes.nearest(open_today, *here)
    if nearest is not None:
        shown.append(venue_of(context, nearest))
    return shown


def reference_point(neighbourhood: str | None, hubs: Sequence[Hub]) -> tuple[float, float]:
    """Where to look from: the hub of the person's neighbourhood, else the city centre."""
    for hub in hubs:
        if neighbourhood and hub.neighbourhood == neighbourhood:
            return hub.latitude, hub.longitude
    return CENTRE


def venue_of(context: PortaContext, programme: Programme) -> Screen:
    assert programme.latitude is not None and programme.longitude is not None
    return Screen(
        venue=Venue(
            programme.latitude,
            programme.longitude,
            title(context, programme)[:100],
            programme.address or "-",
        )
    )


@screen("housing.mine")
async def my_requests(update: Update, context: PortaContext) -> Shown:
    """The person's requests and conversations, with their status."""
    t = context.t
    async with context.db() as session:
        mine = await cases.of_user(session, ids(update)[0])
    if not mine:
        return Screen(t(N_("You have no requests yet.")), buttons([[back(t)]]))
    lines = [t(N_("📋 <b>Your requests</b>"))]
    for case in mine:
        status = t(STATUS_NAMES.get(case.status, case.status))
        opened = t.format_date(case.created_at, "yMMMd")
        lines.append(f"• <b>{case.reference}</b> · {html.escape(status)} · {opened}")
    return Screen("\n".join(lines), buttons([[back(t)]]), spoken=("housing.mine",))


def back(t: Translator) -> tuple[str, str]:
    return t.pgettext("button", "⬅️ Back"), pack("hs", "list")


async def housing_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """The housing screens' buttons; 🆘 works for anyone, before onboarding too."""
    action = data.arg(0)
    if action == "sos":
        return await draw("emergency", update, context)
    async with context.db() as session:
        user = await users.get(session, ids(update)[0])
    if user is None or user.step not in ("done", users.GUARDIAN):
        return await draw("emergency", update, context)
    wanted = number(data.arg(1))
    if action == "p" and wanted is not None:
        return replacing(await draw("housing.page", update, context, wanted))
    if action == "map" and wanted is not None:
        async with context.db() as session:
            programme = await programmes.get(session, wanted)
        if programme is None or programme.latitude is None:
            return Screen(say(context.t, NOT_FOUND))
        return venue_of(context, programme)
    if action == "mine":
        return replacing(await draw("housing.mine", update, context))
    return replacing(await draw("housing", update, context))


async def sos_command(update: Update, context: PortaContext) -> Shown:
    """/sos: the emergency screen, for anyone."""
    return await draw("emergency", update, context)


async def take_location(update: Update, context: PortaContext) -> Shown | bool:
    """A location sent outside a conversation: the nearest place open now or today."""
    message = update.message
    if message is None or message.location is None:
        return False
    async with context.db() as session:
        services = [s for s in await programmes.emergency(session) if s.address]
    moment: datetime = now().astimezone(context.t.zone)
    open_now = [s for s in services if programmes.open_at(s, moment)]
    today = [s for s in services if programmes.openings(s, moment.date())]
    spot = message.location
    nearest = programmes.nearest(open_now or today or services, spot.latitude, spot.longitude)
    if nearest is None:
        return await draw("emergency", update, context)
    text = say(context.t, N_("📍 The nearest place for you: {name}."), name=title(context, nearest))
    markup: InlineKeyboardMarkup = buttons([[talk_button(context.t, urgent=True)]])
    return [Screen(text, markup), venue_of(context, nearest)]
