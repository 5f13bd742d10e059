"""The programme report: every figure of a small, known month, the privacy rule on small
groups, the CSV files, the PDF (read back and rendered) and the `porta report` command."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from bot.config import Settings
from bot.db.models import Activity, Case, Feedback, Programme, Signup, User
from bot.db.session import SessionFactory
from bot.db.voice import VoiceListen
from bot.printed.report import Report, build, to_csv
from bot.printed.report_cli import register
from bot.printed.report_figures import Days, private
from bot.printed.report_pdf import to_pdf
from tests.commands import porta as run_porta
from tests.factories import NOW, activity, hub

ROME = ZoneInfo("Europe/Rome")
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def at(day: int, hour: float, month: int = 11) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


async def people(db: SessionFactory) -> list[int]:
    """15 people in the first two weeks of November (7 ar, 5 it, 3 uk), one just after
    midnight on 1 November (local time), two just outside the month, twelve from September."""
    languages = [("ar", "ar")] * 5 + [(None, "ar")] * 2 + [("it", "en")] + [("it", "it")] * 4
    languages += [("uk", "uk")] * 3
    ages = ["18_24"] * 8 + ["14_17"] * 5 + ["25_35"] * 2
    places = ["San Vito"] * 9 + ["San Concordio"] * 6
    rows = [
        dict(language=language, telegram_language=telegram, age_band=age, neighbourhood=place,
             created_at=at(3, n) if n < 12 else at(10, n))
        for n, ((language, telegram), age, place) in enumerate(zip(languages, ages, places, strict=True))
    ]  # fmt: skip
    rows.append({"created_at": at(31, 23.5, month=10)})  # 00:30 on 1 November in Rome
    rows += [{"created_at": at(31, 22.5, month=10)}, {"created_at": at(30, 23.5)}]
    rows += [{"language": "it", "created_at": at(1, n, month=9)} for n in range(12)]
    async with db.begin() as session:
        for number, row in enumerate(rows, start=1):
            session.add(User(id=number, chat_id=number, **row))
    return list(range(1, len(rows) + 1))


async def places(db: SessionFactory, users: list[int], activity_id: int, **counts: int) -> None:
    """Sign-ups at the activity, so many of each status, from the first of `users`."""
    statuses = [status for status, count in counts.items() for _ in range(count)]
    async with db.begin() as session:
        for number, (user_id, status) in enumerate(zip(users, statuses, strict=False), start=1):
            session.add(Signup(user_id=user_id, activity_id=activity_id, status=status,
                               queue_number=number, checkin_code=f"{number:04d}"))  # fmt: skip


async def activities(db: SessionFactory, users: list[int]) -> None:
    """Two hubs; sport and culture in November (one cancelled, one still to come when the
    report is made on 22 November), one in October and one just after the month (local)."""
    san_vito, pontetetto = await hub(db, "San Vito"), await hub(db, "Pontetetto")
    sport = await activity(db, san_vito.id, capacity=12, starts=at(10, 17), category="sport")
    culture = await activity(db, san_vito.id, capacity=8, starts=at(12, 17), category="culture")
    coming = await activity(db, pontetetto.id, capacity=20, starts=at(25, 17), category="sport")
    cancelled = await activity(
        db, pontetetto.id, capacity=15, starts=at(14, 17), category="culture"
    )
    october = await activity(db, san_vito.id, capacity=10, starts=at(28, 17, month=10))
    await activity(db, pontetetto.id, capacity=30, starts=at(30, 23.5))
    await places(db, users, sport.id, attended=9, confirmed=3, waitlisted=6, cancelled=1)
    await places(db, users, culture.id, attended=2, confirmed=2)
    await places(db, users, coming.id, confirmed=7, waitlisted=2)
    await places(db, users, cancelled.id, confirmed=5)
    await places(db, users, october.id, attended=5)
    async with db.begin() as session:
        await session.execute(
            update(Activity).where(Activity.id == cancelled.id).values(status="cancelled")
        )
        scores = [(sport, [5, 4, 4, 5, 2, None]), (culture, [5, 5, 4])]
        scores += [(cancelled, [1] * 5), (october, [5] * 3)]
        for item, given in scores:
            for user_id, score in zip(users, given, strict=False):
                session.add(Feedback(activity_id=item.id, user_id=user_id, score=score))


async def cases(db: SessionFactory) -> None:
    """Housing requests (for a programme and for none) and talks to a person, with the hours
    their first answer took (None: not answered yet)."""
    opened = [
        ("social", "housing", "answered", [1, 2]), ("social", "housing", "closed", [3, 4, 10]),
        ("social", "housing", "new", [None]), (None, "housing", "closed", [5, 6, 7]),
        (None, "person", "answered", [0.5, 1.5, 2.5]), (None, "person", "new", [None]),
    ]  # fmt: skip
    async with db.begin() as session:
        social = Programme(external_id="social-housing", kind="housing", team="housing",
                           texts={"it": {"title": "Housing sociale"}, "en": {"title": "Social housing"}})  # fmt: skip
        session.add(social)
        await session.flush()
        made = [(p, kind, status, h, at(5 + n, 9)) for n, (p, kind, status, hours) in enumerate(opened) for h in hours]  # fmt: skip
        made += [(None, "housing", "answered", 100, at(20, 9, month=10))]
        made += [(None, "person", "answered", 1, at(30, 23.5))]
        for number, (programme, kind, status, hours, when) in enumerate(made, start=1):
            session.add(Case(
                reference=f"H-2026-{number:04d}", kind=kind, team="housing", language="it",
                programme_id=social.id if programme else None, status=status, created_at=when,
                first_answer_at=None if hours is None else when + timedelta(hours=hours),
            ))  # fmt: skip


@pytest.fixture
async def november(db: SessionFactory) -> Report:
    users = await people(db)
    await activities(db, users)
    await cases(db)
    async with db() as session:
        return await build(session, NOV_1, NOV_30, ROME, now=NOW)


def test_the_privacy_rule_hides_one_to_four_people() -> None:
    assert [private(n, n) for n in (0, 1, 4, 5, 12)] == [0, "< 5", "< 5", 5, 12]
    assert private(4.5, 4) == "< 5" and private(4.5, 5) == 4.5 and private(None, 0) is None


async def test_reach_counts_new_people_by_local_week_language_age_and_place(
    november: Report,
) -> None:
    assert november.table("reach_weeks").rows == [
        (Days(NOV_1, NOV_1), "< 5"),
        (Days(date(2026, 11, 2), date(2026, 11, 8)), 12),
        (Days(date(2026, 11, 9), date(2026, 11, 15)), "< 5"),
        (Days(date(2026, 11, 16), date(2026, 11, 22)), 0),
        (Days(date(2026, 11, 23), date(2026, 11, 29)), 0),
        (Days(NOV_30, NOV_30), 0),
    ]
    assert november.table("reach_languages").rows == [
        ("ar", 7), ("it", 5), ("uk", "< 5"), (None, "< 5")
    ]  # fmt: skip
    assert november.table("reach_ages").rows == [
        ("u14", 0), ("14_17", 5), ("18_24", 8), ("25_35", "< 5"), ("o35", 0), (None, "< 5")
    ]  # fmt: skip
    assert november.table("reach_neighbourhoods").rows == [
        ("San Vito", 9), ("San Concordio", 6), (None, "< 5")
    ]  # fmt: skip


async def test_activities_count_places_sign_ups_attendance_and_waitlists(
    november: Report,
) -> None:
    # hub or kind, sessions, places, sign-ups, waitlisted, attendance, no-shows, unmet
    assert november.table("activities_hubs").rows == [
        ("Pontetetto", 1, 20, 7, "< 5", None, 0, 0),
        ("San Vito", 2, 20, 16, 6, 0.6875, 5, 6),
    ]
    assert november.table("activities_kinds").rows == [
        ("culture", 1, 8, "< 5", 0, "< 5", "< 5", 0),
        ("sport", 2, 32, 19, 8, 0.75, "< 5", 6),
    ]


async def test_cases_by_programme_status_and_median_time_to_answer(november: Report) -> None:
    assert november.table("cases_programmes").rows == [
        ("Social housing", "housing", 6), (None, "housing", "< 5"), (None, "person", "< 5")
    ]  # fmt: skip
    assert november.table("cases_statuses").rows == [
        ("new", "< 5"), ("claimed", 0), ("review", 0), ("answered", 5), ("closed", 6),
        ("withdrawn", 0),
    ]  # fmt: skip
    # The median of 1, 2, 3, 4, 5, 6, 7 and 10 hours: (4 + 5) / 2.
    assert november.table("cases_answers").rows == [
        ("housing", 9, 8, 4.5), ("person", "< 5", "< 5", "< 5")
    ]  # fmt: skip


async def test_offers_of_help_by_kind_with_the_erased_ones_apart(db: SessionFactory) -> None:
    offered = ["volunteer"] * 6 + ["host"] * 2 + [None]  # None: erased, its answers gone
    async with db.begin() as session:
        for number, what in enumerate(offered, start=1):
            session.add(Case(reference=f"O-2026-{number:04d}", kind="offer", team="youth",
                             language="it", fields={"offer": what} if what else {},
                             created_at=at(3 + number, 9)))  # fmt: skip
        session.add(Case(reference="O-2026-0099", kind="offer", team="youth", language="it",
                         fields={"offer": "mentor"}, created_at=at(20, 9, month=10)))  # fmt: skip
    async with db() as session:
        made = await build(session, NOV_1, NOV_30, ROME, now=NOW)
    assert made.table("cases_offers").rows == [
        ("volunteer", 6), ("mentor", 0), ("host", "< 5"), (None, "< 5")
    ]  # fmt: skip


async def test_feedback_averages_by_kind_only_over_five_answers(november: Report) -> None:
    assert november.table("feedback_kinds").rows == [("culture", "< 5", "< 5"), ("sport", 5, 4.0)]


async def test_programmes_are_named_in_the_reports_language(
    november: Report, db: SessionFactory
) -> None:
    async with db() as session:
        italian = await build(session, NOV_1, NOV_30, ROME, locale="it", now=NOW)
    assert italian.table("cases_programmes").rows[0] == ("Housing sociale", "housing", 6)


async def test_weeks_follow_local_days_across_the_end_of_summer_time(db: SessionFactory) -> None:
    # Summer time ends on 25 October 2026 at 01:00 UTC: Rome goes from UTC+2 to UTC+1.
    arrivals = [(at(18, 22.5, 10), 5), (at(25, 22.5, 10), 6), (at(26, 0.5, 10), 7)]
    arrivals += [(at(18, 21.5, 10), 5), (at(1, 23.5), 5)]  # 23:30 on 18 Oct, 00:30 on 2 Nov
    async with db.begin() as session:
        moments = [moment for moment, count in arrivals for _ in range(count)]
        for number, moment in enumerate(moments, start=1):
            session.add(User(id=number, chat_id=number, created_at=moment))
    async with db() as session:
        report = await build(session, date(2026, 10, 19), NOV_1, ROME, now=NOW)
    assert report.table("reach_weeks").rows == [
        (Days(date(2026, 10, 19), date(2026, 10, 25)), 11),
        (Days(date(2026, 10, 26), NOV_1), 7),
    ]


async def test_csv_files_hold_the_same_figures(november: Report, tmp_path: Path) -> None:
    files = to_csv(november, tmp_path / "csv")
    assert [f.name for f in files] == [
        "reach_weeks.csv", "reach_languages.csv", "reach_ages.csv", "reach_neighbourhoods.csv",
        "activities_hubs.csv", "activities_kinds.csv", "cases_programmes.csv",
        "cases_statuses.csv", "cases_answers.csv", "cases_offers.csv", "feedback_kinds.csv",
        "ideas_hubs.csv", "voice_languages.csv",
    ]  # fmt: skip
    weeks = (tmp_path / "csv" / "reach_weeks.csv").read_bytes()
    assert weeks.startswith(b"\xef\xbb\xbf")
    assert weeks.decode("utf-8-sig").splitlines() == [
        "Week,New people", "2026-11-01/2026-11-01,< 5", "2026-11-02/2026-11-08,12",
        "2026-11-09/2026-11-15,< 5", "2026-11-16/2026-11-22,0", "2026-11-23/2026-11-29,0",
        "2026-11-30/2026-11-30,0",
    ]  # fmt: skip
    assert read(tmp_path / "csv" / "activities_hubs.csv") == [
        "Hub,Sessions,Places offered,Sign-ups,Waitlisted,Attendance rate,No-shows,Waitlist left unmet",
        "Pontetetto,1,20,7,< 5,,0,0",
        "San Vito,2,20,16,6,0.6875,5,6",
    ]
    assert read(tmp_path / "csv" / "reach_languages.csv")[1:] == [
        "Arabic (ar),7", "Italian (it),5", "Ukrainian (uk),< 5", "not given,< 5"
    ]  # fmt: skip
    assert read(tmp_path / "csv" / "cases_answers.csv") == [
        "Request,Opened,Answered,Median hours to the first answer",
        "housing request,9,8,4.5", "talk to a person,< 5,< 5,< 5",
    ]  # fmt: skip


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def rendered(pdf: bytes, folder: Path) -> tuple[str, int]:
    """The PDF's text (pypdf) and how many pages pdftoppm rendered, one PNG each."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    done = subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / "page")],
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(list(folder.glob("page-*.png"))) == len(reader.pages)
    return text, len(reader.pages)


async def test_the_pdf_opens_reads_and_renders(november: Report, tmp_path: Path) -> None:
    text, pages = rendered(to_pdf(november, "en"), tmp_path)
    assert "Porta — programme report, Nov 1\u2009–\u200930, 2026" in text  # thin spaces
    for heading in ("Reach", "Activities", "Cases", "Feedback", "New people by week"):
        assert heading in text
    assert "San Vito" in text and "69%" in text and "< 5" in text and "4.5" in text
    assert pages >= 2


@pytest.mark.parametrize("locale", ["it", "ar", "uk", "bn"])
async def test_the_pdf_renders_in_other_scripts(
    november: Report, tmp_path: Path, locale: str
) -> None:
    text, _ = rendered(to_pdf(november, locale), tmp_path)
    assert "San Vito" in text


def porta(settings: Settings, *args: str) -> tuple[int, str]:
    return run_porta(settings, register, *args)


def test_porta_report_writes_the_pdf_and_the_csv(settings: Settings, tmp_path: Path) -> None:
    out, folder = tmp_path / "november.pdf", tmp_path / "tables"
    code, output = porta(settings, "report", "--from", "2026-11-01", "--to", "2026-11-30",
                         "--out", str(out), "--csv", str(folder), "--language", "en")  # fmt: skip
    assert code == 0, output
    assert output == f"report written to {out}\n13 tables written to {folder} as CSV\n"
    assert out.read_bytes().startswith(b"%PDF") and len(list(folder.glob("*.csv"))) == 13
    assert read(folder / "reach_ages.csv")[-1] == "not given,0"


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        ("2026-13-01", "2026-11-30", "porta: --from '2026-13-01' and --to '2026-11-30' must be dates like 2026-11-30\n"),
        ("2026-11-30", "2026-11-01", "porta: --from 2026-11-30 comes after --to 2026-11-01\n"),
    ],
)  # fmt: skip
def test_porta_report_refuses_bad_periods(
    settings: Settings, tmp_path: Path, start: str, end: str, error: str
) -> None:
    out = tmp_path / "report.pdf"
    code, output = porta(settings, "report", "--from", start, "--to", end, "--out", str(out))
    assert (code, output) == (2, error) and not out.exists()


async def test_voice_notes_are_counted_by_language_within_the_period(db: SessionFactory) -> None:
    rows = [("help", "ar", date(2026, 11, 1), 6, 5, 1), ("welcome", "ar", NOV_30, 4, 2, 0),
            ("help", "ar", date(2026, 10, 31), 50, 50, 0), ("help", "uk", date(2026, 11, 9), 3, 1, 1),
            ("help", "it", date(2026, 12, 1), 9, 9, 0)]  # fmt: skip
    async with db.begin() as session:
        for screen, language, day, listens, yes, no in rows:
            session.add(VoiceListen(screen=screen, language=language, day=day, listens=listens,
                                    understood=yes, not_understood=no))  # fmt: skip
    async with db() as session:
        report = await build(session, NOV_1, NOV_30, ROME, now=NOW)
    assert report.table("voice_languages").rows == [
        ("ar", 10, 7, "< 5"),
        ("uk", "< 5", "< 5", "< 5"),
    ]
