"""The personal data cases hold: a copy for /mydata, erasure for /deleteme, and the purge of
closed cases after the retention period."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Case, CaseMessage, Form, OutboxMessage
from bot.services.cases import OPEN, audit, now, of_user


def export(cases: Sequence[Case]) -> list[dict[str, object]]:
    """The person's cases as JSON-ready data (the texts relayed are Telegram's, not here)."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return [
        {
            "reference": case.reference,
            "kind": case.kind,
            "status": case.status,
            "urgency": case.urgency,
            "language": case.language,
            "answers": dict(case.fields or {}),
            "health_or_disability_needs": case.health,
            "health_consent_at": when(case.health_consent_at),
            "opened_at": when(case.created_at),
            "first_answer_at": when(case.first_answer_at),
            "closed_at": when(case.closed_at),
        }
        for case in cases
    ]


async def erase(session: AsyncSession, user_id: int) -> list[Case]:
    """Erase what the person's cases say about them: open ones are withdrawn, every one
    keeps only its reference, kind, status and dates (so that no reference or id is given
    out again), the ids of relayed messages and the unfinished form go, and what was still
    queued for or about them is withdrawn. Returns the cases (their topics are told)."""
    cases = list(await of_user(session, user_id))
    chats = {case.chat_id for case in cases if case.chat_id is not None}
    moment = now()
    for case in cases:
        await audit(session, case, None, "erased")
        if case.status in OPEN:
            case.status, case.closed_at = "withdrawn", moment
        blank(case, moment)
    await forget(session, [case.id for case in cases], chats)
    await session.execute(delete(Form).where(Form.user_id == user_id))
    return cases


def blank(case: Case, moment: datetime) -> None:
    case.user_id = case.chat_id = None
    case.fields, case.health, case.health_consent_at = {}, None, None
    case.purged_at = moment


async def forget(session: AsyncSession, ids: list[int], chats: Collection[int | None] = ()) -> None:
    """The relayed message ids of these cases go, and so does every queued row about them
    (or, in `chats`, for the person)."""
    if not ids:
        return
    await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
    queued = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == "pending", OutboxMessage.kind.startswith("case")
        )
    )
    for row in queued.all():
        if (row.action and row.action.get("case") in ids) or row.chat_id in chats:
            row.status, row.text = "cancelled", ""


async def purge(session: AsyncSession, retention_days: float) -> list[Case]:
    """Closed cases older than the retention period lose every personal field; what stays
    (reference, kind, programme, status, dates) counts for reports and names no one.
    Forms left unfinished for as long go too."""
    cutoff = now() - timedelta(days=retention_days)
    due = list(
        (
            await session.scalars(
                select(Case).where(
                    Case.status.in_(("closed", "withdrawn")),
                    Case.closed_at < cutoff,
                    Case.purged_at.is_(None),
                )
            )
        ).all()
    )
    moment = now()
    for case in due:
        blank(case, moment)
    await forget(session, [case.id for case in due])
    await session.execute(delete(Form).where(Form.updated_at < cutoff))
    return due
