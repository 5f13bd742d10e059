"""Cases: housing requests and conversations with a person, each with a reference, a status,
a topic in its team's staff group, and an audit of what staff did (no contents).

Everything that goes to a staff group or comes back from it is an outbox row (the group's
pace is Telegram's 20 a minute): the topic is created first, and the rows queued for the case
meanwhile learn their topic once it exists (`after_delivery`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import delivery
from bot.db.models import Case, CaseEvent, CaseMessage, OutboxMessage, TeamGroup, User

PREFIX = {"housing": "H", "person": "P", "offer": "O", "idea": "I"}
TEAM_OF_KIND = {"housing": "housing", "person": "youth", "offer": "youth", "idea": "youth"}
STATUSES = ("new", "claimed", "review", "answered", "closed")
OPEN = ("new", "claimed", "review", "answered")
URGENCY_MARK = {"high": "🔴", "normal": "🟡", "low": "🟢"}
# Roles that may act on a team's cases (an admin may act on every team's).
TEAM_ROLES = {"housing": ("housing", "admin"), "youth": ("youth", "admin")}
GROUP_KINDS = ("case-topic", "case-card", "case-in", "case-note")
NO_THREAD = ("createForumTopic", "editMessageText")  # calls that name no topic


now, aware = delivery.now, delivery.aware


# -- opening ------------------------------------------------------------------------------


async def open_case(
    session: AsyncSession,
    user: User,
    kind: str,
    *,
    language: str,
    programme_id: int | None = None,
    urgency: str = "normal",
    fields: dict[str, Any] | None = None,
    health: dict[str, Any] | None = None,
    health_consent_at: datetime | None = None,
    team: str | None = None,
) -> Case:
    """A new case with the next reference of its kind and year (H-2026-0042), for `team`
    (by default the one of its kind: housing requests go to housing staff)."""
    year = now().year
    for _ in range(20):  # another process may take the same number at the same moment
        case = Case(
            reference=await next_reference(session, kind, year),
            kind=kind,
            team=team or TEAM_OF_KIND[kind],
            user_id=user.id,
            chat_id=user.chat_id,
            language=language,
            programme_id=programme_id,
            urgency=urgency,
            status="new",
            fields=fields or {},
            health=health,
            health_consent_at=health_consent_at,
        )
        try:
            async with session.begin_nested():  # the savepoint, not the whole transaction
                session.add(case)
                await session.flush()
        except IntegrityError:
            continue
        await audit(session, case, None, "opened", kind)
        return case
    raise RuntimeError("no free case reference")


async def next_reference(session: AsyncSession, kind: str, year: int) -> str:
    stem = f"{PREFIX[kind]}-{year}-"
    last = await session.scalar(
        select(func.max(Case.reference)).where(Case.reference.startswith(stem))
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:04d}"


async def audit(
    session: AsyncSession, case: Case, actor_id: int | None, action: str, detail: str = ""
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            reference=case.reference,
            actor_id=actor_id,
            action=action,
            detail=detail[:40],
        )
    )


# -- finding ------------------------------------------------------------------------------


async def get(session: AsyncSession, case_id: int) -> Case | None:
    return await session.get(Case, case_id)


async def current(session: AsyncSession, user_id: int, kind: str | None = None) -> Case | None:
    """The person's most recent open case (of `kind`)."""
    query = select(Case).where(Case.user_id == user_id, Case.status.in_(OPEN))
    if kind is not None:
        query = query.where(Case.kind == kind)
    return await session.scalar(query.order_by(Case.updated_at.desc(), Case.id.desc()).limit(1))


async def reopenable(
    session: AsyncSession, user_id: int, days: float, kind: str | None = None
) -> Case | None:
    """The person's case closed less than `days` ago, which writing again reopens."""
    query = select(Case).where(
        Case.user_id == user_id,
        Case.status == "closed",
        Case.purged_at.is_(None),
        Case.closed_at >= now() - timedelta(days=days),
    )
    if kind is not None:
        query = query.where(Case.kind == kind)
    return await session.scalar(query.order_by(Case.closed_at.desc()).limit(1))


async def of_user(session: AsyncSession, user_id: int) -> Sequence[Case]:
    query = select(Case).where(Case.user_id == user_id).order_by(Case.created_at.desc())
    return (await session.scalars(query)).all()


async def in_topic(session: AsyncSession, chat_id: int, thread_id: int) -> Case | None:
    return await session.scalar(
        select(Case).where(Case.group_chat_id == chat_id, Case.thread_id == thread_id)
    )


# -- staff groups -------------------------------------------------------------------------


async def link_group(session: AsyncSession, team: str, chat_id: int, by: int | None) -> TeamGroup:
    """Make `chat_id` the team's group (a group linked to another team is moved)."""
    for other in (await session.scalars(select(TeamGroup))).all():
        if other.chat_id == chat_id and other.team != team:
            await session.delete(other)
    await session.flush()
    group = await session.get(TeamGroup, team)
    if group is None:
        group = TeamGroup(team=team, chat_id=chat_id)
        session.add(group)
    group.chat_id, group.linked_by, group.linked_at = chat_id, by, now()
    await session.flush()
    return group


async def linked_groups(session: AsyncSession) -> Sequence[TeamGroup]:
    return (await session.scalars(select(TeamGroup).order_by(TeamGroup.team))).all()


async def group_of(session: AsyncSession, team: str) -> int | None:
    group = await session.get(TeamGroup, team)
    return group.chat_id if group else None


async def waiting_for_group(session: AsyncSession, team: str) -> Sequence[Case]:
    """Open cases of the team that have no place in a group yet (opened before it was
    linked), oldest first."""
    query = select(Case).where(
        Case.team == team, Case.status.in_(OPEN), Case.group_chat_id.is_(None)
    )
    return (await session.scalars(query.order_by(Case.id))).all()


# -- the outbox rows of a case ------------------------------------------------------------


async def to_group(
    session: AsyncSession,
    case: Case,
    kind: str,
    method: str,
    *,
    text: str = "",
    reply_markup: dict[str, Any] | None = None,
    **params: Any,
) -> None:
    """Queue one call for the case's topic; until the topic exists its id is filled in later."""
    assert case.group_chat_id is not None
    if case.thread_id is None and method not in NO_THREAD:
        # The topic may be made meanwhile: lock the case, so that either its id is read
        # here, or this row is queued before `after_delivery` hands the id on (PostgreSQL).
        await session.flush()
        await session.refresh(case, with_for_update=True)
    action = {"method": method, "case": case.id, **params}
    if method not in NO_THREAD and case.thread_id is not None:
        action["message_thread_id"] = case.thread_id
    await delivery.enqueue(
        session,
        case.group_chat_id,
        text,
        kind=kind,
        reply_markup=reply_markup,
        action=action,
    )


async def place_in_group(
    session: AsyncSession,
    case: Case,
    group_chat_id: int,
    topic_name: str,
    card_text: str,
    card_markup: dict[str, Any],
) -> None:
    """Give the case its topic and card in the team's group, then copy what the person
    already wrote (before the group was linked)."""
    case.group_chat_id, case.thread_id = group_chat_id, None
    await to_group(session, case, "case-topic", "createForumTopic", name=topic_name)
    await to_group(
        session, case, "case-card", "sendMessage", text=card_text, reply_markup=card_markup
    )
    unsent = await session.scalars(
        select(CaseMessage)
        .where(CaseMessage.case_id == case.id, CaseMessage.direction == "in")
        .where(CaseMessage.copy_message_id.is_(None))
        .order_by(CaseMessage.id)
    )
    for message in unsent.all():
        await copy_in(session, case, message.source_message_id, record=False)


async def copy_in(
    session: AsyncSession, case: Case, message_id: int, *, record: bool = True
) -> None:
    """What the person sent (message `message_id` in their chat) goes to the case's topic;
    without a group yet, its id waits for one."""
    if record:
        session.add(CaseMessage(case_id=case.id, direction="in", source_message_id=message_id))
    if case.group_chat_id is not None and case.chat_id is not None:
        await to_group(
            session,
            case,
            "case-in",
            "copyMessage",
            from_chat_id=case.chat_id,
            message_id=message_id,
        )
    case.updated_at = now()


async def note_in_topic(session: AsyncSession, case: Case, text: str) -> None:
    """A line for staff in the case's topic (a status change, a quick reply sent)."""
    if case.group_chat_id is not None:
        await to_group(session, case, "case-note", "sendMessage", text=text)


async def to_person(
    session: AsyncSession,
    case: Case,
    *,
    text: str = "",
    copy_of: int | None = None,
    from_chat_id: int | None = None,
    caption: str | None = None,
    reply_markup: dict[str, Any] | None = None,
) -> None:
    """A message for the young person: Porta's own text, or a copy of a staff message
    (with `caption` in place of its own). A relayed text is cleared once sent."""
    if case.chat_id is None:
        return
    action: dict[str, Any] | None = None
    kind = "case-out"
    if copy_of is not None:
        action = {"method": "copyMessage", "case": case.id}
        action.update(from_chat_id=from_chat_id, message_id=copy_of)
        if caption is not None:
            action["caption"] = caption
    elif text and from_chat_id is not None:
        kind = "case-relay"  # a staff member's words: not kept once delivered
    await delivery.enqueue(
        session, case.chat_id, text, kind=kind, reply_markup=reply_markup, action=action
    )


async def after_delivery(
    session: AsyncSession, row: OutboxMessage, status: str, made: int | None
) -> None:
    """Bookkeeping once a case's row has gone out (or failed): the new topic's id reaches
    the rows still waiting for it, the card's message id is kept, relayed ids recorded."""
    if not row.kind.startswith("case"):
        return
    # Once a row is done its text (a staff member's words, a card with a phone number) is
    # Telegram's to keep, not Porta's.
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(text=""))
    if not row.action:
        return
    case = await session.get(Case, int((row.action or {}).get("case", 0)))
    if case is None:
        return
    if row.kind == "case-topic":
        case.thread_id = made if status == "sent" and made else None
        await _give_topic(session, case)
    elif row.kind == "case-card" and status == "sent":
        case.card_message_id = made
    elif row.kind == "case-in" and status == "sent":
        await _record_copy(session, case, int(row.action["message_id"]), made)


async def _give_topic(session: AsyncSession, case: Case) -> None:
    waiting = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == case.group_chat_id,
            OutboxMessage.status == "pending",
            OutboxMessage.kind.in_(GROUP_KINDS),
        )
    )
    for row in waiting.all():
        if (
            row.action
            and row.action.get("case") == case.id
            and row.action["method"] not in NO_THREAD
        ):
            action = dict(row.action)
            if case.thread_id is None:
                action.pop("message_thread_id", None)  # no topic: the group's main chat
            else:
                action["message_thread_id"] = case.thread_id
            row.action = action


async def _record_copy(session: AsyncSession, case: Case, source: int, copy: int | None) -> None:
    message = await session.scalar(
        select(CaseMessage).where(
            CaseMessage.case_id == case.id,
            CaseMessage.direction == "in",
            CaseMessage.source_message_id == source,
        )
    )
    if message is not None:
        message.copy_message_id = copy


async def topic_call(session: AsyncSession, case: Case, method: str) -> None:
    """Close or reopen the case's topic (once it has one)."""
    if case.thread_id is not None and case.group_chat_id is not None:
        await to_group(session, case, "case-note", method, message_thread_id=case.thread_id)


def record_out(session: AsyncSession, case: Case, source: int) -> None:
    session.add(CaseMessage(case_id=case.id, direction="out", source_message_id=source))


# -- status -------------------------------------------------------------------------------


async def set_status(session: AsyncSession, case: Case, status: str, actor_id: int | None) -> bool:
    """Move the case to `status`; False when it is there already."""
    if status not in STATUSES or case.status == status:
        return False
    case.status = status
    moment = now()
    if status == "claimed":
        case.claimed_by = actor_id
    if status == "closed":
        case.closed_at = moment
    if status in ("answered", "closed") and case.first_answer_at is None and actor_id:
        case.first_answer_at = moment
    case.updated_at = moment
    await audit(session, case, actor_id, "closed" if status == "closed" else "status", status)
    return True


async def reopen(session: AsyncSession, case: Case) -> None:
    case.status, case.closed_at, case.updated_at = "new", None, now()
    await audit(session, case, None, "reopened")


def answered_by_staff(case: Case) -> None:
    if case.first_answer_at is None:
        case.first_answer_at = now()
    case.updated_at = now()
