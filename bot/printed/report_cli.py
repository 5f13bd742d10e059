"""`porta report`: the programme report for a period, as a PDF and, if asked, as CSV files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import SUPPORTED_LOCALES

Work = Callable[[AsyncSession, Settings], Awaitable[Any]]


def register(cli: typer.Typer, in_transaction: Callable[[Work], Any]) -> None:
    """Add `report` to the `porta` command; `in_transaction` runs a read in one transaction
    (bot.cli.in_transaction)."""

    @cli.command("report")
    def report(
        start: Annotated[str, typer.Option("--from", help="First day, like 2026-11-01.")],
        end: Annotated[str, typer.Option("--to", help="Last day (included), like 2026-11-30.")],
        out: Annotated[Path, typer.Option(help="The PDF to write.")] = Path("report.pdf"),
        csv: Annotated[
            Path | None, typer.Option(help="Also write each table as a CSV file in this folder.")
        ] = None,
        language: Annotated[str, typer.Option(help="The report's language.")] = "",
    ) -> None:
        """Write the programme report for a period (local days, both included): reach,
        activities, cases and feedback; figures about fewer than 5 people show as "< 5"."""
        # Imported here: the PDF and its charts (fpdf2, matplotlib) weigh on every other
        # command's start-up, `porta run` first.
        from bot.printed.report import Report, build, to_csv
        from bot.printed.report_pdf import to_pdf

        first, last = parse_period(start, end)
        if language and language not in SUPPORTED_LOCALES:
            fail(f"--language must be one of {', '.join(SUPPORTED_LOCALES)}")

        async def read(session: AsyncSession, settings: Settings) -> tuple[Report, str]:
            locale = language or settings.default_language
            return await build(session, first, last, settings.zone, locale=locale), locale

        made, locale = in_transaction(read)
        out.write_bytes(to_pdf(made, locale))
        typer.echo(f"report written to {out}")
        if csv is not None:
            files = to_csv(made, csv, locale)
            typer.echo(f"{len(files)} tables written to {csv} as CSV")


def parse_period(start: str, end: str) -> tuple[date, date]:
    """The two days of --from and --to; a one-line error and exit 2 when they are not dates
    or --from comes after --to."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        fail(f"--from {start!r} and --to {end!r} must be dates like 2026-11-30")
    if first > last:
        fail(f"--from {start} comes after --to {end}")
    return first, last


def fail(message: str) -> NoReturn:
    typer.echo(f"porta: {message}", err=True)
    raise typer.Exit(2)
