"""💡 Propose an idea: a short guided form in the young person's language (title, what it is,
for whom, which hub, roughly when, what it needs, whether they would lead it, how others see
them), a summary, then a reference. A youth worker reads it first (handlers.ideas_staff);
the form lives in the forms table, so a restart loses nothing."""

from __future__ import annotations

from telegram import Update

from bot.db.models import Form, User
from bot.i18n import N_
from bot.services import cases, catalog, forms, ideas, users
from handlers import typed
from handlers.callbacks import Callback, number, pack
from handlers.casecard import kick, place, refresh_card, team_translator
from handlers.common import ALREADY_SAVED, PortaContext, buttons, ids, say
from handlers.labels import AGE_LABELS, NEED_LABELS, TIMING_LABELS, idea_lines, label
from handlers.screens import Screen, Shown, draw, frozen, replacing, screen, tapped, toast

QUESTIONS = {
    "title": N_(
        "💡 <b>Propose an idea</b>\nWhat would you like the hubs to do? "
        "Write a short title (up to 80 characters)."
    ),
    "body": N_("What is it? Say it in a few sentences (up to 600 characters)."),
    "ages": N_("Who is it for? Tap one or more, then Done."),
    "hub": N_("Where could it happen?"),
    "timing": N_("When, roughly?"),
    "needs": N_("What would it need? Tap what fits, then Done."),
    "lead": N_("Would you lead it, with help from a youth worker?"),
    "shown": N_("On the ideas board, how should others see you?"),
}
SENT = N_(
    "✅ <b>Thank you!</b> Your idea is <b>{reference}</b>.\n"
    "A youth worker reads it first. I will tell you here when others can see it."
)
NOT_YET = N_("To propose an idea, first tap /start and agree to how we use your data.")
GUARDIAN_FIRST = N_(
    "To propose an idea, a parent or guardian must agree first (see the code you got)."
)
OTHER_FORM = N_("You have a housing request you did not finish. Finish or stop it first.")
CHANGED = N_("✏️ The young person changed the idea. Read the card again.")


def choice(text: str, step: str, value: str | int) -> tuple[str, str]:
    return text, pack("ia", step, value)


def refusal(user: User | None) -> str | None:
    """Why this person may not propose an idea now, if they may not."""
    if user is None or user.step not in ("done", users.GUARDIAN):
        return NOT_YET
    if user.step == users.GUARDIAN or (user.age_band == "u14" and user.guardian_consent_at is None):
        return GUARDIAN_FIRST
    return None if users.may_store_personal_data(user) else NOT_YET


@screen("ideas.new")
async def propose(update: Update, context: PortaContext, idea_id: int = 0) -> Shown:
    """The first question of a new idea, or the summary of one to change."""
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        if refused := refusal(user):
            return Screen(say(context.t, refused))
        assert user is not None
        form = await forms.get(session, user_id)
        if form is not None and form.kind not in (ideas.KIND, "offer"):
            resume = (context.t.pgettext("button", "▶️ Continue"), pack("rq", "resume", "1"))
            return Screen(say(context.t, OTHER_FORM), buttons([[resume]]))
        idea = await ideas.get(session, idea_id) if idea_id else None
        if idea is not None and (idea.user_id != user_id or idea.status != "changes"):
            idea = None
        form = await ideas.start(session, user_id, idea)
        users.wait_for(user, "idea" if form.step in ideas.TYPED else None)
    return await draw("ideas.step", update, context, form)


@screen("ideas.step")
async def ask(update: Update, context: PortaContext, form: Form) -> Shown:
    """The question of the step the form is at."""
    t, step, data = context.t, form.step, form.data
    if step == "summary":
        return await draw("ideas.summary", update, context, form)
    rows: list[list[tuple[str, str]]] = []
    if step in ("ages", "needs"):
        labels = {key: AGE_LABELS[key] for key in ideas.AGES} if step == "ages" else NEED_LABELS
        for key, entry in labels.items():
            mark = "✅ " if key in data.get(step, []) else ""
            rows.append([choice(mark + label(t, entry), step, key)])
        rows.append([choice(t.pgettext("button", "Done"), step, ideas.DONE)])
    elif step == "hub":
        async with context.db() as session:
            listed = await catalog.hubs(session)
        rows += [[choice(hub.name, "hub", hub.id)] for hub in listed]
        rows.append([choice(t.pgettext("button", "Any hub"), "hub", ideas.ANY_HUB)])
    elif step == "timing":
        rows += [[choice(label(t, entry), "timing", key)] for key, entry in TIMING_LABELS.items()]
    elif step == "lead":
        rows.append([choice(t.pgettext("button", "🙋 Yes, I would lead it"), "lead", "yes")])
        rows.append([choice(t.pgettext("button", "🙂 No, I would take part"), "lead", "no")])
    elif step == "shown":
        name = update.effective_user.first_name if update.effective_user else ""
        rows.append([choice(say(t, N_("👤 My first name: {name}"), name=name), "shown", "name")])
        rows.append([choice(t.pgettext("button", "🙈 Just “a young person”"), "shown", "hub")])
    rows.append([choice(t.pgettext("button", "✖️ Stop"), "stop", "1")])
    return Screen(say(t, QUESTIONS[step]), buttons(rows))


async def hub_name(context: PortaContext, value: object) -> str | None:
    wanted = number(str(value or ""))
    if not wanted:
        return None
    async with context.db() as session:
        hub = await catalog.get_hub(session, wanted)
    return hub.name if hub else None


@screen("ideas.summary")
async def summary(update: Update, context: PortaContext, form: Form) -> Shown:
    t = context.t
    lines = [t(N_("📋 <b>Your idea</b>. Is it right?")), ""]
    lines += idea_lines(t, form.data, await hub_name(context, form.data.get("hub")))
    rows = [
        [choice(t.pgettext("button", "✅ Send"), "send", "1")],
        [choice(t.pgettext("button", "✏️ Start again"), "again", "1")],
        [choice(t.pgettext("button", "✖️ Stop"), "stop", "1")],
    ]
    return Screen("\n".join(lines), buttons(rows))


async def idea_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the idea form: answer, toggle, stop, start again, send, and
    "✏️ Change my idea" on a youth worker's request."""
    step, value = data.arg(0), data.arg(1)
    t = context.t
    if step in ("new", "edit"):
        idea_id = (number(value) or 0) if step == "edit" else 0
        return replacing(await propose(update, context, idea_id))
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        form = await forms.get(session, user_id)
        if refusal(user) or user is None or form is None or form.kind != ideas.KIND:
            return toast(say(t, ALREADY_SAVED))
        if step == "stop":
            await forms.drop(session, user_id)
            users.wait_for(user, None)
            stopped = Screen(say(t, N_("OK, I deleted this idea. Nothing was sent.")))
            return [frozen(update, tapped(update)), stopped]
        toggled = False
        if step == "send":
            if form.step != "summary":
                return toast(say(t, ALREADY_SAVED))
            sending = True
        else:
            sending = False
            hubs = [hub.id for hub in await catalog.hubs(session)]
            if step == "again" and form.step == "summary":
                keep = form.data.get("idea_id")
                form.step, form.data = "title", {"ages": [], "needs": [], "idea_id": keep}
            elif step != form.step or not ideas.valid(step, value, hubs):
                return toast(say(t, ALREADY_SAVED))
            else:
                ideas.answer(form, step, value)
            users.wait_for(user, "idea" if form.step in ideas.TYPED else None)
            toggled = step in ("ages", "needs") and form.step == step
    if sending:  # in a transaction of its own (SQLite has one writer)
        return await send(update, context, user_id)
    if toggled:  # the same question, its ticks changed
        return replacing(await draw("ideas.step", update, context, form))
    return [frozen(update, tapped(update)), *await draw("ideas.step", update, context, form)]


async def send(update: Update, context: PortaContext, user_id: int) -> Shown:
    """The idea, confirmed, waits for a youth worker: its case and card in their group."""
    name = update.effective_user.first_name if update.effective_user else ""
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        form = await forms.get(session, user_id)
        if user is None or form is None or form.kind != ideas.KIND or form.step != "summary":
            return toast(say(context.t, ALREADY_SAVED))
        idea = await ideas.send(session, user, form, name, context.t.locale)
        hub = await catalog.get_hub(session, idea.hub_id) if idea.hub_id else None
        fields = ideas.card_fields(idea, hub.name if hub else None)
        case = await ideas.case_of(session, idea)
        if case is None:
            case = await cases.open_case(
                session, user, ideas.KIND, language=idea.language, fields=fields, team="youth"
            )
            idea.case_id = case.id
            await place(context, session, case)
        else:
            case.fields = fields
            if case.status == "closed":
                await cases.reopen(session, case)
            await refresh_card(context, session, case)
            await cases.note_in_topic(session, case, say(team_translator(context), CHANGED))
        await forms.drop(session, user.id)
        users.wait_for(user, None)
        reference = case.reference
    kick(context)
    return [frozen(update, tapped(update)), Screen(say(context.t, SENT, reference=reference))]


async def take_text(update: Update, context: PortaContext) -> Shown | bool:
    """A typed answer the idea form waits for: the title or what it is."""
    return await typed.take(
        update,
        context,
        awaiting="idea",
        kind=ideas.KIND,
        typed=ideas.TYPED,
        check=typed.phone_or_limit(
            lambda step: ideas.TITLE_LIMIT if step == "title" else ideas.BODY_LIMIT
        ),
        answer=ideas.answer,
        screen="ideas.step",
        tidy=lambda step, text: " ".join(text.split()) if step == "title" else text.strip(),
    )
