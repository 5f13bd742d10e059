"""SQLAlchemy models. Every change to them comes with an Alembic migration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from bot.db.base import Base, utcnow
from bot.db.casework import Case, CaseEvent, CaseMessage, Form, Programme, TeamGroup
from bot.db.feedback import Feedback
from bot.db.ideas import Backing, Idea
from bot.db.shared import Arrival, SendBudget
from bot.db.voice import VoiceClip, VoiceListen, VoiceRecording

__all__ = [
    "Arrival",
    "Backing",
    "Base",
    "Case",
    "CaseEvent",
    "CaseMessage",
    "Feedback",
    "Form",
    "Idea",
    "Programme",
    "SendBudget",
    "TeamGroup",
    "VoiceClip",
    "VoiceListen",
    "VoiceRecording",
]


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
    # A voice note with every screen that informs (Settings, or 🔊 on the first screen).
    voice_always: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Operator(Base):
    """Someone who runs a hub or the housing service; admins also name operators."""

    __tablename__ = "operators"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Hub(Base):
    """A neighbourhood hub where activities take place."""

    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    neighbourhood: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    contact: Mapped[str] = mapped_column(String(120), default="")
    # Opening hours and accessibility notes per language: {"it": {"hours": ..., "access": ...}}
    notes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Activity(Base):
    """One session of an activity at a hub; a weekly series is one row per session."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int] = mapped_column(Integer, default=14)
    max_age: Mapped[int] = mapped_column(Integer, default=35)
    languages: Mapped[list[str]] = mapped_column(default=list)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    hub: Mapped[Hub] = relationship(lazy="joined")
    texts: Mapped[list[ActivityText]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ActivityText.language"
    )


class ActivityText(Base):
    """An activity's title and description in one language."""

    __tablename__ = "activity_texts"
    __table_args__ = (UniqueConstraint("activity_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")


class Signup(Base):
    """A user's place at an activity: confirmed, waitlisted, cancelled or attended."""

    __tablename__ = "signups"
    __table_args__ = (
        UniqueConstraint("user_id", "activity_id"),
        UniqueConstraint("activity_id", "queue_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    # The order sign-ups were made in within the activity (taps handled at once may be made
    # in another order than they arrived).
    queue_number: Mapped[int] = mapped_column(Integer)
    # When the tap reached Porta, and its update id: the waitlist's order (see
    # bot.services.signups.WAITLIST_ORDER).
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    tap_id: Mapped[int | None] = mapped_column(BigInteger)
    # The first name Telegram showed at sign-up, so that staff know who is coming.
    display_name: Mapped[str] = mapped_column(String(64), default="")
    checkin_code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship(lazy="joined")


class Draft(Base):
    """An operator's half-filled form (a new activity or an edit), one per operator, kept
    here so that a restart or another process can carry on with it."""

    __tablename__ = "drafts"

    operator_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """A message Porta sends on its own (not a direct reply): a row first, then sent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Enqueuing the same key twice gives one row (a reminder, a notice per sign-up).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending -> sending -> sent, or failed (Telegram refused it: 400), blocked (403),
    # cancelled (withdrawn before it went out: the place was given up), withdrawn (too late:
    # past expires_at, or older than PORTA_OUTBOX_MAX_AGE).
    status: Mapped[str] = mapped_column(String(12), default="pending")
    # After this the message no longer makes sense (a reminder, once the activity started).
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    photo: Mapped[str | None] = mapped_column(String(200))
    # Any other Bot API call, with its parameters: {"method": "copyMessage", ...}; the
    # message_thread_id of a topic still to be created is filled in once it exists.
    action: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """An announcement to an audience, sent through the outbox, with its final figures."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(BigInteger)
    # {"it": "...", "ar": "..."}: the author's text under base_language, others optional.
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    base_language: Mapped[str] = mapped_column(String(16))
    photo: Mapped[str | None] = mapped_column(String(200))
    # all, hub:<id>, neighbourhood:<name>, language:<code>, interest:<key>, activity:<id>
    audience: Mapped[str] = mapped_column(String(120))
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
    # draft, scheduled, sending, done, cancelled
    status: Mapped[str] = mapped_column(String(12), default="draft")
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
