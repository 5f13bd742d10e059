"""SQLAlchemy models. Every change to them comes with an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy's own class attribute)
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class User(Base):
    """A young person who has written to Porta. Erased whole on /deleteme."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The language the user chose; None means "follow Telegram's language_code".
    language: Mapped[str | None] = mapped_column(String(16))
    # The locale negotiated from Telegram's language_code at the user's last update, for
    # messages Porta sends on its own (notices, reminders) to someone who never chose.
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    age_band: Mapped[str | None] = mapped_column(String(8))
    # Onboarding step the user is at ("done" once finished); kept here, not in memory, so
    # that a restart or a second process picks the conversation up where it was.
    step: Mapped[str] = mapped_column(String(24), default="welcome")
    # What typed text the bot waits for, if any (for example "neighbourhood").
    awaiting: Mapped[str | None] = mapped_column(String(24))
    # A deep link (/start a12) to open once onboarding is done.
    pending_link: Mapped[str | None] = mapped_column(String(64))
    consent_at: Mapped[datetime | None]
    notice_version: Mapped[str | None] = mapped_column(String(16))
    guardian_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    guardian_consent_at: Mapped[datetime | None]
    guardian_recorded_by: Mapped[int | None] = mapped_column(BigInteger)
    neighbourhood: Mapped[str | None] = mapped_column(String(80))
    interests: Mapped[list[str]] = mapped_column(default=list)
    notify_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_announcements: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Operator(Base):
    """Someone who runs a hub or the housing service; admins also name operators."""

    __tablename__ = "operators"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
