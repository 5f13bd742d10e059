"""What the programme report is made of: tables of figures over a period, and the privacy
rule every figure about people passes through before it leaves the database queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement

MIN_PEOPLE = 5
SMALL = "< 5"


@dataclass(frozen=True)
class Days:
    """The days of one week that fall within the period (the first and last may be short)."""

    first: date
    last: date


Cell = int | float | str | Days | None
Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Column:
    """A column's heading (marked with N_) and how its cells read: a label (week, language,
    age, place, name, kind, case, status, programme) or a figure (people, count, rate,
    average, hours)."""

    title: str
    kind: str


@dataclass(frozen=True)
class Table:
    name: str  # the CSV file's name
    title: str
    columns: tuple[Column, ...]
    rows: list[Row]

    def column(self, title: str) -> list[Cell]:
        index = [c.title for c in self.columns].index(title)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Section:
    title: str
    tables: list[Table]


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    zone: ZoneInfo
    sections: list[Section]

    def table(self, name: str) -> Table:
        return next(t for s in self.sections for t in s.tables if t.name == name)


def private(value: float | None, people: int) -> int | float | str | None:
    """The report's privacy rule, applied to every figure about people before it leaves the
    queries: a count of 1 to 4 people, or an average or a rate computed from 1 to 4 people,
    becomes "< 5", so that no one can be picked out of a small group; 0 stays 0 (and an
    average of no one stays None, shown as a dash)."""
    if 0 < people < MIN_PEOPLE:
        return SMALL
    return value


def counted(people: int) -> int | str:
    """A count of people under the privacy rule."""
    shown = private(people, people)
    assert isinstance(shown, int | str)
    return shown


def by_size(rows: Iterable[Row]) -> list[Row]:
    """(label, people) rows, largest first; those shown as "< 5" after them in the order of
    their labels (so that their order tells nothing more), "not given" (None) last."""

    def key(row: Row) -> tuple[bool, float, str]:
        label, people = row
        size = people if isinstance(people, int) else 0
        return (label is None, -size, str(label))

    return sorted(rows, key=key)


@dataclass(frozen=True)
class Window:
    """The period in the local zone, as UTC instants [first, last), and the moment the report
    is made (what has ended by then is over)."""

    start: date
    end: date
    zone: ZoneInfo
    now: datetime

    @property
    def first(self) -> datetime:
        return datetime.combine(self.start, time(), self.zone).astimezone(UTC)

    @property
    def last(self) -> datetime:
        after = self.end + timedelta(days=1)
        return datetime.combine(after, time(), self.zone).astimezone(UTC)

    def holds(self, column: Any) -> ColumnElement[bool]:
        within: ColumnElement[bool] = (column >= self.first) & (column < self.last)
        return within

    def days(self) -> list[date]:
        count = (self.end - self.start).days + 1
        return [self.start + timedelta(days=n) for n in range(count)]


def offsets(first: datetime, last: datetime, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """The zone's offset from UTC in minutes over [first, last): (from when, minutes) for the
    start and for each change (summer time)."""
    found = [(first, minutes(first, zone))]
    moment = first
    while moment < last:
        step = min(moment + timedelta(hours=12), last)
        if minutes(step, zone) != found[-1][1]:
            found.append((change(moment, step, zone), minutes(step, zone)))
        moment = step
    return found


def minutes(moment: datetime, zone: ZoneInfo) -> int:
    offset = moment.astimezone(zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The instant between `before` and `after` where the zone's offset changes (zones change
    on a whole second)."""
    old = minutes(before, zone)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        before, after = (middle, after) if minutes(middle, zone) == old else (before, middle)
    return after.replace(microsecond=0)
