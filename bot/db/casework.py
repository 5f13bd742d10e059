"""Models of housing and "talk to a person": programmes, cases and the staff groups.

A case keeps its fields, its status history and the ids of the messages relayed, never the
texts relayed (Telegram holds those). Health or disability needs are kept only after the
young person's explicit consent, and closed cases lose every personal field after the
retention period (PORTA_CASE_RETENTION_DAYS).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class Programme(Base):
    """A housing programme one applies to, or a low-threshold service (a canteen, a shelter,
    the street unit), with its texts per language and, for a place, its weekly hours."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # housing | service
    team: Mapped[str] = mapped_column(String(12))  # housing | youth: who answers
    contact: Mapped[str] = mapped_column(String(120), default="")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # [{"days": ["mon", ...], "open": "12:00", "close": "14:00"}], local time
    hours: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # {"it": {"title", "who", "offers", "apply", "documents"}, ...}
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """A housing request, or a conversation with a person ("talk to a person")."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_group_thread", "group_chat_id", "thread_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # housing | person
    team: Mapped[str] = mapped_column(String(12))  # housing | youth
    # None once the case is purged (retention) or the person is erased.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(16))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL")
    )
    urgency: Mapped[str] = mapped_column(String(8), default="normal")  # high | normal | low
    # new -> claimed -> review -> answered -> closed (withdrawn: the person erased it)
    status: Mapped[str] = mapped_column(String(12), default="new")
    # The form's answers (household, situation, contact, note); {} once purged.
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Health or disability needs, only after consent: {"needs": [...], "note": "..."}.
    health: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    health_consent_at: Mapped[datetime | None]
    claimed_by: Mapped[int | None] = mapped_column(BigInteger)
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_at: Mapped[datetime | None]  # the last "sent to the team" the person saw
    first_answer_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CaseEvent(Base):
    """The audit: who opened, claimed, changed or closed which case, and when; no contents.
    Kept when a case is purged or erased (it names no young person)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    reference: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # staff; None: the young person
    action: Mapped[str] = mapped_column(String(24))  # opened, claimed, status, reply, closed...
    detail: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseMessage(Base):
    """One message relayed for a case: the ids on both sides, never the text."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(4))  # in (to staff) | out (to the person)
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    copy_message_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamGroup(Base):
    """The staff supergroup (with topics) a team works in."""

    __tablename__ = "team_groups"

    team: Mapped[str] = mapped_column(String(12), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    linked_by: Mapped[int | None] = mapped_column(BigInteger)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Form(Base):
    """A young person's half-filled form (a housing request), kept here so that a restart
    or another process carries on with it; one per person."""

    __tablename__ = "forms"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
