"""🤝 Offer help: anyone who uses Porta (not only young people) offers to volunteer at a hub,
mentor a young person or host one at home. A short form (what, when, neighbourhood, contact),
a summary, then a case of kind "offer" in the right team's group, with the card, statuses,
quick replies and retention of every case. The form lives in the forms table."""

from __future__ import annotations

from telegram import Update

from bot.db.models import Form, User
from bot.i18n import N_, Translator
from bot.services import cases, forms, offers, users
from handlers import typed
from handlers.callbacks import Callback, pack
from handlers.casecard import AVAILABLE, OFFERS, SUBJECTS, describe, kick, place
from handlers.common import (
    ALREADY_SAVED,
    PortaContext,
    buttons,
    ids,
    say,
)
from handlers.screens import Screen, Shown, draw, frozen, replacing, screen, tapped, toast

QUESTIONS = {
    "what": N_("🤝 <b>Offer help</b>\nThank you! How would you like to help?"),
    "subject": N_("What would you like to help with?"),
    "available": N_("When are you free?"),
    "neighbourhood": N_(
        "Which neighbourhood do you live in? Write it (up to 80 characters), or tap Skip."
    ),
    "contact": N_("How should the team contact you?"),
    "phone": N_("📞 Type your phone number."),
}
HOSTING = N_(
    "🏡 Hosting is a big step. Before anything happens, the housing team meets you in person. "
    "No one comes to your home without this meeting."
)
SENT = N_(
    "✅ <b>Thank you!</b> Your offer is <b>{reference}</b>.\n"
    "The team writes to you in this chat. You can write here at any time: it reaches them."
)
NOT_YET = N_("To offer help, first tap /start and agree to how we use your data.")
TOO_YOUNG = N_(
    "Thank you! Offers of help are for people aged 14 and over. Ask at your hub how you can "
    "take part."
)
OTHER_FORM = N_("You have a housing request you did not finish. Finish or stop it first.")


def choice(label: str, step: str, value: str) -> tuple[str, str]:
    return label, pack("oh", step, value)


def stop_row(t: Translator, skip: str | None = None) -> list[tuple[str, str]]:
    row = [choice(t.pgettext("button", "✖️ Stop"), "stop", "1")]
    if skip:
        row.insert(0, choice(t.pgettext("button", "Skip ▶"), skip, offers.SKIP))
    return row


def adult(user: User) -> bool:
    return user.age_band in ("18_24", "25_35", "o35")


@screen("offer.start")
async def start_offer(update: Update, context: PortaContext) -> Shown:
    """The first question of a new offer (or why one cannot be made yet)."""
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        if refused := refusal(user):
            return Screen(say(context.t, refused))
        assert user is not None
        form = await forms.get(session, user_id)
        if form is not None and form.kind != offers.KIND:
            resume = (context.t.pgettext("button", "▶️ Continue"), pack("rq", "resume", "1"))
            return Screen(say(context.t, OTHER_FORM), buttons([[resume]]))
        form = await offers.start(session, user_id)
        users.wait_for(user, None)
    return await draw("offer.step", update, context, form)


def refusal(user: User | None) -> str | None:
    """Why this person may not send an offer now, if they may not."""
    if user is None or user.step == users.GUARDIAN or user.age_band == "u14":
        return TOO_YOUNG if user is not None else NOT_YET
    if user.step != "done" or not users.may_store_personal_data(user):
        return NOT_YET
    return None


@screen("offer.step")
async def ask(update: Update, context: PortaContext, form: Form) -> Shown:
    """The question of the step the form is at."""
    t, step = context.t, form.step
    if step == "summary":
        return await draw("offer.summary", update, context, form)
    text = say(t, QUESTIONS[step])
    if step == "available" and form.data.get("what") == "host":
        text = say(t, HOSTING) + "\n\n" + text
    rows: list[list[tuple[str, str]]] = []
    labels = {"what": OFFERS, "subject": SUBJECTS, "available": AVAILABLE}.get(step, {})
    async with context.db() as session:
        user = await users.get(session, ids(update)[0])
    for key, entry in labels.items():
        if step == "what" and key == "host" and not (user and adult(user)):
            continue  # hosting is for adults
        rows.append([choice(t.pgettext(*entry), step, key)])
    if step == "contact":
        rows.append([choice(t.pgettext("button", "💬 Through this chat"), "contact", "bot")])
        rows.append([choice(t.pgettext("button", "📞 By phone"), "contact", "phone")])
    rows.append(stop_row(t, skip="neighbourhood" if step == "neighbourhood" else None))
    return Screen(text, buttons(rows))


@screen("offer.summary")
async def summary(update: Update, context: PortaContext, form: Form) -> Shown:
    t = context.t
    lines = [t(N_("📋 <b>Your offer</b>. Is it right?"))]
    lines += describe(t, offers.fields_of(form.data))
    if form.data.get("what") == "host":
        lines.append("\n" + say(t, HOSTING))
    rows = [
        [choice(t.pgettext("button", "✅ Send"), "send", "1")],
        [choice(t.pgettext("button", "✏️ Start again"), "again", "1")],
        stop_row(t),
    ]
    return Screen("\n".join(lines), buttons(rows))


async def offer_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the offer form: answer, skip, stop, start again, send."""
    step, value = data.arg(0), data.arg(1)
    user_id, _ = ids(update)
    t = context.t
    if step == "new":
        return replacing(await start_offer(update, context))
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        form = await forms.get(session, user_id)
        if user is None or refusal(user) or form is None or form.kind != offers.KIND:
            return toast(say(t, ALREADY_SAVED))
        if step == "stop":
            await forms.drop(session, user_id)
            users.wait_for(user, None)
            stopped = Screen(say(t, N_("OK, I deleted this offer. Nothing was sent.")))
            return [frozen(update, tapped(update)), stopped]
        if step == "send" and form.step == "summary":
            case = await cases.open_case(
                session,
                user,
                offers.KIND,
                language=t.locale,
                fields=offers.fields_of(form.data),
                team=offers.team_of(form.data),
            )
            await place(context, session, case)
            await forms.drop(session, user_id)
            users.wait_for(user, None)
            kick(context)
            return [frozen(update, tapped(update)), Screen(say(t, SENT, reference=case.reference))]
        if step == "again" and form.step == "summary":
            form.step, form.data = "what", {}
        elif step != form.step or not offers.valid(step, value, adult(user)):
            return toast(say(t, ALREADY_SAVED))
        else:
            offers.answer(form, step, value)
        users.wait_for(user, "offer" if form.step in offers.TYPED else None)
    return [frozen(update, tapped(update)), *await draw("offer.step", update, context, form)]


async def take_text(update: Update, context: PortaContext) -> Shown | bool:
    """A typed answer the offer form waits for: the neighbourhood or a phone number."""
    return await typed.take(
        update,
        context,
        awaiting="offer",
        kind=offers.KIND,
        typed=offers.TYPED,
        check=typed.phone_or_limit(
            lambda step: offers.NEIGHBOURHOOD_LIMIT if step == "neighbourhood" else None
        ),
        answer=offers.answer,
        screen="offer.step",
        tidy=lambda step, text: " ".join(text.split()),
    )
