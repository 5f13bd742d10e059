"""The housing request form: programme, household, situation and urgency, contact,
health or disability needs (only after an explicit consent), a note, a summary, then a
reference. The form lives in the forms table: a restart loses nothing, and the person can
continue or abandon it later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.db.models import Form, User
from bot.i18n import N_, Translator
from bot.services import cases, forms, programmes, users
from handlers import typed
from handlers.callbacks import Callback, number, pack
from handlers.casecard import (
    NEEDS,
    SITUATIONS,
    URGENCY_OF,
    WHEN,
    describe,
    describe_health,
    kick,
    place,
    sos_button,
    talk_button,
)
from handlers.common import (
    ALREADY_SAVED,
    PortaContext,
    buttons,
    ids,
    say,
)
from handlers.screens import Screen, Shown, draw, frozen, replacing, screen, tapped, toast

NOTE_LIMIT = 1000
TYPED = ("phone", "access_note", "note")  # steps answered by typing
UNDER_14 = N_(
    "To send a housing request, a parent or guardian must agree first (see the code you got). "
    "You can still get help now:"
)
NO_CONSENT = N_(
    "To send a request, I must save your answers. You said no to this. You can agree in "
    "⚙️ Settings. You can still get help now:"
)
QUESTIONS = {
    "programme": N_("🏠 What would you like to ask about?"),
    "household": N_("👥 Do you look for a home alone or with others?"),
    "people": N_("How many people, you included?"),
    "children": N_("How many of them are children?"),
    "situation": N_("Where do you live now?"),
    "when": N_("When do you need a home?"),
    "contact": N_("How should the team contact you?"),
    "phone": N_("📞 Type your phone number."),
    "access": N_(
        "Do you need an accessible home, or support at home, because of health or a disability?"
    ),
    "consent": N_(
        "🔐 <b>This is health information.</b> It is private. Only the housing team sees it. "
        "We delete it at the latest {days} days after your request is closed, or at once "
        "when you ask (/deleteme).\n\n"
        "Do you agree that we save it for your request?"
    ),
    "needs": N_("What do you need?"),
    "access_note": N_("Write more about it if you want (up to 1000 characters), or tap Skip."),
    "note": N_(
        "📝 Anything else the team should know? Write it (up to 1000 characters), or tap Skip."
    ),
}
SENT = N_(
    "✅ <b>Sent!</b> Your reference is <b>{reference}</b>.\n"
    "The housing team answers in this chat, usually within a few working days. "
    "You can write here at any time: it reaches them."
)


def choice(label: str, step: str, value: str | int) -> tuple[str, str]:
    return label, pack("rq", step, value)


def button(t: Translator, entry: tuple[str, str], step: str, value: str) -> tuple[str, str]:
    return t.pgettext(*entry), pack("rq", step, value)


def nav(t: Translator, skip: str | None = None) -> list[tuple[str, str]]:
    row = [(t.pgettext("button", "✖️ Stop"), pack("rq", "stop"))]
    if skip:
        row.insert(0, (t.pgettext("button", "Skip ▶"), pack("rq", skip, "-")))
    return row


@screen("request.step")
async def ask(update: Update, context: PortaContext, form: Form) -> Shown:
    """The question of the step the form is at."""
    t, step = context.t, form.step
    if step == "summary":
        return await draw("request.summary", update, context, form)
    text = say(t, QUESTIONS[step], days=int(context.settings.case_retention_days))
    rows: list[list[tuple[str, str]]] = []
    if step == "programme":
        async with context.db() as session:
            listed = await programmes.housing(session)
        default = context.settings.default_language
        for programme in listed:
            name = programmes.title(programme, t.locale, default)
            rows.append([choice(name, "programme", programme.id)])
        rows.append([choice(t.pgettext("button", "🤔 I am not sure"), "programme", 0)])
    elif step == "household":
        rows.append(
            [
                choice(t.pgettext("button", "👤 Alone"), "household", "alone"),
                choice(t.pgettext("button", "👥 With others"), "household", "others"),
            ]
        )
    elif step == "people":
        rows.append(
            [choice(str(n), "people", n) for n in (2, 3, 4, 5)] + [choice("6+", "people", 6)]
        )
    elif step == "children":
        none = choice(t.pgettext("button", "None"), "children", 0)
        rows.append(
            [none, *(choice(str(n), "children", n) for n in (1, 2)), choice("3+", "children", 3)]
        )
    elif step == "situation":
        rows += [[button(t, entry, "situation", key)] for key, entry in SITUATIONS.items()]
    elif step == "when":
        rows += [[button(t, entry, "when", key)] for key, entry in WHEN.items()]
    elif step == "contact":
        rows.append([choice(t.pgettext("button", "💬 Through this chat"), "contact", "bot")])
        rows.append([choice(t.pgettext("button", "📞 By phone"), "contact", "phone")])
    elif step == "access":
        rows.append(
            [
                choice(t.pgettext("button", "No"), "access", "no"),
                choice(t.pgettext("button", "Yes"), "access", "yes"),
            ]
        )
    elif step == "consent":
        rows.append([choice(t.pgettext("button", "✅ I agree"), "consent", "yes")])
        rows.append([choice(t.pgettext("button", "No, skip this"), "consent", "no")])
    elif step == "needs":
        rows += [[button(t, entry, "needs", key)] for key, entry in NEEDS.items()]
        rows.append([choice(t.pgettext("button", "Both"), "needs", "both")])
    rows.append(nav(t, skip=step if step in ("access_note", "note") else None))
    return Screen(text, buttons(rows))


@screen("request.summary")
async def summary(update: Update, context: PortaContext, form: Form) -> Shown:
    t, data = context.t, form.data
    lines = [t(N_("📋 <b>Your request</b>. Is it right?"))]
    if data.get("programme_id"):
        async with context.db() as session:
            programme = await programmes.get(session, int(data["programme_id"]))
        if programme is not None:
            default = context.settings.default_language
            lines.append("🏠 " + programmes.title(programme, t.locale, default))
    lines += describe(t, fields_of(data))
    if data.get("health"):
        lines += describe_health(t, data["health"])
    rows = [
        [choice(t.pgettext("button", "✅ Send"), "send", "1")],
        [choice(t.pgettext("button", "✏️ Start again"), "again", "1")],
        nav(t),
    ]
    return Screen("\n".join(lines), buttons(rows))


def fields_of(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("household", "people", "children", "situation", "when", "contact", "phone", "note")
    return {k: data[k] for k in keys if data.get(k) not in (None, "")}


@screen("request.refused")
async def refused(update: Update, context: PortaContext, user: User | None) -> Shown:
    t = context.t
    under_14 = user is not None and (user.step == users.GUARDIAN or user.age_band == "u14")
    message = UNDER_14 if under_14 else NO_CONSENT
    rows = [[sos_button(t)], [talk_button(t)]]
    return Screen(say(t, message), buttons(rows))


def may_file(user: User | None) -> bool:
    """Only someone who finished onboarding, agreed to the notice and, under 14, has a
    guardian's consent, may file a request."""
    if user is None or user.step != "done":
        return False
    if user.age_band == "u14" and user.guardian_consent_at is None:
        return False
    return users.may_store_personal_data(user)


async def form_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the form: start, continue, answer, skip, stop, send. The next
    question is drawn once the answer is saved (a screen may read the database too)."""
    step, value = data.arg(0), data.arg(1)
    user_id, _ = ids(update)
    t = context.t
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        form = await forms.get(session, user_id) if user is not None else None
        allowed = user is not None and may_file(user)
        if allowed and user is not None and step == "new":
            if form is not None and value != "fresh":
                return unfinished(t)
            programme_id = number(value)
            if programme_id is not None and not await is_housing(session, value):
                programme_id = None  # a forged or removed programme: ask which one
            form = await forms.start(session, user.id, "housing", programme_id)
            users.wait_for(user, None)
        elif not allowed or user is None:
            pass
        elif step == "stop":
            await forms.drop(session, user_id)
            users.wait_for(user, None)
            stopped = Screen(say(t, N_("OK, I deleted this request. Nothing was sent.")))
            return [frozen(update, tapped(update)), stopped]
        elif form is None:
            return toast(say(t, ALREADY_SAVED))
        elif step == "send" and form.step == "summary":
            return await send(update, context, session, user, form)
        elif step == "again" and form.step == "summary":
            forms.restart(form)
        elif step == "resume":
            pass
        elif not await answerable(session, form, step, value):
            return toast(say(t, ALREADY_SAVED))
        else:
            forms.answer(form, step, value, datetime.now(UTC))
        if allowed and user is not None and form is not None:
            users.wait_for(user, "form" if form.step in TYPED else None)
    if not allowed:
        return replacing(await draw("request.refused", update, context, user))
    assert form is not None
    if step in ("new", "resume"):
        return replacing(await draw("request.step", update, context, form))
    return [frozen(update, tapped(update)), *await draw("request.step", update, context, form)]


async def answerable(session: AsyncSession, form: Form, step: str, value: str) -> bool:
    """Whether a tapped answer fits the question the form is at (not an old or forged one)."""
    if step != form.step or not forms.valid(step, value):
        return False
    return step != "programme" or value == "0" or await is_housing(session, value)


async def is_housing(session: AsyncSession, value: str) -> bool:
    wanted = number(value)
    programme = await programmes.get(session, wanted) if wanted is not None else None
    return programme is not None and programme.kind == "housing"


def unfinished(t: Translator) -> Screen:
    """Offer to continue the request left half way, or to start a new one."""
    rows = [
        [choice(t.pgettext("button", "▶️ Continue"), "resume", "1")],
        [choice(t.pgettext("button", "🗑 Start a new one"), "new", "fresh")],
    ]
    return Screen(t(N_("You have a request you did not finish.")), buttons(rows))


async def send(
    update: Update, context: PortaContext, session: AsyncSession, user: User, form: Form
) -> Shown:
    """The confirmed request becomes a case with a reference, placed in the housing group."""
    data = form.data
    health = data.get("health")
    programme = await programmes.get(session, int(data.get("programme_id") or 0))
    case = await cases.open_case(
        session,
        user,
        "housing",
        language=context.t.locale,
        programme_id=int(data["programme_id"]) if data.get("programme_id") else None,
        urgency=URGENCY_OF.get(str(data.get("when")), "normal"),
        fields=fields_of(data),
        health={"needs": health.get("needs", []), "note": health.get("note", "")}
        if health
        else None,
        health_consent_at=datetime.fromisoformat(health["consent_at"]) if health else None,
        # Who answers about this programme; health needs are for housing staff only.
        team=programme.team if programme and not health else None,
    )
    await place(context, session, case)
    await forms.drop(session, user.id)
    users.wait_for(user, None)
    kick(context)
    sent = Screen(say(context.t, SENT, reference=case.reference))
    return [frozen(update, tapped(update)), sent]


async def take_text(update: Update, context: PortaContext) -> Shown | bool:
    """A typed answer the form is waiting for: a phone number or a note."""
    return await typed.take(
        update,
        context,
        awaiting="form",
        typed=TYPED,
        check=typed.phone_or_limit(lambda step: NOTE_LIMIT),
        answer=lambda form, step, text: forms.answer(form, step, text, datetime.now(UTC)),
        screen="request.step",
    )
