"""Sending voice notes: the team's recording when there is one for the words on screen,
else the automatic voice, made once and sent by Telegram's file_id after the first upload."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.db.session import SessionFactory
from bot.i18n import fingerprint
from bot.pacing import BEHIND_REPLIES
from bot.services import voice
from bot.voice import speech
from bot.voice.engine import NORMAL_RATE, Clip, Engine


@dataclass(frozen=True)
class Note:
    """What a voice note reads: the parts (language, text) and the page it belongs to."""

    parts: Sequence[tuple[str, str]]
    language: str
    page: str | None = None  # a page the team may record (help, housing.page:3, ...)
    words: str = ""  # what a recording of the page reads: the page's steady words

    @property
    def text_key(self) -> str:
        """What a recording of this note is tied to: the page's words, not the voice."""
        return speech.key([(self.language, self.words or self.parts[-1][1])], "words", 0)


class Desk:
    """Each note costs the database two turns (SQLite has one connection for everyone): one
    look (a recording, or a note made before, without its audio) and one write (the note
    just made with its file_id, and the listen counted)."""

    def __init__(self, engine: Engine, db: SessionFactory) -> None:
        self.engine = engine
        self.db = db

    async def send(
        self,
        bot: ExtBot[Any],
        chat_id: int,
        note: Note,
        *,
        rate: int = NORMAL_RATE,
        caption: str,
        human_caption: str,
        markup: InlineKeyboardMarkup | None,
        counted: Counted | None = None,
    ) -> Message:
        """Send `note` to `chat_id`: recorded when it can be, else made (once) by eSpeak;
        `counted` is one more listen of a screen in the note's language."""
        key = speech.key(note.parts, self.engine.version, rate)
        async with self.db() as session:
            recorded = None
            if rate == NORMAL_RATE and note.page is not None:
                recorded = await voice.recording(session, note.page, note.language)
            found = await voice.clip(session, key)
        options: dict[str, Any] = {"reply_markup": markup, "rate_limit_args": BEHIND_REPLIES}
        message: Message | None = None
        if recorded is not None and recorded.text_key == note.text_key:
            message = await bot.send_voice(
                chat_id, recorded.file_id, caption=human_caption, **options
            )
        elif found is not None and found.file_id and found.bot_id == bot.id:
            with contextlib.suppress(BadRequest):  # a file_id Telegram no longer knows
                playing = seconds(found.seconds)
                message = await bot.send_voice(
                    chat_id, found.file_id, duration=playing, caption=caption, **options
                )
        made: Clip | None = None
        uploaded: str | None = None
        try:
            if message is None:
                audio = None
                if found is not None:  # made before: its audio, uploaded for this bot
                    async with self.db() as session:
                        audio = await voice.audio_of(session, key)
                if audio is None:
                    await bot.send_chat_action(chat_id, ChatAction.RECORD_VOICE)
                    made = await self.engine.clip(note.parts, rate)
                    audio = made.audio
                length = made.seconds if made else found.seconds if found else 0.0
                upload = InputFile(BytesIO(audio), filename="porta.ogg")
                message = await bot.send_voice(
                    chat_id, upload, duration=seconds(length), caption=caption, **options
                )
                uploaded = message.voice.file_id if message.voice else None
        finally:  # a note made and not sent is kept all the same: it is not made twice
            await self.write(bot.id, key, note, made, uploaded, counted if message else None)
        return message

    async def write(
        self,
        bot_id: int,
        key: str,
        note: Note,
        made: Clip | None,
        uploaded: str | None,
        counted: Counted | None,
    ) -> None:
        """The note's one write: the note just made (with its file_id once uploaded), or the
        file_id of one made before, and the listen counted."""
        if made is None and uploaded is None and counted is None:
            return
        async with self.db.begin() as session:
            if made is not None:
                catalog = fingerprint(note.language)
                sent = (bot_id, uploaded) if uploaded else None
                await voice.keep(
                    session, key, note.language, catalog, made.audio, made.seconds, sent
                )
            elif uploaded is not None:
                await voice.remember_file(session, key, bot_id, uploaded)
            if counted is not None:
                await voice.count(session, counted.screen, note.language, "listen", counted.day)


@dataclass(frozen=True)
class Counted:
    """A listen to count with the note: the screen, on a local day."""

    screen: str
    day: date


def seconds(length: float) -> int:
    return max(1, round(length))
