"""`porta import` and `porta demo load`: all or nothing, idempotent, weekly series."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from bot.db.models import Activity, Hub, Programme
from bot.db.session import SessionFactory, create_engine, session_factory
from bot.demo import load_demo
from bot.i18n import SUPPORTED_LOCALES
from bot.services.catalog import as_utc

T = TypeVar("T")
DATA = Path(__file__).parent / "data"
ROME = ZoneInfo("Europe/Rome")


def porta(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": settings.database_url})
    return result.exit_code, result.output


def query(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a session of its own (the CLI tests are not async)."""

    async def go() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def all_activities(settings: Settings) -> list[Activity]:
    async def work(session: AsyncSession) -> list[Activity]:
        rows = await session.scalars(select(Activity).order_by(Activity.starts_at, Activity.id))
        return list(rows.unique().all())

    return query(settings, work)


def test_yaml_import_expands_a_weekly_series_and_is_idempotent(settings: Settings) -> None:
    code, output = porta(settings, "import", str(DATA / "example.yaml"))
    assert (code, output) == (0, "imported 1 hubs, 4 new and 0 updated activities, 0 programmes\n")
    code, output = porta(settings, "import", str(DATA / "example.yaml"))
    assert (code, output) == (0, "imported 1 hubs, 0 new and 4 updated activities, 0 programmes\n")
    sessions = all_activities(settings)
    assert query(settings, lambda s: s.scalar(select(func.count()).select_from(Hub))) == 1
    assert [a.external_id for a in sessions] == [f"caffe-lingue#{n}" for n in range(1, 5)]
    local = [as_utc(a.starts_at).astimezone(ROME) for a in sessions]
    assert [d.strftime("%Y-%m-%d %H:%M") for d in local] == [
        "2026-12-02 18:00",
        "2026-12-09 18:00",
        "2026-12-16 18:00",
        "2026-12-23 18:00",
    ]
    first = sessions[0]
    assert (first.capacity, first.min_age, first.max_age, first.accessible) == (20, 14, 35, True)
    assert {t.language: t.title for t in first.texts} == {
        "ar": "مقهى اللغات",
        "en": "Language café",
        "it": "Caffè delle lingue",
    }


def test_a_series_keeps_its_local_time_across_the_clock_change(
    settings: Settings, tmp_path: Path
) -> None:
    porta(settings, "import", str(DATA / "example.yaml"))  # the hub
    spring = tmp_path / "spring.csv"
    spring.write_text(
        "id,hub,category,start,duration,capacity,repeat_weekly,title_it\n"
        "yoga,san-vito,sport,2027-03-21 18:00,60,10,2,Yoga\n"
    )
    assert porta(settings, "import", str(spring))[0] == 0
    starts = [a.starts_at for a in all_activities(settings) if a.external_id.startswith("yoga#")]  # type: ignore[union-attr]
    hours_utc = [as_utc(s).hour for s in starts]
    assert hours_utc == [17, 16]  # 18:00 in Rome before and after summer time starts


def test_csv_import(settings: Settings) -> None:
    porta(settings, "import", str(DATA / "example.yaml"))
    code, output = porta(settings, "import", str(DATA / "example.csv"))
    assert (code, output) == (0, "imported 0 hubs, 2 new and 0 updated activities, 0 programmes\n")
    football = next(a for a in all_activities(settings) if a.external_id == "calcetto#2")
    assert {t.language: t.description for t in football.texts} == {
        "it": "Porta le scarpe.",
        "en": "Bring trainers.",
    }


def test_a_file_with_bad_rows_is_refused_whole_listing_each(settings: Settings) -> None:
    porta(settings, "import", str(DATA / "example.yaml"))
    code, output = porta(settings, "import", str(DATA / "bad.csv"))
    assert code == 1
    assert "bad.csv was not imported; fix these rows:" in output
    for line in (
        "line 3: id is missing",
        "line 4: unknown hub 'nowhere'",
        "line 5: category must be one of training, culture, school, work, civic, sport, language",
        "line 5: start must look like 2026-11-24 17:30",
        "line 5: duration must be between 1 and 1440",
        "line 5: capacity must be a whole number",
        "line 5: ages must look like 14-25",
        "line 5: languages must be two-letter codes, like it, en, ar",
        "line 5: title is missing",
        "line 6: id 'ok-row' is already used on line 2",
    ):
        assert line in output
    assert len(all_activities(settings)) == 4  # only the YAML's


def test_yaml_errors_point_at_the_line(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("hubs: []\nactivities:\n  - id: x\n    hub: nowhere\n")
    code, output = porta(settings, "import", str(bad))
    assert code == 1 and "line 3: unknown hub 'nowhere'" in output
    bad.write_text("activities: [\n")
    code, output = porta(settings, "import", str(bad))
    assert code == 1 and "not valid YAML" in output


async def test_the_demo_set(db: SessionFactory) -> None:
    today = date(2026, 11, 22)
    async with db.begin() as session:
        summary = await load_demo(session, ROME, today)
    assert (summary.hubs, summary.created) == (2, 20)
    async with db.begin() as session:
        again = await load_demo(session, ROME, today)
    assert (again.created, again.updated) == (0, 20)
    async with db() as session:
        activities = (await session.scalars(select(Activity))).unique().all()
    assert len(activities) == 20
    first, last = min(a.starts_at for a in activities), max(a.starts_at for a in activities)
    assert first.date() >= today and (last.date() - today).days <= 28
    for activity in activities:
        assert {t.language for t in activity.texts} == set(SUPPORTED_LOCALES)
    assert isinstance(first, datetime)


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("empty.yaml", b"", "the file is empty: expected hubs and activities"),
        ("blank.csv", b"\n  \n", "the file is empty: expected activity rows under a header line"),
        ("photo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is not a text file"),
        ("latin1.csv", "id,hub\ncaffè".encode("latin-1"), "this is not a text file"),
        (
            "list.yaml",
            b"- one\n- two\n",
            "expected YAML with the keys hubs, activities or programmes",
        ),
        (
            "words.yaml",
            b"just some words\n",
            "expected YAML with the keys hubs, activities or programmes",
        ),
        (
            "other.yaml",
            b"people: []\n",
            "expected YAML with the keys hubs, activities or programmes",
        ),
        ("noheader.csv", b"x,san-vito,sport,2026-12-02 18:00,90,20\n", "the first line must name"),
        ("wrong.csv", b"name;place;when\na;b;c\n", "(missing: id, hub, category, start"),
        ("header.csv", b"id,hub,category,start,duration,capacity,title_it\n", "no activity rows"),
        ("notes.txt", b"hello", "expected a .yaml, .yml or .csv file"),
    ],
)
def test_a_file_that_is_not_an_import_is_refused_in_one_line(
    settings: Settings, tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, output = porta(settings, "import", str(path))
    assert code == 1
    [line] = output.strip().splitlines()
    assert line.startswith(f"porta: {name} was not imported: ") and said in line
    assert all_activities(settings) == []


PROGRAMMES = """\
programmes:
  - id: canteen
    kind: service
    team: youth
    contact: "+39 0583 000021"
    emergency: true
    address: Via del Fosso 1, 55100 Lucca
    latitude: 43.842
    longitude: 10.502
    hours:
      - {days: [mon, tue, wed, thu, fri, sat, sun], open: "12:00", close: "14:00"}
    texts:
      it: {title: Mensa, who: Per tutti., offers: Un pasto caldo., apply: Vieni., documents: Nessuno.}
      en: {title: Canteen, offers: A hot meal.}
  - id: co-housing
    kind: housing
    texts:
      it: {title: Co-housing}
"""


def test_programmes_are_imported_from_their_section_and_again_updated(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "programmes.yaml"
    path.write_text(PROGRAMMES)
    assert porta(settings, "import", str(path)) == (
        0,
        "imported 0 hubs, 0 new and 0 updated activities, 2 programmes\n",
    )
    path.write_text(PROGRAMMES.replace("Un pasto caldo.", "Pranzo caldo."))
    assert porta(settings, "import", str(path))[0] == 0

    async def work(session: AsyncSession) -> list[Programme]:
        return list((await session.scalars(select(Programme).order_by(Programme.id))).all())

    canteen, cohousing = query(settings, work)
    assert (canteen.kind, canteen.team, canteen.emergency) == ("service", "youth", True)
    assert canteen.texts["it"]["offers"] == "Pranzo caldo."
    assert canteen.hours[0]["open"] == "12:00"
    assert (cohousing.kind, cohousing.team, cohousing.address) == ("housing", "housing", None)


def test_bad_programme_rows_are_refused_with_their_lines(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "programmes:\n"
        "  - id: Canteen!\n"
        "    kind: shelter\n"
        "    texts: {it: {who: nobody}}\n"
        "  - id: night\n"
        "    kind: service\n"
        "    latitude: 91\n"
        "    hours: [{days: [someday], open: '8', close: '20:00'}]\n"
        "    texts: {it: {title: Notte, hobby: x}}\n"
    )
    code, output = porta(settings, "import", str(path))
    assert code == 1
    for expected in (
        "line 2: programme: id must be lowercase letters, digits and dashes",
        "line 2: programme: kind must be one of housing, service",
        "line 2: programme: texts.it.title is missing",
        "line 5: programme: texts.it.hobby: expected title, who, offers, apply, documents",
        "line 5: programme: latitude must be a number from -90 to 90",
        "line 5: programme: latitude and longitude go together",
        "line 5: programme: hours #1: days must be a list of mon tue wed thu fri sat sun",
    ):
        assert expected in output
    assert query(settings, lambda s: s.scalar(select(func.count()).select_from(Programme))) == 0
