"""Cases opened in the period (housing requests, "talk to a person"): by programme, by
status, and how long the first answer from staff took, counted by the database.

A case's first answer from staff is `Case.first_answer_at`, which bot.services.cases sets at
the first staff reply relayed to the person, or when staff first mark the case answered or
closed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Case, Programme
from bot.i18n import N_
from bot.printed.report_figures import Column, Row, Table, Window, counted, private
from bot.services import programmes
from bot.services.cases import STATUSES

KNOWN_STATUSES = (*STATUSES, "withdrawn")
OPENED = Column(N_("Opened"), "people")


async def tables(session: AsyncSession, window: Window, locale: str) -> list[Table]:
    return [
        await by_programme(session, window, locale),
        await by_status(session, window),
        await answers(session, window),
        await offers(session, window),
    ]


async def by_programme(session: AsyncSession, window: Window, locale: str) -> Table:
    """Cases by programme (named in `locale`) and kind; those for no programme by kind."""
    query = (
        select(Case.programme_id, Case.kind, func.count())
        .where(window.holds(Case.created_at))
        .group_by(Case.programme_id, Case.kind)
    )
    found = (await session.execute(query)).all()
    ids = {programme_id for programme_id, _, _ in found if programme_id is not None}
    names = await programme_names(session, ids, locale)
    rows: list[Row] = [
        (names.get(programme_id) if programme_id else None, kind, counted(opened))
        for programme_id, kind, opened in found
    ]
    rows.sort(key=lambda row: (row[0] is None, str(row[0]), str(row[1])))
    return Table(
        "cases_programmes",
        N_("Cases by programme"),
        (Column(N_("Programme"), "programme"), Column(N_("Request"), "case"), OPENED),
        rows,
    )


async def programme_names(session: AsyncSession, ids: set[int], locale: str) -> dict[int, str]:
    if not ids:
        return {}
    found = await session.scalars(select(Programme).where(Programme.id.in_(ids)))
    return {p.id: programmes.title(p, locale, "en") for p in found}


async def by_status(session: AsyncSession, window: Window) -> Table:
    """Every status, in the order a case goes through them, as the cases stand now."""
    query = (
        select(Case.status, func.count()).where(window.holds(Case.created_at)).group_by(Case.status)
    )
    found: dict[str, int] = {status: n for status, n in await session.execute(query)}
    order = [*KNOWN_STATUSES, *sorted(set(found) - set(KNOWN_STATUSES))]
    return Table(
        "cases_statuses",
        N_("Cases by status"),
        (Column(N_("Status"), "status"), OPENED),
        [(status, counted(found.get(status, 0))) for status in order],
    )


async def answers(session: AsyncSession, window: Window) -> Table:
    """Opened, answered, and the median hours to the first answer, by kind. (A row for all
    kinds would give away the count of a kind shown as "< 5".)"""
    query = (
        select(Case.kind, func.count(), func.count(Case.first_answer_at))
        .where(window.holds(Case.created_at))
        .group_by(Case.kind)
        .order_by(Case.kind)
    )
    rows: list[Row] = []
    for kind, opened, answered in (await session.execute(query)).all():
        hours = await median_hours(session, window, kind, answered)
        rows.append((kind, counted(opened), counted(answered), private(hours, answered)))
    return Table(
        "cases_answers",
        N_("Time to the first answer"),
        (
            Column(N_("Request"), "case"),
            OPENED,
            Column(N_("Answered"), "people"),
            Column(N_("Median hours to the first answer"), "hours"),
        ),
        rows,
    )


async def offers(session: AsyncSession, window: Window) -> Table:
    """Offers of help (bot.services.offers) by what is offered: volunteering, mentoring,
    hosting; an erased offer keeps no answers and counts as "not given"."""
    what = Case.fields["offer"].as_string()
    query = (
        select(what, func.count())
        .where(window.holds(Case.created_at), Case.kind == "offer")
        .group_by(what)
    )
    found: dict[str | None, int] = {key or None: n for key, n in await session.execute(query)}
    order: list[str | None] = ["volunteer", "mentor", "host"]
    order += sorted(key for key in found if key not in order and key is not None)
    if None in found:
        order.append(None)
    return Table(
        "cases_offers",
        N_("Offers of help by kind"),
        (Column(N_("Offer"), "offer"), OPENED),
        [(key, counted(found.get(key, 0))) for key in order],
    )


async def median_hours(
    session: AsyncSession, window: Window, kind: str, answered: int
) -> float | None:
    """The median hours from opening to the first answer over the `answered` cases of
    `kind`: percentile_cont on PostgreSQL; on SQLite the middle one or two of the sorted
    durations, read with LIMIT and OFFSET."""
    if not answered:
        return None
    where = [
        window.holds(Case.created_at),
        Case.kind == kind,
        Case.first_answer_at.is_not(None),
    ]
    if session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", Case.first_answer_at - Case.created_at)
        # The fraction written out: a bound parameter would leave percentile_cont ambiguous.
        half: Any = literal_column("0.5")
        middle = func.percentile_cont(half).within_group(cast(seconds / 3600, Float))
        value = await session.scalar(select(middle).where(*where))
        return None if value is None else round(float(value), 2)
    hours: Any = (func.julianday(Case.first_answer_at) - func.julianday(Case.created_at)) * 24
    query = (
        select(hours.label("hours"))
        .where(*where)
        .order_by("hours")
        .limit(2 - answered % 2)
        .offset((answered - 1) // 2)
    )
    values = [float(v) for v in await session.scalars(query)]
    return round(sum(values) / len(values), 2) if values else None
