"""💬 Talk to a person, and everything a young person sends while a case is open: it is
copied into the case's topic in the staff group (text, voice notes, photos, documents,
locations), through the outbox at the group's pace.

A closed case is reopened when the person writes again within PORTA_CASE_REOPEN_DAYS;
after that, writing starts a new conversation with the youth workers.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.db.models import Case, User
from bot.i18n import N_
from bot.services import cases, users
from handlers.callbacks import Callback
from handlers.casecard import REOPENED, kick, place, refresh_card, sos_button, team_translator
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.screens import Screen, Shown, frozen, listed, screen

OPEN_NOW = N_(
    "💬 <b>Talk to a person</b>\n"
    "Write your message now: text, a voice note, a photo or a document. A youth worker "
    "answers here, in this chat. Your message goes only to the team.\n\n"
    "In danger? Call {number}."
)
CONTINUE = N_(
    "💬 Your conversation <b>{reference}</b> is open. Write here: it reaches the team. "
    "They answer in this chat."
)
SENT = N_(
    "✓ Sent to the team ({reference}). A person will answer here, usually within two working "
    "days. In danger? Call {number}."
)
ACK_EVERY = timedelta(minutes=10)  # no second "sent" while the person keeps writing


@screen("person")
async def talk_to_person(update: Update, context: PortaContext, urgency: str = "normal") -> Shown:
    """Open a conversation with the youth workers, or say that one is open."""
    user_id, _ = ids(update)
    t, number = context.t, context.settings.emergency_number
    async with context.db.begin() as session:
        # Someone who never finished (or began) onboarding may still talk to a person:
        # Porta keeps only their id and language, as /start does.
        user = await users.ensure(session, *ids(update), context.telegram_locale)
        case = await cases.current(session, user_id, "person")
        if case is not None:
            return Screen(say(t, CONTINUE, reference=case.reference))
        users.wait_for(user, f"person:{urgency}")
    rows = [[sos_button(t)]]
    return Screen(say(t, OPEN_NOW, number=number), buttons(rows))


async def person_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """ "Talk to a person now" (from the emergency screen, a refused form, a page), and
    "💬 Send this to a youth worker" under something they sent (handlers.free_words)."""
    if data.arg(0) == "fwd":
        return [frozen(update), *listed(await forward(update, context, data.arg(1)))]
    urgency = "high" if data.arg(1) == "high" else "normal"
    return [frozen(update), *listed(await talk_to_person(update, context, urgency))]


async def take_message(update: Update, context: PortaContext) -> Shown | bool:
    """Anything the person sends outside a form while they talk to the team: it goes to the
    case's topic. Not taken (False) when no conversation is open or waiting."""
    message = update.message
    if message is None or update.effective_user is None:
        return False
    user_id = update.effective_user.id
    t = context.t
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        if user is None:
            return False
        case, note = await conversation(context, session, user)
        if case is None:
            return False
        await cases.copy_in(session, case, message.message_id)
        moment = cases.now()
        quiet = case.acknowledged_at and cases.aware(case.acknowledged_at) > moment - ACK_EVERY
        if not quiet:
            case.acknowledged_at = moment
    kick(context)
    if note:
        return Screen(say(t, note, reference=case.reference))
    if quiet:
        return True
    return Screen(say(t, SENT, reference=case.reference, number=context.settings.emergency_number))


async def conversation(
    context: PortaContext, session: AsyncSession, user: User
) -> tuple[Case | None, str | None]:
    """The case a message belongs to: the open one, a recently closed one (reopened), or a
    new conversation the person asked for; with a line to tell them, if any."""
    waiting = user.awaiting or ""
    asked = waiting.startswith("person:")  # they tapped "talk to a person" just before
    if asked:
        users.wait_for(user, None)
    kind = "person" if asked else None
    case = await cases.current(session, user.id, kind)
    if case is not None:
        return case, None
    closed = await cases.reopenable(session, user.id, context.settings.case_reopen_days, kind)
    if closed is not None:
        await cases.reopen(session, closed)
        await reopen_topic(context, session, closed)
        return closed, REOPENED
    # Someone the team talked with before, writing long after, starts a new conversation too.
    if not asked and not await cases.of_user(session, user.id):
        return None, None
    urgency = "high" if waiting == "person:high" else "normal"
    return await new_conversation(context, session, user, urgency), None


async def new_conversation(
    context: PortaContext, session: AsyncSession, user: User, urgency: str
) -> Case:
    opened = await cases.open_case(
        session, user, "person", language=context.t.locale, urgency=urgency
    )
    await place(context, session, opened)
    return opened


async def reopen_topic(context: PortaContext, session: AsyncSession, case: Case) -> None:
    """The team sees the case come back: its topic reopens with a line saying why."""
    if case.group_chat_id is None:
        await place(context, session, case)
        return
    await cases.topic_call(session, case, "reopenForumTopic")
    await refresh_card(context, session, case)
    t = team_translator(context)
    await cases.note_in_topic(
        session, case, say(t, N_("🔓 The young person wrote again: the case is open again."))
    )


async def forward(update: Update, context: PortaContext, message: str) -> Shown:
    """The message the person sent (in their own chat) goes to a conversation with the youth
    workers: the open one, a recently closed one (reopened), or a new one."""
    if not message.isdigit():
        return Screen(say(context.t, STALE_BUTTON))
    t = context.t
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update), context.telegram_locale)
        users.wait_for(user, "person:normal")  # as if they had tapped "talk to a person"
        case, note = await conversation(context, session, user)
        assert case is not None
        await cases.copy_in(session, case, int(message))
        case.acknowledged_at = cases.now()
    kick(context)
    if note:
        return Screen(say(t, note, reference=case.reference))
    return Screen(say(t, SENT, reference=case.reference, number=context.settings.emergency_number))
