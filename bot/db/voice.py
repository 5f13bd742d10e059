"""Voice notes: made once and kept with Telegram's file_id, staff recordings of a page in a
language, and how often each screen is listened to (counts only, never who listened)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class VoiceClip(Base):
    """One automatic voice note: the same words, voice and rate are synthesized once."""

    __tablename__ = "voice_clips"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), index=True)
    # The fingerprint of the language's catalog when the note was made: a changed catalog
    # drops its own notes and no other language's.
    catalog: Mapped[str] = mapped_column(String(16))
    audio: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only to upload
    seconds: Mapped[float] = mapped_column(Float)
    bot_id: Mapped[int | None] = mapped_column(BigInteger)  # a file_id belongs to one bot
    file_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoiceRecording(Base):
    """A page read by a person of the team, in one language, tied to the text it reads."""

    __tablename__ = "voice_recordings"

    page: Mapped[str] = mapped_column(String(40), primary_key=True)  # help, programme:3, ...
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    text_key: Mapped[str] = mapped_column(String(64))  # the spoken text it was recorded for
    file_id: Mapped[str] = mapped_column(String(255))
    seconds: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoiceListen(Base):
    """Listens to a screen in a language on a day, and the answers to "Did you
    understand?"."""

    __tablename__ = "voice_listens"

    screen: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the local day
    listens: Mapped[int] = mapped_column(Integer, default=0)
    understood: Mapped[int] = mapped_column(Integer, default=0)
    not_understood: Mapped[int] = mapped_column(Integer, default=0)
