"""The `porta` commands that print: `porta poster` and `porta report`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.printed import report_cli

SIZE = Literal["A5", "A4", "A3"]


def register(cli: typer.Typer, in_transaction: Callable[..., Any]) -> None:
    """Add the printing commands to `porta`; `in_transaction` is bot.cli.in_transaction."""
    report_cli.register(cli, in_transaction)

    @cli.command("poster")
    def poster_command(
        username: Annotated[str, typer.Option(help="The bot's @username, like PortaLuccaBot.")],
        activity: Annotated[int | None, typer.Option(help="The activity's number.")] = None,
        hub: Annotated[int | None, typer.Option(help="The hub's number.")] = None,
        bot: Annotated[bool, typer.Option("--bot", help="A poster of Porta itself.")] = False,
        languages: Annotated[
            str, typer.Option(help="Like it,ar,uk (default: the activity's own, else all nine).")
        ] = "",
        size: Annotated[SIZE, typer.Option(help="The paper.")] = "A4",
        out: Annotated[Path, typer.Option(help="The PDF to write.")] = Path("poster.pdf"),
    ) -> None:
        """Write a poster with a QR code that opens an activity, a hub or Porta itself."""
        from bot.printed import fonts, poster  # fpdf2 and segno, only when printing

        if (activity is not None) + (hub is not None) + bot != 1:
            report_cli.fail("name one of --activity ID, --hub ID or --bot")
        asked = [code.strip() for code in languages.split(",") if code.strip()]
        try:
            poster.languages(asked)
        except ValueError as error:
            report_cli.fail(f"unknown language(s): {error}")
        if lacking := fonts.missing():
            report_cli.fail(f"fonts missing ({lacking[0]}): apt install fonts-noto-core")

        async def read(session: AsyncSession, settings: Settings) -> Any:
            if activity is not None:
                return await poster.for_activity(
                    session, activity, username, asked, settings.zone, settings.default_language
                )
            if hub is not None:
                return await poster.for_hub(session, hub, username, asked, settings.zone)
            return poster.for_bot(username, asked, settings.zone)

        made = in_transaction(read)
        if made is None:
            report_cli.fail(f"no {'activity' if activity is not None else 'hub'} with that number")
        out.write_bytes(poster.render(made, size))
        typer.echo(f"poster written to {out} ({made.link})")
