"""`porta ideas list|export`: the ideas young people proposed, for staff, without names."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Backing, Hub, Idea

ideas_cli = typer.Typer(no_args_is_help=True, help="Ideas young people proposed for the hubs.")
COLUMNS = ("id", "status", "language", "hub", "for", "when", "needs", "would_lead",
           "backers", "proposed_at", "approved_at", "activity_id", "title", "what")  # fmt: skip


def register(cli: typer.Typer, in_transaction: Callable[..., Any]) -> None:
    """Add `ideas` to `porta`; `in_transaction` is bot.cli.in_transaction."""
    cli.add_typer(ideas_cli, name="ideas")

    async def rows(session: AsyncSession, _: Settings) -> list[tuple[Any, ...]]:
        backers = (
            select(Backing.idea_id, func.count().label("n")).group_by(Backing.idea_id).subquery()
        )
        query = (
            select(Idea, Hub.name, func.coalesce(backers.c.n, 0))
            .outerjoin(Hub, Hub.id == Idea.hub_id)
            .outerjoin(backers, backers.c.idea_id == Idea.id)
            .order_by(Idea.id)
        )
        return [
            (idea.id, idea.status, idea.language, name or "", " ".join(idea.ages), idea.timing,
             " ".join(idea.needs), "yes" if idea.lead else "no", int(n),
             idea.created_at.isoformat(), idea.approved_at.isoformat() if idea.approved_at else "",
             idea.activity_id or "", idea.title, idea.body)
            for idea, name, n in (await session.execute(query)).all()
        ]  # fmt: skip

    @ideas_cli.command("list")
    def list_command() -> None:
        """One line per idea: number, status, hub, backers, title."""
        for row in in_transaction(rows):
            typer.echo(f"{row[0]}\t{row[1]}\t{row[3] or '-'}\t{row[8]}\t{row[12]}")

    @ideas_cli.command("export")
    def export_command(
        out: Annotated[
            Path | None, typer.Option(help="The CSV file (default: the screen).")
        ] = None,
    ) -> None:
        """Every idea as CSV (UTF-8): what it is, its status and its backers; no names."""
        found = in_transaction(rows)
        file = out.open("w", encoding="utf-8-sig", newline="") if out else sys.stdout
        try:
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            writer.writerows(found)
        finally:
            if out:
                file.close()
        if out:
            typer.echo(f"{len(found)} ideas written to {out}")
