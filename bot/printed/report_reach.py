"""Reach: the people who first wrote to Porta in the period, by week, language, age group and
neighbourhood, counted by the database."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Select, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.i18n import N_
from bot.printed.report_figures import (
    Column,
    Days,
    Row,
    Table,
    Window,
    by_size,
    counted,
    offsets,
)
from bot.services.users import AGE_BANDS

NEW_PEOPLE = Column(N_("New people"), "people")


async def tables(session: AsyncSession, window: Window) -> list[Table]:
    return [
        await weeks(session, window),
        Table(
            "reach_languages",
            N_("New people by language"),
            (Column(N_("Language"), "language"), NEW_PEOPLE),
            by_size(await grouped(session, window, User.language, User.telegram_language)),
        ),
        await ages(session, window),
        Table(
            "reach_neighbourhoods",
            N_("New people by neighbourhood"),
            (Column(N_("Neighbourhood"), "place"), NEW_PEOPLE),
            by_size(await grouped(session, window, User.neighbourhood)),
        ),
    ]


async def grouped(session: AsyncSession, window: Window, *label: Any) -> list[Row]:
    """(label, people) for the new people, the label being the first of `label` given."""
    item = func.coalesce(*label) if len(label) > 1 else label[0]
    query = new_people(window, item)
    return [(key, counted(people)) for key, people in await session.execute(query)]


def new_people(window: Window, item: Any) -> Select[tuple[Any, int]]:
    return (
        select(item.label("item"), func.count().label("people"))
        .where(window.holds(User.created_at))
        .group_by("item")
    )


async def ages(session: AsyncSession, window: Window) -> Table:
    """Every age group, in order, with those who did not say last."""
    query = new_people(window, User.age_band)
    found: dict[str | None, int] = {band: n for band, n in await session.execute(query)}
    rows: list[Row] = [(band, counted(found.get(band, 0))) for band in (*AGE_BANDS, None)]
    return Table(
        "reach_ages",
        N_("New people by age group"),
        (Column(N_("Age group"), "age"), NEW_PEOPLE),
        rows,
    )


async def weeks(session: AsyncSession, window: Window) -> Table:
    """New people by ISO week: counted by local day in the database, then folded into weeks
    (a month is some thirty rows)."""
    query = new_people(window, local_day(session, window, User.created_at))
    by_day = {as_date(day): people for day, people in await session.execute(query)}
    totals: dict[Days, int] = {}
    for day in window.days():
        week = week_of(day, window)
        totals[week] = totals.get(week, 0) + by_day.get(day, 0)
    return Table(
        "reach_weeks",
        N_("New people by week"),
        (Column(N_("Week"), "week"), NEW_PEOPLE),
        [(week, counted(people)) for week, people in totals.items()],
    )


def week_of(day: date, window: Window) -> Days:
    monday = date.fromordinal(day.toordinal() - day.weekday())
    sunday = date.fromordinal(monday.toordinal() + 6)
    return Days(max(monday, window.start), min(sunday, window.end))


def local_day(session: AsyncSession, window: Window, column: Any) -> Any:
    """The local date of a stored UTC instant: PostgreSQL knows the zone; SQLite is told the
    offset, which changes within the period at summer time."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(window.zone.key, column), Date)
    found = offsets(window.first, window.last, window.zone)
    shifts = [f"{minutes:+d} minutes" for _, minutes in found]
    if len(found) == 1:
        return func.date(column, literal(shifts[0]))
    whens = [
        (column < moment, shift) for (moment, _), shift in zip(found[1:], shifts, strict=False)
    ]
    return func.date(column, case(*whens, else_=shifts[-1]))


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
