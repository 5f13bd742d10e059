"""Voice notes in the period, by language: how often screens were heard, and the answers to
"Did you understand?" (counted without anyone's id; any figure under 5 shows as "< 5")."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.printed.report_figures import Column, Row, Table, Window, counted
from bot.services import voice


async def tables(session: AsyncSession, window: Window) -> list[Table]:
    heard = await voice.figures(session, "language", window.start, window.end)
    rows: list[Row] = [
        (language, counted(n.listens), counted(n.understood), counted(n.not_understood))
        for language, n in sorted(heard.items(), key=lambda item: (-item[1].listens, item[0]))
    ]
    return [
        Table(
            "voice_languages",
            N_("Voice notes by language"),
            (
                Column(N_("Language"), "language"),
                Column(N_("Listens"), "count"),
                Column(N_("👍 Understood"), "count"),
                Column(N_("👎 Not really"), "count"),
            ),
            rows,
        )
    ]
