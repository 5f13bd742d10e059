"""Voice notes in the database: automatic notes made once (with Telegram's file_id after the
first upload), the team's recordings of a page, and listens counted per screen and language
without anyone's id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.voice import VoiceClip, VoiceListen, VoiceRecording

ANSWERS = {"listen": "listens", "yes": "understood", "no": "not_understood"}


async def clip(session: AsyncSession, key: str) -> VoiceClip | None:
    """A note made before, without its audio (`audio_of` reads that, when it is needed)."""
    return await session.get(VoiceClip, key)


async def audio_of(session: AsyncSession, key: str) -> bytes | None:
    return await session.scalar(select(VoiceClip.audio).where(VoiceClip.key == key))


async def keep(
    session: AsyncSession,
    key: str,
    language: str,
    catalog: str,
    audio: bytes,
    seconds: float,
    sent: tuple[int, str] | None = None,
) -> None:
    """Keep a note just made, with the bot and file_id it was `sent` as; a twin made at the
    same moment by another process wins."""
    bot_id, file_id = sent or (None, None)
    made = VoiceClip(
        key=key,
        language=language,
        catalog=catalog,
        audio=audio,
        seconds=seconds,
        bot_id=bot_id,
        file_id=file_id,
    )
    try:
        async with session.begin_nested():
            session.add(made)
    except IntegrityError:
        pass


async def remember_file(session: AsyncSession, key: str, bot_id: int, file_id: str) -> None:
    await session.execute(
        update(VoiceClip).where(VoiceClip.key == key).values(bot_id=bot_id, file_id=file_id)
    )


async def forget_changed(session: AsyncSession, catalogs: Mapping[str, str]) -> int:
    """Drop the notes of each language whose catalog changed since they were made."""
    dropped = 0
    for language, catalog in catalogs.items():
        result = await session.execute(
            delete(VoiceClip).where(VoiceClip.language == language, VoiceClip.catalog != catalog)
        )
        dropped += int(getattr(result, "rowcount", 0) or 0)
    return dropped


# -- the team's recordings ----------------------------------------------------------------


async def recording(session: AsyncSession, page: str, language: str) -> VoiceRecording | None:
    return await session.get(VoiceRecording, (page, language))


async def recordings(session: AsyncSession, pages: Sequence[str]) -> list[VoiceRecording]:
    found = await session.scalars(select(VoiceRecording).where(VoiceRecording.page.in_(pages)))
    return list(found)


async def record(
    session: AsyncSession,
    page: str,
    language: str,
    *,
    text_key: str,
    file_id: str,
    seconds: int,
    by: int,
) -> None:
    """Keep (or replace) the team's recording of `page` in `language`."""
    found = await recording(session, page, language)
    if found is None:
        found = VoiceRecording(page=page, language=language)
        session.add(found)
    found.text_key, found.file_id, found.seconds, found.recorded_by = text_key, file_id, seconds, by


# -- figures ------------------------------------------------------------------------------


async def count(session: AsyncSession, screen: str, language: str, answer: str, day: date) -> None:
    """One more listen (or 👍, or 👎) for a screen in a language on a local day; race-free
    across processes."""
    column = ANSWERS[answer]
    statement = (
        update(VoiceListen)
        .where(VoiceListen.screen == screen, VoiceListen.language == language)
        .where(VoiceListen.day == day)
        .values({column: getattr(VoiceListen, column) + 1})
    )
    for _ in range(3):
        if getattr(await session.execute(statement), "rowcount", 0):
            return
        try:
            async with session.begin_nested():
                row = VoiceListen(screen=screen, language=language, day=day)
                row.listens = row.understood = row.not_understood = 0
                setattr(row, column, 1)
                session.add(row)
            return
        except IntegrityError:
            continue


@dataclass(frozen=True)
class Figures:
    listens: int
    understood: int
    not_understood: int


async def figures(
    session: AsyncSession, by: str, first: date | None = None, last: date | None = None
) -> dict[str, Figures]:
    """Listens, 👍 and 👎 by screen or by language ("screen", "language"), over the local
    days from `first` to `last` (both included; all days when not given)."""
    key = VoiceListen.screen if by == "screen" else VoiceListen.language
    query = select(
        key,
        func.sum(VoiceListen.listens),
        func.sum(VoiceListen.understood),
        func.sum(VoiceListen.not_understood),
    ).group_by(key)
    if first is not None:
        query = query.where(VoiceListen.day >= first)
    if last is not None:
        query = query.where(VoiceListen.day <= last)
    rows = (await session.execute(query)).all()
    return {str(name): Figures(int(a or 0), int(b or 0), int(c or 0)) for name, a, b, c in rows}
