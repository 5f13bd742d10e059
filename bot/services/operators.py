"""Staff roles: operators (activities), housing staff, youth workers and admins, who may do
everything the others may."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Operator, User

ROLES = ("operator", "housing", "youth", "admin")


async def role_of(session: AsyncSession, telegram_id: int) -> str | None:
    operator = await session.get(Operator, telegram_id)
    return operator.role if operator else None


async def add(session: AsyncSession, telegram_id: int, role: str) -> Operator:
    """Name an operator, or change the role of an existing one."""
    if role not in ROLES:
        raise ValueError(role)
    operator = await session.get(Operator, telegram_id)
    if operator is None:
        operator = Operator(telegram_id=telegram_id, role=role)
        session.add(operator)
    operator.role = role
    await session.flush()
    return operator


async def remove(session: AsyncSession, telegram_id: int) -> bool:
    operator = await session.get(Operator, telegram_id)
    if operator is None:
        return False
    await session.delete(operator)
    return True


async def all_operators(session: AsyncSession) -> Sequence[Operator]:
    return (await session.scalars(select(Operator).order_by(Operator.telegram_id))).all()


async def user_figures(session: AsyncSession) -> dict[str, dict[str, int]]:
    """Counts of users by language and by age band (no one is named)."""
    figures: dict[str, dict[str, int]] = {}
    for column, key in ((User.language, "language"), (User.age_band, "age_band")):
        rows = await session.execute(select(column, func.count()).group_by(column))
        figures[key] = {str(value or "-"): count for value, count in rows.all()}
    return figures
