"""What every case feature shares: the case card staff see in the group, the topic's name,
and telling the young person about their case in their own language.

The card is written in the team's language (PORTA_DEFAULT_LANGUAGE); what reaches the young
person is written in theirs, so a staff member who reads only Italian can answer an Arabic
speaker.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import scheduler
from bot.db.models import Case, Programme
from bot.i18n import N_, Translator, native_name, nN_, pN_
from bot.services import casedata, cases, operators, programmes
from bot.services.case_names import KIND_NAMES, STATUS_NAMES
from handlers.callbacks import number, pack
from handlers.common import NOT_FOUND, PortaContext, buttons, say
from handlers.labels import idea_lines
from handlers.screens import LISTEN, Screen, Shown, screen, toast

URGENCY_NAMES = {"high": N_("urgent"), "normal": N_("this month"), "low": N_("no hurry")}
# What the young person hears when staff change the status.
STATUS_TO_PERSON: dict[str, str | tuple[str, str]] = {
    "claimed": N_("👤 A person from the team is now looking after {reference}."),
    "review": N_("🔎 The team is now working on {reference}."),
    "answered": N_("✅ The team has answered you about {reference}."),
    "closed": nN_(
        "🔒 {reference} is closed. If you write again within {days} day, we open it again.",
        "🔒 {reference} is closed. If you write again within {days} days, we open it again.",
    ),
}
WITHDRAWN = N_("🗑 The young person deleted their data. Case withdrawn.")
ERASED = N_("🗑 {reference}: the details were deleted.")
REOPENED = N_("🔓 We opened {reference} again. The team will see your message.")
SIGNATURE = N_("— the Porta team")
SITUATIONS = {
    "leaving": pN_("situation", "🏚 I must leave my home soon"),
    "crowded": pN_("situation", "👥 I live with others and it is hard"),
    "shelter": pN_("situation", "🛏 I sleep in a shelter"),
    "street": pN_("situation", "🌃 I have nowhere to sleep"),
    "other": pN_("situation", "💭 Something else"),
}
WHEN = {
    "today": pN_("when", "🔴 Today"),
    "week": pN_("when", "🟠 This week"),
    "month": pN_("when", "🟡 This month"),
    "later": pN_("when", "🟢 No hurry"),
}
URGENCY_OF = {"today": "high", "week": "high", "month": "normal", "later": "low"}
NEEDS = {
    "home": pN_("need", "♿ An accessible home"),
    "support": pN_("need", "🤝 Support at home"),
}
# An offer of help (bot.services.offers): what, for mentoring on what, and when.
OFFERS = {
    "volunteer": pN_("offer", "🙋 Volunteer at a hub"),
    "mentor": pN_("offer", "🎓 Mentor a young person"),
    "host": pN_("offer", "🏡 Host a young person at home"),
}
SUBJECTS = {
    "study": pN_("mentoring", "📚 Study"),
    "work": pN_("mentoring", "💼 Work"),
    "italian": pN_("mentoring", "🗣 Italian"),
}
AVAILABLE = {
    "weekdays": pN_("available", "📅 On weekdays"),
    "evenings": pN_("available", "🌙 In the evenings"),
    "weekends": pN_("available", "☀️ At weekends"),
    "flexible": pN_("available", "🔄 It depends"),
}
CARD_BUTTONS = {
    "claim": pN_("button", "🙋 I take it"),
    "review": pN_("button", "🔎 In review"),
    "answered": pN_("button", "✅ Answered"),
    "close": pN_("button", "🔒 Close"),
    "quick": pN_("button", "↩️ Quick replies"),
    "reopen": pN_("button", "🔓 Reopen"),
}


def team_translator(context: PortaContext) -> Translator:
    return Translator(context.settings.default_language, context.settings.zone)


def person_translator(context: PortaContext, case: Case) -> Translator:
    return Translator(case.language, context.settings.zone)


async def programme_of(session: AsyncSession, case: Case) -> Programme | None:
    return await programmes.get(session, case.programme_id) if case.programme_id else None


NO_PROGRAMME = {"person": "person", "idea": "idea"}


def topic_name(case: Case, programme: Programme | None) -> str:
    """The topic's name, e.g. "H-2026-0042 · co-housing · 🔴 · ar"."""
    what = programme.external_id if programme else NO_PROGRAMME.get(case.kind, "?")
    if case.kind == "offer":
        what = f"offer · {(case.fields or {}).get('offer', '?')}"
    mark = cases.URGENCY_MARK.get(case.urgency, "🟡")
    return f"{case.reference} · {what} · {mark} · {case.language}"[:128]


def card(
    context: PortaContext, case: Case, programme: Programme | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The case card: its fields, its status, and the buttons staff act with."""
    t, default = team_translator(context), context.settings.default_language
    mark = cases.URGENCY_MARK.get(case.urgency, "🟡")
    lines = [
        f"{mark} <b>{case.reference}</b> · {html.escape(t(KIND_NAMES[case.kind]))}",
        say(
            t,
            N_("Language: {language}"),
            language=f"{native_name(case.language)} ({case.language})",
        ),
        say(t, N_("Status: {status}"), status=t(STATUS_NAMES.get(case.status, case.status))),
    ]
    if programme is not None:
        lines.append(
            say(t, N_("Programme: {title}"), title=programmes.title(programme, t.locale, default))
        )
    if case.urgency in URGENCY_NAMES and case.kind == "housing":
        lines.append(say(t, N_("Urgency: {urgency}"), urgency=t(URGENCY_NAMES[case.urgency])))
    if case.kind == "idea":
        fields = case.fields or {}
        lines += idea_lines(t, fields, fields.get("hub_name")) if fields else []
    else:
        lines += describe(t, case.fields or {})
    if case.health:
        lines += describe_health(t, case.health)
    if case.claimed_by and case.status != "closed":
        lines.append(say(t, N_("Followed by staff member {id}."), id=case.claimed_by))
    lines.append(
        t(
            N_(
                "Write in this topic to answer: the young person gets your words from "
                "Porta, not from you. Start with ! or /note for a note only staff see."
            )
        )
    )
    return "\n".join(lines), card_markup(t, case)


def describe(t: Translator, fields: dict[str, object]) -> list[str]:
    """The answers of a request form, one line each, in `t`'s language."""
    lines = []
    for key, labels in (("offer", OFFERS), ("subject", SUBJECTS), ("available", AVAILABLE)):
        entry = labels.get(str(fields.get(key)))
        if entry:
            lines.append(t.pgettext(*entry))
    if fields.get("neighbourhood"):
        lines.append(say(t, N_("📍 Neighbourhood: {name}"), name=fields["neighbourhood"]))
    if fields.get("household") == "alone":
        lines.append(t(N_("👤 Alone")))
    elif fields.get("household") == "others":
        lines.append(
            say(
                t,
                N_("👥 With others: {people} people, {children} children"),
                people=fields.get("people", "?"),
                children=fields.get("children", 0),
            )
        )
    for key, labels in (("situation", SITUATIONS), ("when", WHEN)):
        entry = labels.get(str(fields.get(key)))
        if entry:
            lines.append(t.pgettext(*entry))
    if fields.get("phone"):
        lines.append(say(t, N_("📞 Call: {phone}"), phone=fields["phone"]))
    elif fields.get("contact"):
        lines.append(t(N_("💬 Contact through this chat")))
    if fields.get("note"):
        lines.append(say(t, N_("📝 Note: {note}"), note=fields["note"]))
    return lines


def describe_health(t: Translator, health: dict[str, object]) -> list[str]:
    needs = health.get("needs")
    chosen = [t.pgettext(*NEEDS[n]) for n in needs if n in NEEDS] if isinstance(needs, list) else []
    lines = [say(t, N_("Health or disability, with consent: {needs}"), needs=", ".join(chosen))]
    if health.get("note"):
        lines.append(say(t, N_("♿ Note: {note}"), note=health["note"]))
    return lines


def card_markup(t: Translator, case: Case) -> InlineKeyboardMarkup:
    def button(action: str) -> tuple[str, str]:
        context, message = CARD_BUTTONS[action]
        return t.pgettext(context, message), pack("cs", case.id, action)

    if case.status == "closed":
        return buttons([[button("reopen")]])
    if case.kind == "idea":  # moderation first: handlers.ideas_staff
        if case.status == "answered":  # approved: on the board
            made = (t.pgettext("button", "💡 Make it an activity"), pack("is", case.id, "act"))
            return buttons([[made], [button("close")]])
        return buttons(
            [
                [
                    (t.pgettext("button", "✅ Approve"), pack("is", case.id, "ok")),
                    (t.pgettext("button", "✏️ Ask for changes"), pack("is", case.id, "ch")),
                ],
                [(t.pgettext("button", "❌ Decline"), pack("is", case.id, "no"))],
            ]
        )
    first = [button("claim")] if case.status == "new" else []
    first.append(button("review"))
    return buttons([first, [button("answered"), button("close")], [button("quick")]])


async def place(context: PortaContext, session: AsyncSession, case: Case) -> bool:
    """Give a case its topic and card in its team's group, if the team linked one."""
    group = await cases.group_of(session, case.team)
    if group is None:
        return False
    programme = await programme_of(session, case)
    text, markup = card(context, case, programme)
    name = topic_name(case, programme)
    await cases.place_in_group(session, case, group, name, text, markup.to_dict())
    return True


Message = str | tuple[str, str]  # a sentence, or its singular and plural (nN_)


def said(t: Translator, message: Message, **values: object) -> str:
    """`message` in `t`'s language; a plural one agrees with its {days}."""
    if isinstance(message, tuple):
        count = values.get("days", 1)
        text = t.ngettext(message[0], message[1], count if isinstance(count, int) else 1)
        return text.format(**{k: html.escape(str(v)) for k, v in values.items()})
    return say(t, message, **values)


async def tell_person(
    context: PortaContext,
    session: AsyncSession,
    case: Case,
    message: Message,
    values: Mapping[str, object] | None = None,
    *,
    spoken: bool = False,
) -> str:
    """Queue `message` for the young person in their language (`spoken`: with 🔊 Listen,
    which reads the case's status aloud); returns it in the team's language, for the note
    staff see in the topic."""
    days = int(context.settings.case_reopen_days)
    values = {"reference": case.reference, "days": days, **(values or {})}
    theirs = person_translator(context, case)
    markup = None
    if spoken and context.bot_data.get("voice") is not None:
        data = pack("vo", "s", "n", "case.status", case.id)
        markup = {"inline_keyboard": [[{"text": theirs.pgettext(*LISTEN), "callback_data": data}]]}
    text = theirs.directed(said(theirs, message, **values))
    await cases.to_person(session, case, text=text, reply_markup=markup)
    return said(team_translator(context), message, **values)


@screen("case.status")
async def status_screen(update: Update, context: PortaContext, case_id: int) -> Shown:
    """Where the person's case stands now, in their language (what 🔊 under a status
    message reads)."""
    async with context.db() as session:
        case = await cases.get(session, case_id)
    person = update.effective_user.id if update.effective_user else None
    if case is None or case.user_id != person or case.status not in STATUS_TO_PERSON:
        return Screen(say(context.t, NOT_FOUND))
    days = int(context.settings.case_reopen_days)
    text = said(context.t, STATUS_TO_PERSON[case.status], reference=case.reference, days=days)
    return Screen(text, spoken=("case.status", str(case.id)))


def kick(context: PortaContext) -> None:
    scheduler.kick(context.application)


NOT_HERE = N_("This case is not in this group.")
NOT_YOUR_TEAM = N_("Only the {team} team can act on this case.")
TEAM_NAMES = {"housing": N_("housing"), "youth": N_("youth workers")}


async def acting_on(
    update: Update, context: PortaContext, case_id: str
) -> tuple[Case | None, Screen | None]:
    """The case a staff button in a group names, if the one who tapped may act on it;
    otherwise the answer to give (a forged id, another group, no role for this team)."""
    chat, person, wanted = update.effective_chat, update.effective_user, number(case_id)
    if wanted is None or chat is None or person is None:
        return None, toast(say(context.t, NOT_HERE), alert=True)
    async with context.db() as session:
        case = await cases.get(session, wanted)
        role = await operators.role_of(session, person.id)
    if case is None or case.group_chat_id != chat.id:
        return None, toast(say(context.t, NOT_HERE), alert=True)
    if role not in cases.TEAM_ROLES[case.team]:
        team = context.t(TEAM_NAMES[case.team])
        return None, toast(say(context.t, NOT_YOUR_TEAM, team=team), alert=True)
    return case, None


async def card_screen(context: PortaContext, session: AsyncSession, case: Case) -> Screen:
    """The card as it is now, in place of the tapped one."""
    text, markup = card(context, case, await programme_of(session, case))
    return Screen(text, markup, replace=True)


async def refresh_card(context: PortaContext, session: AsyncSession, case: Case) -> None:
    """Bring the card in the topic up to date when no one tapped it (the person wrote
    again, or erased their data)."""
    text, markup = card(context, case, await programme_of(session, case))
    await stub_card(session, case, text, markup)


async def withdraw_all(context: PortaContext, session: AsyncSession, user_id: int) -> None:
    """/deleteme: the person's cases are erased; an open one's topic is told and closed,
    and every card loses the person's details."""
    t = team_translator(context)
    erased = await casedata.erase(session, user_id)
    for case in erased:
        if case.status == "withdrawn" and case.closed_at and case.group_chat_id:
            await cases.note_in_topic(session, case, say(t, WITHDRAWN))
            await cases.topic_call(session, case, "closeForumTopic")
        await stub_card(session, case, say(t, ERASED, reference=case.reference))
    kick(context)


async def stub_card(
    session: AsyncSession, case: Case, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """The card in the topic shows `text` now (without buttons, unless `markup`): after an
    erasure the person's details leave the group too."""
    if case.group_chat_id is not None and case.card_message_id is not None:
        await cases.to_group(
            session,
            case,
            "case-note",
            "editMessageText",
            text=text,
            reply_markup=markup.to_dict() if markup else None,
            message_id=case.card_message_id,
        )


def sos_button(t: Translator) -> tuple[str, str]:
    return t.pgettext("button", "🆘 Nowhere to sleep tonight"), pack("hs", "sos")


def talk_button(t: Translator, urgent: bool = False) -> tuple[str, str]:
    label = t.pgettext("button", "💬 Talk to a person now")
    return label, pack("ps", "open", "high" if urgent else "normal")
