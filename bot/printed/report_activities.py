"""Activities that started in the period (cancelled ones left out), by hub and by kind, and
what those who came thought of them, counted by the database."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, Feedback, Hub, Signup
from bot.i18n import N_
from bot.printed.report_figures import Column, Row, Table, Window, counted, private
from bot.services.catalog import TAKING_PLACES

FIGURES = (
    Column(N_("Sessions"), "count"),
    Column(N_("Places offered"), "count"),
    Column(N_("Sign-ups"), "people"),
    Column(N_("Waitlisted"), "people"),
    Column(N_("Attendance rate"), "rate"),
    Column(N_("No-shows"), "people"),
    Column(N_("Waitlist left unmet"), "people"),
)
AVERAGE = Column(N_("Average score (1–5)"), "average")


@dataclass
class Tally:
    """What the database counted for some activities; `attended`, `no_shows` and `unmet`
    only at activities already over."""

    sessions: int = 0
    places: int = 0
    signups: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0
    unmet: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Tally)))

    def figures(self) -> Row:
        came = self.attended + self.no_shows
        rate = round(self.attended / came, 4) if came else None
        return (
            self.sessions,
            self.places,
            counted(self.signups),
            counted(self.waitlisted),
            private(rate, came),
            counted(self.no_shows),
            counted(self.unmet),
        )


def held(window: Window) -> list[Any]:
    return [window.holds(Activity.starts_at), Activity.status != "cancelled"]


async def tables(session: AsyncSession, window: Window) -> list[Table]:
    """By hub, then by kind: each of the two is folded from one count by hub and kind."""
    hubs: dict[tuple[int, str], Tally] = {}
    kinds: dict[str, Tally] = {}
    for (hub_id, name, kind), tally in (await tallies(session, window)).items():
        hubs[(hub_id, name)] = hubs.get((hub_id, name), Tally()) + tally
        kinds[kind] = kinds.get(kind, Tally()) + tally
    by_hub = sorted(hubs.items(), key=lambda item: (item[0][1], item[0][0]))
    return [
        Table(
            "activities_hubs",
            N_("Activities by hub"),
            (Column(N_("Hub"), "name"), *FIGURES),
            [(name, *tally.figures()) for (_, name), tally in by_hub],
        ),
        Table(
            "activities_kinds",
            N_("Activities by kind"),
            (Column(N_("Kind"), "kind"), *FIGURES),
            [(kind, *tally.figures()) for kind, tally in sorted(kinds.items())],
        ),
    ]


async def tallies(session: AsyncSession, window: Window) -> dict[tuple[int, str, str], Tally]:
    """The counts for each hub (id, name) and kind that had activities."""
    offered = (
        select(
            Hub.id,
            Hub.name,
            Activity.category,
            func.count(),
            func.sum(Activity.capacity),
        )
        .select_from(Activity)
        .join(Hub, Hub.id == Activity.hub_id)
        .where(*held(window))
        .group_by(Hub.id, Hub.name, Activity.category)
    )
    over = Activity.ends_at <= window.now
    status = Signup.status
    taken = (
        select(
            Activity.hub_id,
            Activity.category,
            func.count().filter(status.in_(TAKING_PLACES)),
            func.count().filter(status == "waitlisted"),
            func.count().filter(over, status == "attended"),
            func.count().filter(over, status == "confirmed"),
            func.count().filter(over, status == "waitlisted"),
        )
        .select_from(Signup)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(*held(window))
        .group_by(Activity.hub_id, Activity.category)
    )
    names: dict[int, str] = {}
    found: dict[tuple[int, str], Tally] = {}
    for hub_id, name, kind, sessions, places in await session.execute(offered):
        names[hub_id] = name
        found[(hub_id, kind)] = Tally(sessions, int(places))
    for hub_id, kind, *people in await session.execute(taken):  # in Tally's order
        found[(hub_id, kind)] += Tally(0, 0, *people)
    return {(hub_id, names[hub_id], kind): tally for (hub_id, kind), tally in found.items()}


async def feedback(session: AsyncSession, window: Window) -> list[Table]:
    """The average score (1 to 5) by kind of activity, with how many answered."""
    query = (
        select(Activity.category, func.count(Feedback.score), func.avg(Feedback.score))
        .select_from(Feedback)
        .join(Activity, Activity.id == Feedback.activity_id)
        .where(*held(window), Feedback.score.is_not(None))
        .group_by(Activity.category)
        .order_by(Activity.category)
    )
    rows: list[Row] = [
        (kind, counted(answers), private(round(float(average), 2), answers))
        for kind, answers, average in await session.execute(query)
    ]
    return [
        Table(
            "feedback_kinds",
            N_("Feedback by kind of activity"),
            (Column(N_("Kind"), "kind"), Column(N_("Answers"), "people"), AVERAGE),
            rows,
        )
    ]
