"""Quick replies on a case card: a staff member taps one and the young person receives it
in their own language; the topic keeps a line saying what was sent, in the team's language.

Some ask one more thing first: within how many days the team answers, or which hub, day and
time the person should come.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from telegram import Update

from bot.db.models import Case
from bot.i18n import N_, Translator, nN_
from bot.services import cases, catalog, programmes
from handlers.callbacks import Callback, number, pack
from handlers.cards import now
from handlers.casecard import acting_on, card_screen, kick, team_translator, tell_person
from handlers.common import PortaContext, buttons, say
from handlers.screens import Screen, Shown, screen, toast

REPLIES: dict[str, str | tuple[str, str]] = {
    "ack": N_("🙂 Thank you for writing. A person from the team will answer you here soon."),
    "recv": nN_(
        "📬 We received your request {reference}. We will answer within {days} day.",
        "📬 We received your request {reference}. We will answer within {days} days.",
    ),
    "docs": N_(
        "📄 To go on, we need some documents: an ID or a residence permit, and an income "
        "statement (ISEE) if you have one. You can send a photo of them here."
    ),
    "meet": N_(
        "📍 Please come to {hub} on {date} at {time}. The address is {address}. "
        "Bring an ID if you have one."
    ),
    "call": N_("📞 Please call us at {phone}, Monday to Friday, from 9:00 to 13:00."),
    "try": N_("🙏 We cannot help with this request. You can try this: {title}, {contact}."),
    "close": N_(
        "👋 We are closing this request. Thank you for writing. If you need us again, write here."
    ),
}
LABELS = {
    "ack": N_("🙂 Thanks, we answer soon"),
    "recv": N_("📬 Received: we answer within …"),
    "docs": N_("📄 Documents needed"),
    "meet": N_("📍 Come to the hub on …"),
    "call": N_("📞 Please call us"),
    "try": N_("🙏 We cannot help, try …"),
    "close": N_("👋 Closing the request"),
}
SENT_NOTE = N_("↩️ Quick reply sent:\n{text}")
DAYS = (2, 5, 10)
TIMES = ("09:00", "10:00", "11:00", "12:00", "15:00", "16:00", "17:00", "18:00")


def row(case_id: int, label: str, *args: str | int) -> list[tuple[str, str]]:
    return [(label, pack("qr", case_id, *args))]


@screen("quick.menu")
async def quick_menu(update: Update, context: PortaContext, case_id: int) -> Shown:
    """The card's buttons become the list of quick replies."""
    t = team_translator(context)
    rows = [row(case_id, t(label), key) for key, label in LABELS.items()]
    rows.append(row(case_id, t.pgettext("button", "⬅️ Back"), "back"))
    return Screen(markup=buttons(rows), replace=True, keyboard_only=True)


def choices(t: Translator, case_id: int, key: str, options: list[tuple[str, str]]) -> Screen:
    rows = [row(case_id, label, key, value) for label, value in options]
    rows.append(row(case_id, t.pgettext("button", "⬅️ Back"), "menu"))
    return Screen(markup=buttons(rows), replace=True, keyboard_only=True)


async def quick_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """A quick reply, or one of the questions some ask first."""
    case, refusal = await acting_on(update, context, data.arg(0))
    if case is None:
        return refusal
    key, args = data.arg(1), data.args[2:]
    t = team_translator(context)
    if key == "menu":
        return await quick_menu(update, context, case.id)
    if key == "back":
        async with context.db() as session:
            return await card_screen(context, session, case)
    if case.status == "closed" or case.chat_id is None:
        return toast(say(context.t, N_("This case is closed.")), alert=True)
    if key == "recv" and not args:
        days = [(t.ngettext("{n} day", "{n} days", n).format(n=n), str(n)) for n in DAYS]
        return choices(t, case.id, "recv", days)
    if key == "meet" and len(args) < 3:
        return await meeting_choices(context, case.id, args)
    if key == "try" and not args:
        return await programme_choices(context, case.id)
    values = await values_for(context, case, key, args)
    if values is None:
        return toast(say(context.t, N_("This button is old. Open the quick replies again.")))
    staff_id = update.effective_user.id if update.effective_user else None
    async with context.db.begin() as session:
        stored = await cases.get(session, case.id)
        assert stored is not None
        ours = await tell_person(context, session, stored, REPLIES[key], values)
        await cases.note_in_topic(session, stored, say(t, SENT_NOTE, text=ours))
        cases.answered_by_staff(stored)
        await cases.audit(session, stored, staff_id, "quick reply", key)
        if key == "close":
            await cases.set_status(session, stored, "closed", staff_id)
            await cases.topic_call(session, stored, "closeForumTopic")
        shown = await card_screen(context, session, stored)
    kick(context)
    return [toast(say(context.t, N_("✓ Sent in their language."))), shown]


async def values_for(
    context: PortaContext, case: Case, key: str, args: tuple[str, ...]
) -> dict[str, object] | None:
    """The blanks of the reply `key`, in the young person's language; None if forged."""
    if key in ("ack", "docs", "close"):
        return {}
    if key == "recv":
        return {"days": int(args[0])} if args and args[0] in map(str, DAYS) else None
    if key == "call":
        async with context.db() as session:
            programme = await programmes.get(session, case.programme_id or 0)
        phone = programme.contact if programme and programme.contact else None
        return {"phone": phone or context.settings.hub_contact}
    theirs = Translator(case.language, context.settings.zone)
    async with context.db() as session:
        if key == "try" and args and number(args[0]) is not None:
            programme = await programmes.get(session, int(args[0]))
            if programme is None:
                return None
            name = programmes.title(programme, case.language, context.settings.default_language)
            return {"title": name, "contact": programme.contact or "-"}
        if key == "meet" and len(args) == 3 and number(args[0]) is not None:
            hub = await catalog.get_hub(session, int(args[0]))
            moment = meeting_time(args[1], args[2], theirs)
            if hub is None or moment is None:
                return None
            return {
                "hub": hub.name,
                "date": theirs.format_date(moment, "MMMMEEEEd"),
                "time": theirs.format_date(moment, "Hm"),
                "address": hub.address,
            }
    return None


def meeting_time(day: str, clock: str, t: Translator) -> datetime | None:
    try:
        moment = datetime.strptime(f"{day} {clock}", "%Y%m%d %H%M")
    except ValueError:
        return None
    return moment.replace(tzinfo=t.zone)


async def meeting_choices(context: PortaContext, case_id: int, args: tuple[str, ...]) -> Screen:
    """Which hub, then which of the next days, then what time."""
    t = team_translator(context)
    if not args:
        async with context.db() as session:
            hubs = await catalog.hubs(session)
        return choices(t, case_id, "meet", [(hub.name, str(hub.id)) for hub in hubs])
    hub = args[0]
    if len(args) == 1:
        today = now().astimezone(t.zone).date()
        days = [today + timedelta(days=n) for n in range(1, 8)]
        return day_choices(t, case_id, hub, days)
    rows = [row(case_id, clock, "meet", hub, args[1], clock.replace(":", "")) for clock in TIMES]
    rows = [[button for r in rows[i : i + 4] for button in r] for i in range(0, len(rows), 4)]
    rows.append(row(case_id, t.pgettext("button", "⬅️ Back"), "menu"))
    return Screen(markup=buttons(rows), replace=True, keyboard_only=True)


def day_choices(t: Translator, case_id: int, hub: str, days: list[date]) -> Screen:
    options = [
        (t.format_date(datetime.combine(d, datetime.min.time(), t.zone), "MMMEd"), d) for d in days
    ]
    rows = [row(case_id, label, "meet", hub, d.strftime("%Y%m%d")) for label, d in options]
    rows.append(row(case_id, t.pgettext("button", "⬅️ Back"), "menu"))
    return Screen(markup=buttons(rows), replace=True, keyboard_only=True)


async def programme_choices(context: PortaContext, case_id: int) -> Screen:
    t = team_translator(context)
    async with context.db() as session:
        listed = list(await programmes.housing(session)) + list(await programmes.emergency(session))
    default = context.settings.default_language
    options = [(programmes.title(p, t.locale, default), str(p.id)) for p in listed]
    return choices(t, case_id, "try", options)
