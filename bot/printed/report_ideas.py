"""Ideas young people proposed in the period, by hub: proposed, approved, made activities and
backers, counted by the database (any figure under 5 people shows as "< 5")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Backing, Hub, Idea
from bot.i18n import N_
from bot.printed.report_figures import Column, Row, Table, Window, counted


async def tables(session: AsyncSession, window: Window) -> list[Table]:
    return [await by_hub(session, window)]


async def by_hub(session: AsyncSession, window: Window) -> Table:
    """Per hub (or none): ideas proposed in the period, approved in it, made activities
    (of those proposed), and backings given in it."""
    by = Idea.hub_id
    proposed = await counts(session, [window.holds(Idea.created_at)])
    approved = await counts(
        session, [Idea.approved_at.is_not(None), window.holds(Idea.approved_at)]
    )
    made = await counts(session, [window.holds(Idea.created_at), Idea.activity_id.is_not(None)])
    backing = select(by, func.count()).join(Backing, Backing.idea_id == Idea.id)
    backed = await counts(session, [window.holds(Backing.created_at)], backing)
    keys = set(proposed) | set(approved) | set(made) | set(backed)
    names = dict((await session.execute(select(Hub.id, Hub.name))).all())
    rows: list[Row] = [
        (names.get(key) if key else None, counted(proposed.get(key, 0)),
         counted(approved.get(key, 0)), counted(made.get(key, 0)), counted(backed.get(key, 0)))
        for key in keys
    ]  # fmt: skip
    rows.sort(key=lambda row: (row[0] is None, str(row[0])))
    return Table(
        "ideas_hubs",
        N_("Ideas from young people by hub"),
        (
            Column(N_("Hub"), "name"),
            Column(N_("Proposed"), "people"),
            Column(N_("Approved"), "people"),
            Column(N_("Made activities"), "people"),
            Column(N_("Backers"), "people"),
        ),
        rows,
    )


async def counts(
    session: AsyncSession, where: list[Any], query: Any = None
) -> dict[int | None, int]:
    """How many ideas (or, with `query`, rows of it) match `where`, by hub."""
    query = select(Idea.hub_id, func.count()) if query is None else query
    found = await session.execute(query.where(*where).group_by(Idea.hub_id))
    return {key: int(n) for key, n in found.all()}
