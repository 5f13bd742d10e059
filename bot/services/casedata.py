"""The personal data cases hold: a copy for /mydata, erasure for /deleteme, and the purge of
closed cases after the retention period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Case, CaseMessage, Form
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


async def open_of_user(session: AsyncSession, user_id: int) -> list[Case]:
    return [case for case in await of_user(session, user_id) if case.status in OPEN]


async def erase(session: AsyncSession, user_id: int) -> list[str]:
    """Erase the person's cases and form; returns the references erased (their audit stays,
    naming no one)."""
    cases = await of_user(session, user_id)
    for case in cases:
        await audit(session, case, None, "erased")
    ids = [case.id for case in cases]
    if ids:
        await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(ids)))
        await session.execute(delete(Case).where(Case.id.in_(ids)))
    await session.execute(delete(Form).where(Form.user_id == user_id))
    return [case.reference for case in cases]


async def purge(session: AsyncSession, retention_days: float) -> int:
    """Closed cases older than the retention period lose every personal field; what stays
    (reference, kind, programme, status, dates) counts for reports and names no one."""
    cutoff = now() - timedelta(days=retention_days)
    due = (
        await session.scalars(
            select(Case.id).where(
                Case.status == "closed", Case.closed_at < cutoff, Case.purged_at.is_(None)
            )
        )
    ).all()
    if not due:
        return 0
    await session.execute(
        update(Case)
        .where(Case.id.in_(due))
        .values(
            user_id=None,
            chat_id=None,
            fields={},
            health=None,
            health_consent_at=None,
            purged_at=now(),
        )
    )
    await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(due)))
    return len(due)
