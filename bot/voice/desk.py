"""Sending voice notes: the team's recording when there is one for the words on screen,
else the automatic voice, made once and sent by Telegram's file_id after the first upload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from bot.voice.engine import NORMAL_RATE, Engine


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
    def __init__(self, engine: Engine, db: SessionFactory) -> None:
        self.engine = engine
        self.db = db

    async def recorded(self, note: Note) -> str | None:
        """The file_id of the team's recording of these very words, if there is one."""
        if note.page is None:
            return None
        async with self.db() as session:
            found = await voice.recording(session, note.page, note.language)
        return found.file_id if found and found.text_key == note.text_key else None

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
    ) -> Message:
        """Send `note` to `chat_id`: recorded when it can be, else made (once) by eSpeak."""
        if rate == NORMAL_RATE:
            file_id = await self.recorded(note)
            if file_id is not None:
                return await bot.send_voice(
                    chat_id,
                    file_id,
                    caption=human_caption,
                    reply_markup=markup,
                    rate_limit_args=BEHIND_REPLIES,
                )
        key = speech.key(note.parts, self.engine.version, rate)
        async with self.db() as session:
            found = await voice.clip(session, key)
        if found is not None and found.file_id and found.bot_id == bot.id:
            try:
                return await bot.send_voice(
                    chat_id,
                    found.file_id,
                    duration=seconds(found.seconds),
                    caption=caption,
                    reply_markup=markup,
                    rate_limit_args=BEHIND_REPLIES,
                )
            except BadRequest:
                pass  # a file_id Telegram no longer knows: upload the note again
        if found is not None:
            audio, length = found.audio, found.seconds
        else:
            await bot.send_chat_action(chat_id, ChatAction.RECORD_VOICE)
            made = await self.engine.clip(note.parts, rate)
            audio, length = made.audio, made.seconds
            async with self.db.begin() as session:
                catalog = fingerprint(note.language)
                await voice.keep(session, key, note.language, catalog, audio, length)
        upload = InputFile(BytesIO(audio), filename="porta.ogg")
        message = await bot.send_voice(
            chat_id,
            upload,
            duration=seconds(length),
            caption=caption,
            reply_markup=markup,
            rate_limit_args=BEHIND_REPLIES,
        )
        if message.voice is not None:
            async with self.db.begin() as session:
                await voice.remember_file(session, key, bot.id, message.voice.file_id)
        return message


def seconds(length: float) -> int:
    return max(1, round(length))
