"""The programme report over a period: reach, activities, cases, feedback, ideas and voice
notes.

Every figure is an aggregate the database computes (GROUP BY, count, sum, avg, a median), so
a city's hundred thousand people are never loaded; and every figure about people has passed
the privacy rule (`report_figures.private`) before `build` returns it. The same tables go to
a PDF (bot.printed.report_pdf) and to one CSV file each (`to_csv`).
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from bot.printed import (
    report_activities,
    report_cases,
    report_ideas,
    report_reach,
    report_voice,
)
from bot.printed.report_figures import Report, Section, Window
from bot.printed.report_text import plain

__all__ = ["Report", "build", "to_csv"]


async def build(
    session: AsyncSession,
    start: date,
    end: date,
    zone: ZoneInfo,
    *,
    locale: str = "en",
    now: datetime | None = None,
) -> Report:
    """The report from `start` to `end` (local days, both included); programmes are named in
    `locale`, and activities that ended before `now` count as over."""
    window = Window(start, end, zone, now or datetime.now(UTC))
    sections = [
        Section(N_("Reach"), await report_reach.tables(session, window)),
        Section(N_("Activities"), await report_activities.tables(session, window)),
        Section(N_("Cases"), await report_cases.tables(session, window, locale)),
        Section(N_("Feedback"), await report_activities.feedback(session, window)),
        Section(N_("Ideas"), await report_ideas.tables(session, window)),
        Section(N_("Voice notes"), await report_voice.tables(session, window)),
    ]
    return Report(start, end, zone, sections)


def to_csv(report: Report, folder: Path, locale: str = "en") -> list[Path]:
    """One CSV file per table in `folder` (UTF-8 with a BOM, so that spreadsheets read it as
    such), headings and labels in `locale`; the files written."""
    t = Translator(locale, report.zone)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for section in report.sections:
        for table in section.tables:
            path = folder / f"{table.name}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as file:
                writer = csv.writer(file)
                writer.writerow([t(column.title) for column in table.columns])
                for row in table.rows:
                    writer.writerow(
                        [plain(c, value, t) for c, value in zip(table.columns, row, strict=True)]
                    )
            written.append(path)
    return written
