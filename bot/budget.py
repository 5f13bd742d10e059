"""One Telegram budget for every Porta process on one PostgreSQL.

Telegram's limits are the bot's, not a process's: about 30 messages a second overall, about
one a second per private chat, 20 a minute per group. Each budget is a row of `send_budget`
kept as a GCRA (the theoretical arrival time of the next message): a send reserves its slot
with one UPDATE that moves the row on, and waits until the slot comes. The clock is the
database's, so processes on machines whose clocks differ agree.

Direct replies first: a reply always reserves the next overall slot; the outbox reserves one
only while the overall row is at most AHEAD seconds ahead of now, so replies waiting in any
process push the outbox back. A 429 holds the chat back (and, as in bot.pacing, slows the
overall pace a little) in every process at once.

If the database does not answer, the process paces alone (bot.pacing) until it does.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.health import is_database_outage
from bot.pacing import MAX_SLOWED, RECOVER, SLOW_DOWN, Pacer

log = logging.getLogger(__name__)

OVERALL = "overall"
# A little under the process's own pace: a sender that wakes late for its slot brings its
# message nearer the next one's, and Telegram may count on arrival.
SHARED_PER_SECOND = 28.5
AHEAD = 0.1  # seconds: how far ahead of now the outbox may book the overall budget
TIDY_EVERY = 2000  # reservations between two clear-outs of chats' rows no longer needed

NOW = "extract(epoch FROM clock_timestamp())::float8"
RESERVE_OVERALL = text(f"""
UPDATE send_budget SET
    at = GREATEST({NOW}, tat, :after),
    tat = GREATEST({NOW}, tat, :after) + spacing,
    spacing = GREATEST(:base, spacing * :recover)
WHERE key = 'overall' AND (:reply OR tat <= {NOW} + :ahead)
RETURNING at, {NOW} AS now
""")
OVERALL_DUE = text(f"SELECT tat - :ahead - {NOW} FROM send_budget WHERE key = 'overall'")
RESERVE_CHAT = text(f"""
INSERT INTO send_budget (key, tat, at, spacing)
VALUES (:key, GREATEST({NOW}, :after) + :spacing, GREATEST({NOW}, :after), :spacing)
ON CONFLICT (key) DO UPDATE SET
    at = GREATEST(EXCLUDED.at, send_budget.tat - :tau),
    tat = GREATEST(send_budget.tat, EXCLUDED.at, send_budget.tat - :tau) + send_budget.spacing
RETURNING at, {NOW} AS now
""")
CHAT_DUE = text(f"SELECT tat - :tau - {NOW} FROM send_budget WHERE key = :key")
HOLD_CHAT = text(f"""
INSERT INTO send_budget (key, tat, at, spacing)
VALUES (:key, {NOW} + :seconds + :tau, {NOW}, :spacing)
ON CONFLICT (key) DO UPDATE SET tat = GREATEST(send_budget.tat, EXCLUDED.tat)
""")
SLOW_OVERALL = text(f"""
UPDATE send_budget SET
    spacing = LEAST(:slowest, spacing * :slow_down),
    tat = GREATEST(tat, {NOW} + :seconds)
WHERE key = 'overall'
""")
TIDY = text(f"DELETE FROM send_budget WHERE key <> 'overall' AND tat < {NOW} - 60")


@dataclass
class SharedPacer(Pacer):
    """The Pacer of bot.pacing, its budgets kept in PostgreSQL for all processes."""

    overall_per_second: float = SHARED_PER_SECOND
    engine: AsyncEngine | None = None
    _reservations: int = 0
    _alone: bool = False  # the database did not answer: pacing alone for now
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _booking: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def base_spacing(self) -> float:
        return 1 / self.overall_per_second

    async def ensure(self) -> None:
        """Create the overall budget's row if no process has yet."""
        assert self.engine is not None
        async with self.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO send_budget (key, tat, at, spacing) VALUES "
                    "('overall', 0, 0, :spacing) ON CONFLICT (key) DO NOTHING"
                ),
                {"spacing": self.base_spacing},
            )

    async def turn(self, chat_id: int | None, *, reply: bool = True) -> None:
        if reply:
            self._replies_waiting += 1
        try:
            if chat_id is not None:
                await self.held(chat_id)  # a 429 this process was given
            try:
                if reply:
                    _, wait = await self._reserve(chat_id, True)
                else:
                    wait = await self._book_outbox(chat_id)
            except Exception as error:
                if not is_database_outage(error):
                    raise
                if not self._alone:
                    log.warning("send budget: database unreachable (%s)", type(error).__name__)
                self._alone = True
                await Pacer.turn(self, chat_id, reply=reply)
                return
            if self._alone:
                log.info("send budget: shared again")
                self._alone = False
            if wait > 0:
                await asyncio.sleep(wait)
        finally:
            if reply:
                self._replies_waiting -= 1

    async def _book_outbox(self, chat_id: int | None) -> float:
        """The outbox's messages book one at a time in a process (no crowd of them asking
        the database), after this process's replies, while the budget has room."""
        async with self._booking:
            while True:
                booked, wait = False, self.base_spacing
                if not self._replies_waiting:
                    booked, wait = await self._reserve(chat_id, False)
                if booked:
                    return wait
                await asyncio.sleep(wait)

    async def _reserve(self, chat_id: int | None, reply: bool) -> tuple[bool, float]:
        """Book a slot: whether one was booked, and the seconds to wait (for the slot, or
        before asking again)."""
        assert self.engine is not None
        self._reservations += 1
        chat = self._chat_terms(chat_id)
        async with self.engine.begin() as connection:
            if self._reservations % TIDY_EVERY == 0:
                await connection.execute(TIDY)
            if reply:  # the chat's slot, then the first overall slot from then on
                after = 0.0
                if chat is not None:
                    after, _ = (await connection.execute(RESERVE_CHAT, {**chat, "after": 0})).one()
                overall = self._overall(reply=True, after=after)
                at, now = (await connection.execute(RESERVE_OVERALL, overall)).one()
                return True, at - now
            if chat is not None:  # the outbox books nothing for a chat not ready yet
                due = await connection.scalar(CHAT_DUE, chat)
                if due is not None and due > 0.01:
                    return False, float(due)
            row = (
                await connection.execute(RESERVE_OVERALL, self._overall(reply=False, after=0.0))
            ).first()
            if row is None:  # replies (or other senders) have the next slots
                due = await connection.scalar(OVERALL_DUE, {"ahead": AHEAD})
                return False, max(0.005, float(due or 0.0))
            at, now = row
            if chat is not None:
                chat_at, now = (await connection.execute(RESERVE_CHAT, {**chat, "after": at})).one()
                at = max(at, chat_at)
            return True, at - now

    def _overall(self, *, reply: bool, after: float) -> dict[str, object]:
        return {
            "reply": reply,
            "after": after,
            "ahead": AHEAD,
            "base": self.base_spacing,
            "recover": RECOVER,
        }

    def _chat_terms(self, chat_id: int | None) -> dict[str, object] | None:
        if chat_id is None:
            return None
        if chat_id > 0:
            spacing, burst = 1 / self.private_per_second, self.private_burst
        else:
            spacing, burst = 60 / self.group_per_minute, self.group_burst
        return {"key": f"c{chat_id}", "spacing": spacing, "tau": (burst - 1) * spacing}

    def refused(self, chat_id: int | None, seconds: float) -> None:
        super().refused(chat_id, seconds)
        task = asyncio.create_task(self._share_refusal(chat_id, seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _share_refusal(self, chat_id: int | None, seconds: float) -> None:
        """Tell every process: hold the chat back; slow the overall pace a little (and hold
        it too when Telegram refused the whole bot)."""
        assert self.engine is not None
        whole_bot = self._overall_held_until > self.clock()
        try:
            async with self.engine.begin() as connection:
                chat = self._chat_terms(chat_id)
                if chat is not None:
                    await connection.execute(HOLD_CHAT, {**chat, "seconds": seconds})
                await connection.execute(
                    SLOW_OVERALL,
                    {
                        "slowest": self.base_spacing * MAX_SLOWED,
                        "slow_down": SLOW_DOWN,
                        "seconds": seconds if whole_bot else 0,
                    },
                )
        except Exception as error:  # this process holds back all the same
            log.warning("send budget: could not share a 429 (%s)", type(error).__name__)


def pacer_for(engine: AsyncEngine) -> Pacer:
    """The shared pacer on PostgreSQL; on SQLite (one process) the process's own."""
    if engine.dialect.name != "postgresql":
        return Pacer()
    return SharedPacer(engine=engine)
