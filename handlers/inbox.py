"""The staff inbox: each team's Telegram supergroup with one topic per case.

`/link housing` (or `/link youth`), typed by a Porta admin in the group, links it once Porta
is an administrator there allowed to manage topics. What a staff member writes in a case's
topic reaches the young person from Porta, signed "the Porta team" and never showing who
wrote it; a message starting with `!` or `/note` is a note and stays in the group. The card's
buttons claim the case and change its status; the young person hears of it in their language.
"""

from __future__ import annotations

import html
import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot import groups
from bot.db.models import Case
from bot.i18n import N_
from bot.services import casedata, cases, ideas, operators
from bot.services.case_names import STATUS_NAMES
from handlers.callbacks import Callback
from handlers.casecard import (
    ERASED,
    SIGNATURE,
    STATUS_TO_PERSON,
    TEAM_NAMES,
    acting_on,
    card_screen,
    kick,
    person_translator,
    place,
    stub_card,
    team_translator,
    tell_person,
)
from handlers.common import PortaContext, say
from handlers.screens import Shown, draw, toast

log = logging.getLogger(__name__)

LINK_PROBLEMS = {
    "not_found": N_("I cannot see this group. Add me to it first."),
    "not_forum": N_("This group has no topics. Turn on Topics in the group settings."),
    "not_admin": N_("Make me an administrator of this group."),
    "no_topics_right": N_("Give me the right to manage topics."),
}
LINK_USAGE = N_("Write /link housing or /link youth in the team's group.")
ONLY_ADMINS = N_("Only a Porta admin can link a group.")
LINKED = N_("✅ Linked. Each new case of the {team} team opens its own topic here.")
NO_ROLE = N_(
    "⚠️ Not sent: you have no {team} role in Porta. Ask an admin to give you one. "
    "Start with ! for a note only staff see."
)
CLOSED = N_("⚠️ Not sent: the case is closed. Tap 🔓 Reopen on its card first.")
GONE = N_("⚠️ Not sent: the young person deleted their data.")
MEDIA_WITH_CAPTION = ("photo", "video", "animation", "audio", "document", "voice")


async def in_groups(update: Update, context: PortaContext) -> None:
    """Messages in staff groups (a command to link one, staff writing in a case's topic);
    nothing else from groups or channels goes further. Buttons in groups go on to their
    handlers, which check the case and the role of the one who tapped."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if update.callback_query is not None:
        return  # handlers.gate lets through the buttons that work in groups
    message = update.message
    if message is not None and update.effective_user is not None:
        text = message.text or ""
        if text.split("@")[0].split(" ")[0] == "/link":
            await link(update, context, message)
        elif message.message_thread_id is not None and message.is_topic_message:
            await staff_message(update, context, message)
    raise ApplicationHandlerStop


async def link(update: Update, context: PortaContext, message: Message) -> None:
    """/link housing|youth: make this group the team's inbox, once Porta may manage topics."""
    t = team_translator(context)
    parts = (message.text or "").split()
    team = parts[1].lower() if len(parts) > 1 else ""
    assert update.effective_user is not None
    async with context.db() as session:
        role = await operators.role_of(session, update.effective_user.id)
    if role != "admin":
        await message.reply_text(say(t, ONLY_ADMINS))
        return
    if team not in groups.TEAMS:
        await message.reply_text(say(t, LINK_USAGE))
        return
    found = await groups.problems(context.bot, message.chat_id)
    if found:
        await message.reply_text("\n".join(say(t, LINK_PROBLEMS[p]) for p in found))
        return
    async with context.db.begin() as session:
        await cases.link_group(session, team, message.chat_id, update.effective_user.id)
    log.info("group %s linked to the %s team", message.chat_id, team)
    await place_waiting(context)
    await message.reply_text(say(t, LINKED, team=t(TEAM_NAMES[team])))


async def place_waiting(context: PortaContext) -> None:
    """Open cases that came before their team's group was linked get their topics now."""
    async with context.db.begin() as session:
        for team in groups.TEAMS:
            for case in await cases.waiting_for_group(session, team):
                await place(context, session, case)
    kick(context)


async def staff_message(update: Update, context: PortaContext, message: Message) -> None:
    """A staff member wrote in a topic: a note stays; anything else reaches the person.
    Service messages (a topic created, closed, ...) carry nothing to relay."""
    assert update.effective_user is not None
    if message.text is None and not message.effective_attachment:
        return
    staff_id = update.effective_user.id
    assert message.message_thread_id is not None
    async with context.db.begin() as session:
        case = await cases.in_topic(session, message.chat_id, message.message_thread_id)
        if case is None:
            return
        if is_note(message):
            await cases.audit(session, case, staff_id, "note")
            return
        role = await operators.role_of(session, staff_id)
        t = team_translator(context)
        if role not in cases.TEAM_ROLES[case.team]:
            team = t(TEAM_NAMES[case.team])
            await cases.note_in_topic(session, case, say(t, NO_ROLE, team=team))
        elif case.chat_id is None:
            await cases.note_in_topic(session, case, say(t, GONE))
        elif case.status == "closed":
            await cases.note_in_topic(session, case, say(t, CLOSED))
        else:
            await relay_out(context, session, case, message)
            await cases.audit(session, case, staff_id, "reply")
    kick(context)


def is_note(message: Message) -> bool:
    words = (message.text or message.caption or "").lstrip()
    return words.startswith("!") or words.split(" ")[0].split("@")[0] == "/note"


async def relay_out(
    context: PortaContext, session: AsyncSession, case: Case, message: Message
) -> None:
    """The staff member's message, to the young person, signed by the team."""
    signature = f"<i>{html.escape(person_translator(context, case)(SIGNATURE))}</i>"
    cases.record_out(session, case, message.message_id)
    cases.answered_by_staff(case)
    if message.text is not None:
        signed = f"{message.text_html}\n\n{signature}"
        if len(signed) <= 4000:
            await cases.to_person(session, case, text=signed, from_chat_id=message.chat_id)
            return
    caption = None
    if any(getattr(message, kind) for kind in MEDIA_WITH_CAPTION):
        own = message.caption_html if message.caption else ""
        caption = f"{own}\n\n{signature}" if own else signature
        if len(caption) > 1000:
            caption = None
    await cases.to_person(
        session, case, copy_of=message.message_id, from_chat_id=message.chat_id, caption=caption
    )


async def card_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """The card's buttons: claim, in review, answered, close, reopen."""
    case, refusal = await acting_on(update, context, data.arg(0))
    if case is None:
        return refusal
    action = data.arg(1)
    if action == "quick":
        return await draw_quick(update, context, case.id)
    status = {"claim": "claimed", "review": "review", "answered": "answered", "close": "closed"}
    staff_id = update.effective_user.id if update.effective_user else None
    async with context.db.begin() as session:
        case = await cases.get(session, case.id)
        assert case is not None
        if action == "reopen" and case.status == "closed":
            await cases.reopen(session, case)
            await cases.audit(session, case, staff_id, "status", "reopened")
            await cases.topic_call(session, case, "reopenForumTopic")
        elif action in status and case.status != "closed":
            if not await cases.set_status(session, case, status[action], staff_id):
                return toast(say(context.t, N_("Already so.")))
            if case.status in STATUS_TO_PERSON:
                await tell_person(
                    context, session, case, STATUS_TO_PERSON[case.status], spoken=True
                )
            if case.status == "closed":
                await cases.topic_call(session, case, "closeForumTopic")
        else:
            return toast(say(context.t, N_("Already so.")))
        shown = await card_screen(context, session, case)
    kick(context)
    name = context.t(STATUS_NAMES.get(case.status, case.status))
    return [toast(say(context.t, N_("✓ Now: {status}"), status=name)), shown]


async def draw_quick(update: Update, context: PortaContext, case_id: int) -> Shown:
    return await draw("quick.menu", update, context, case_id)


async def purge(context: PortaContext) -> None:
    """The retention purge: closed cases lose their personal fields after the period, in
    Porta and on their cards in the staff group."""
    t = team_translator(context)
    async with context.db.begin() as session:
        purged = await casedata.purge(session, context.settings.case_retention_days)
        await ideas.purge(session, context.settings.case_retention_days)
        for case in purged:
            await stub_card(session, case, say(t, ERASED, reference=case.reference))
    if purged:
        log.info("purged the personal fields of %s closed cases", len(purged))
        kick(context)
