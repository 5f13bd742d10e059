"""The durable outbox: every message that is not a direct reply is a row first, then sent.

Guarantee: at least once, and at most once except for the messages in flight when a process
dies. A row is claimed (status "sending", committed) before it is sent and marked "sent" after;
a process that dies between the two leaves it "sending", and after the lease
(PORTA_OUTBOX_LEASE_SECONDS, 60 s) it is sent again. So a
crash can repeat only what was in flight: at most `Sender.max_in_flight` messages (8).

Pacing: the sender takes its turns from the process's `Pacer` (bot.pacing: a little under 30
a second overall, direct replies first; on PostgreSQL bot.budget, shared by all processes)
and keeps at least a second between two messages to the same chat, so that it meets no 429
from Telegram. A 429 all the same puts the row back
with the wait Telegram asked for and holds back that chat only (everything, when Telegram
refuses two chats at once).

Only Telegram's own refusals end a message: 403 marks the user as having blocked the bot and
withdraws their other messages; 400 is recorded and not retried. A network error, a 5xx or any
other answer that is not Telegram's word on the message means the Bot API is away, not that the
message is wrong: the message goes back in the queue as it was, and the whole outbox pauses,
then tries one message at a time (a probe) with a growing pause, capped at a few minutes,
until the API answers; then it resumes at full pace. It logs one line when the API is lost and
one when it is back.

What no longer makes sense is withdrawn when it reaches the front of the queue, not sent late:
a row past its `expires_at` (a reminder once the activity has started) or older than
`max_age` (PORTA_OUTBOX_MAX_AGE, 24 h: an announcement from yesterday).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.db.models import OutboxMessage, User
from bot.db.session import SessionFactory
from bot.health import DATABASE, describe, is_database_outage
from bot.metrics import Metrics
from bot.pacing import OVERALL_PER_SECOND, Pacer, retry_seconds

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
CLAIMS = 0x504F5254  # the advisory lock the processes' claims take turns on
MAX_AGE = timedelta(hours=24)

# Sends one row (a message, or the Bot API call in its `action`); returns Telegram's id of
# what it made (a message, a topic). Raises python-telegram-bot's errors.
SendFn = Callable[[OutboxMessage], Awaitable[int]]
# Told, in the transaction that records it, how a row ended: (session, row, status, id).
AfterFn = Callable[[AsyncSession, OutboxMessage, str, int | None], Awaitable[None]]


def now() -> datetime:
    return datetime.now(UTC)


async def enqueue(
    session: AsyncSession,
    chat_id: int,
    text: str,
    *,
    kind: str,
    reply_markup: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
    expires_at: datetime | None = None,
    action: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Add a message (or, with `action`, any Bot API call to `chat_id`) to the outbox in the
    caller's transaction; None if the key was there."""
    if dedupe_key is not None:
        existing = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    row = OutboxMessage(
        chat_id=chat_id,
        kind=kind,
        text=text,
        reply_markup=reply_markup,
        due_at=due_at or now(),
        dedupe_key=dedupe_key,
        expires_at=expires_at,
        action=action,
        status="pending",
        attempts=0,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:  # the same key, enqueued at the same moment elsewhere
        return None
    return row


async def withdraw(session: AsyncSession, key_prefix: str) -> int:
    """Cancel queued messages whose key starts with `key_prefix` (a reminder of a place
    that was given up, say) before they go out."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .where(OutboxMessage.dedupe_key.startswith(key_prefix, autoescape=True))
        .values(status="cancelled")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass
class Sender:
    """Claims due rows and sends them at Telegram's pace. Several senders (processes) may
    share the table on PostgreSQL: claims skip rows another sender has locked."""

    db: SessionFactory
    send: SendFn
    after: AfterFn | None = None
    metrics: Metrics | None = None
    rate: float = OVERALL_PER_SECOND  # the pace of a Pacer made for this sender alone
    pacer: Pacer | None = None
    per_chat_interval: float = 1.0
    max_in_flight: int = 8
    lease: timedelta = LEASE
    max_age: timedelta = MAX_AGE
    first_outage_pause: float = 1.0  # seconds; doubled after each failed probe ...
    max_outage_pause: float = 180.0  # ... up to this
    clock: Callable[[], float] = field(default=lambda: asyncio.get_running_loop().time())
    _paused_until: float = 0.0
    _outage: Outage | None = None
    _chat_last: dict[int, float] = field(default_factory=dict)
    _in_flight: set[int] = field(default_factory=set)
    # Chats with a message in flight: their next message waits until this one is done, so
    # that a chat's messages keep their order however long the pacer holds one back.
    _busy_chats: set[int] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _claiming: asyncio.Lock = field(default_factory=asyncio.Lock)
    _stopping: bool = False

    def __post_init__(self) -> None:
        if self.pacer is None:
            self.pacer = Pacer(overall_per_second=self.rate)

    async def recover(self) -> int:
        """Put back rows left "sending" by a process that died (after their lease); never
        this sender's own, which may only be slow (waiting for their turn, or the database)."""
        async with self.db.begin() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_at < now() - self.lease,
                    OutboxMessage.id.not_in(list(self._in_flight)),
                )
                .values(status="pending", claimed_at=None)
            )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            log.warning("outbox: %s messages were in flight when a sender stopped", count)
        return count

    async def claim(self, limit: int) -> Sequence[OutboxMessage]:
        """Take up to `limit` due rows, one per chat, skipping chats sent to just now."""
        if limit <= 0:
            return []
        moment, loop_now = now(), self.clock()
        recent = {c for c, t in self._chat_last.items() if loop_now - t < self.per_chat_interval}
        assert self.pacer is not None
        # Chats sent to just now, with a message in flight, or held back after a 429 are left
        # out by the query itself, so that a long queue for one chat (a staff group at 20 a
        # minute) never fills the window and hides everyone else's messages.
        recent |= self._busy_chats | self.pacer.held_chats()
        # Nor chats with a message in flight in another process: on PostgreSQL the claims of
        # all processes take turns (a lock for the claim's transaction), so two never take
        # two messages of one chat at once and a chat's messages keep their order.
        sending = select(OutboxMessage.chat_id).where(OutboxMessage.status == "sending")
        async with self.db.begin() as session:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.due_at <= moment)
                .where(OutboxMessage.chat_id.not_in(sorted(recent)))
                .where(OutboxMessage.chat_id.not_in(sending))
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(limit * 4)
                .with_for_update(skip_locked=True)
            )
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CLAIMS})
            chosen: list[OutboxMessage] = []
            seen: set[int] = set(recent)
            for row in (await session.scalars(query)).all():
                if self.too_late(row, moment):
                    row.status, row.last_error = "withdrawn", "too late"
                    self._count("withdrawn")
                    continue
                if row.chat_id in seen:
                    continue
                seen.add(row.chat_id)
                row.status, row.claimed_at = "sending", moment
                chosen.append(row)
                if len(chosen) == limit:
                    break
        return chosen

    def too_late(self, row: OutboxMessage, moment: datetime) -> bool:
        if row.expires_at is not None and aware(row.expires_at) <= moment:
            return True
        return aware(row.created_at) <= moment - self.max_age

    @property
    def paused(self) -> bool:
        """Whether the Bot API is away (the outbox probes it one message at a time)."""
        return self._outage is not None

    async def tick(self) -> int:
        """Top up the messages in flight; returns how many were claimed. Each finished
        message tops up again, so the pace does not depend on how often tick is called."""
        if self._stopping or self.clock() < self._paused_until or self._claiming.locked():
            return 0
        room = self.max_in_flight - len(self._in_flight)
        if self._outage is not None:  # one probe at a time
            room = 0 if self._in_flight else 1
        async with self._claiming:
            rows = await self.claim(room)
        if self._outage is not None and rows:
            self._outage.probe = rows[0].id
        for row in rows:
            self._in_flight.add(row.id)
            self._busy_chats.add(row.chat_id)
            task = asyncio.create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(rows)

    async def drain(self, stop: bool = True) -> None:
        """Wait for the messages in flight; with `stop`, claim no more (for a clean stop)."""
        self._stopping = stop
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _wait_turn(self, chat_id: int) -> None:
        wait = self._paused_until - self.clock()
        if wait > 0:
            await asyncio.sleep(wait)
        assert self.pacer is not None
        await self.pacer.turn(chat_id, reply=False)

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            await self._wait_turn(row.chat_id)
            try:
                message_id = await self.send(row)
            except RetryAfter as error:
                await self._retry_after(row, error)
            except Forbidden:
                await self._blocked(row)
            except (BadRequest, ChatMigrated) as error:
                await self._finish(row, "failed", error=error.message)
            except TelegramError as error:  # network, 5xx, a refused token: the API is away
                await self._api_away(row, error)
            else:
                await self._finish(row, "sent", message_id=message_id)
                self._api_back()
            finally:
                self._chat_last[row.chat_id] = self.clock()
        except Exception as error:  # left "sending": sent again after the lease
            self._trouble(error, f"could not record the outcome of message {row.id}")
        finally:
            self._in_flight.discard(row.id)
            self._busy_chats.discard(row.chat_id)
        try:
            await self.tick()
        except Exception as error:  # the next scheduled tick tries again
            self._trouble(error, "could not claim more messages")

    @staticmethod
    def _trouble(error: Exception, what: str) -> None:
        if is_database_outage(error):
            DATABASE.lost(describe(error))
        else:
            log.error("outbox: %s", what, exc_info=error)

    async def _finish(
        self,
        row: OutboxMessage,
        status: str,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        async with self.db.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(
                    status=status,
                    sent_at=now() if status == "sent" else None,
                    telegram_message_id=message_id,
                    last_error=error and error[:200],
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            if self.after is not None:
                await self.after(session, row, status, message_id)
        self._count(status)
        if status == "failed":
            log.warning("outbox: message %s refused by Telegram", row.id)

    async def _retry_after(self, row: OutboxMessage, error: RetryAfter) -> None:
        seconds = retry_seconds(error)
        assert self.pacer is not None
        self.pacer.refused(row.chat_id, seconds)
        log.warning("outbox: Telegram asked to wait %s s (message %s)", seconds, row.id)
        self._count("429")
        # In its place: the chat is held back (claims skip it) and its order is kept.
        await self._requeue(row, None, last_error="429")

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.outbox.labels(outcome).inc()

    async def _requeue(self, row: OutboxMessage, after: timedelta | None, **values: object) -> None:
        """Put a claimed row back in the queue, due again `after` from now (None: in its
        place, so that a chat's messages keep their order)."""
        if after is not None:
            values["due_at"] = now() + after
        async with self.db.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(status="pending", claimed_at=None, **values)
            )

    async def _blocked(self, row: OutboxMessage) -> None:
        """The user blocked the bot: note it, and withdraw what else waits for them. In a
        group, Porta was removed (or lost its rights): this message fails, the others stay
        queued for when it is back, and the log says so."""
        if row.chat_id < 0:
            log.warning("outbox: Porta may not write to group %s (removed?)", row.chat_id)
            await self._finish(row, "failed", error="403: not allowed in the group")
            return
        async with self.db.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == row.chat_id)
                .where(or_(OutboxMessage.id == row.id, OutboxMessage.status == "pending"))
                .values(status="blocked", last_error="403")
            )
            self._count("403")
            await session.execute(
                update(User)
                .where(User.chat_id == row.chat_id, User.blocked_at.is_(None))
                .values(blocked_at=now())
            )
        log.info("outbox: chat %s blocked the bot", row.chat_id)

    async def _api_away(self, row: OutboxMessage, error: TelegramError) -> None:
        """The Bot API did not answer for this message: keep it, pause, probe later."""
        reason = describe(error)
        await self._requeue(
            row, None, attempts=OutboxMessage.attempts + 1, last_error=f"network: {reason}"[:200]
        )
        moment = self.clock()
        if self._outage is None:
            self._outage = Outage(since=moment, pause=self.first_outage_pause)
            # bot.health says so once for all of Porta; this is the outbox's own detail
            log.debug("outbox: the Bot API does not answer (%s); sending paused", reason)
        elif self._outage.probe == row.id:
            self._outage.pause = min(self._outage.pause * 2, self.max_outage_pause)
        self._paused_until = max(self._paused_until, moment + self._outage.pause)

    def _api_back(self) -> None:
        if self._outage is None:
            return
        seconds = self.clock() - self._outage.since
        self._outage = None
        log.debug("outbox: the Bot API answers again after %.0f s; sending resumes", seconds)


@dataclass
class Outage:
    """The Bot API stopped answering at `since`; the next probe waits `pause` seconds."""

    since: float
    pause: float
    probe: int | None = None


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
