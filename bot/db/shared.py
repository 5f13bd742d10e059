"""What several Porta processes on one PostgreSQL share beyond the domain: Telegram's send
budget and the updates each one has taken (so that a person's updates go one at a time, in
Telegram's order, whichever process took them). On SQLite one process runs and neither table
is used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class SendBudget(Base):
    """One budget of Telegram's (the bot's overall pace, or one chat's), kept as the
    theoretical arrival time of the next message (GCRA): a send reserves the slot `at` and
    moves `tat` on by `spacing` seconds. Times are the database's clock, in epoch seconds,
    so that processes on machines whose clocks differ agree."""

    __tablename__ = "send_budget"

    key: Mapped[str] = mapped_column(String(24), primary_key=True)  # overall | c<chat id>
    tat: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)
    spacing: Mapped[float] = mapped_column(Float)


class Arrival(Base):
    """An update a process took from the webhook: whose it is, when it started and when it
    was handled. A retried update (the same id) is handled once; kept a day."""

    __tablename__ = "arrivals"
    __table_args__ = (Index("ix_arrivals_person_update", "person_id", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
