"""A person's updates one at a time and in Telegram's order, across every Porta process on
one PostgreSQL (webhook mode: a proxy may hand two updates of one person to two processes).

Each update taken from the webhook is recorded first (`arrivals`; a retried update, the same
id, is recognised and handled once). Before handling it, a process waits, under a lock per
person held only for that look, until none of the person's updates with a smaller id is
still waiting and none is being handled elsewhere; then marks it started, and handled once
done (after SETTLE, so that an earlier update POSTed at the same moment is seen). Updates
a process took and never started (it died) stop holding the others back after
WAITING_AT_MOST; one started and never finished, after LEASE.

Within one process, bot.updates already keeps a person's updates in order; this is the
part between processes. On SQLite there is one process and nothing here is used.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

WAITING_AT_MOST = 10  # seconds an update taken but not started holds the person's later ones
LEASE = 60  # seconds an update started but not finished holds them
KEEP = "1 day"  # how long an update is remembered (Telegram retries for less)
FIRST_POLL, LONGEST_POLL = 0.01, 0.2  # seconds between two looks while waiting
# Telegram POSTs updates oldest first but several at once: an update that came a moment
# before this one may still be being recorded by another process. A short wait lets it.
SETTLE = 0.03

RECORD = text(
    "INSERT INTO arrivals (update_id, person_id, received_at) VALUES (:u, :p, now()) "
    "ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
)
LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('porta-person:' || :p, 0))")
STATE = text(
    "SELECT started_at IS NOT NULL, handled_at IS NOT NULL FROM arrivals WHERE update_id = :u"
)
BLOCKING = text(f"""
SELECT count(*) FROM arrivals
WHERE person_id = :p AND update_id <> :u AND handled_at IS NULL AND (
    (started_at IS NULL AND update_id < :u
        AND received_at > now() - interval '{WAITING_AT_MOST} seconds')
    OR started_at > now() - interval '{LEASE} seconds'
)
""")
START = text("UPDATE arrivals SET started_at = now() WHERE update_id = :u")
FINISH = text("UPDATE arrivals SET handled_at = now() WHERE update_id = :u")
TIDY = text(f"DELETE FROM arrivals WHERE received_at < now() - interval '{KEEP}'")


class SharedTurns:
    """The turns of people's updates across processes, kept in PostgreSQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, update_id: int, person_id: int) -> bool:
        """Note an update taken from the webhook; False if it was taken before (a retry)."""
        async with self.engine.begin() as connection:
            new = await connection.scalar(RECORD, {"u": update_id, "p": person_id})
        return new is not None

    async def start(self, update_id: int, person_id: int) -> bool:
        """Wait for the update's turn and take it; False if it was already handled."""
        await asyncio.sleep(SETTLE)
        pause, waited = FIRST_POLL, 0.0
        while True:
            async with self.engine.begin() as connection:
                await connection.execute(LOCK, {"p": str(person_id)})
                state = (await connection.execute(STATE, {"u": update_id})).first()
                if state is not None and (state[1] or state[0]):
                    return False  # handled, or being handled: taken twice
                ahead = await connection.scalar(BLOCKING, {"p": person_id, "u": update_id})
                if not ahead or waited > LEASE:
                    if state is None:  # not recorded (taken some other way): note it now
                        await connection.execute(RECORD, {"u": update_id, "p": person_id})
                    await connection.execute(START, {"u": update_id})
                    return True
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, LONGEST_POLL)

    async def finish(self, update_id: int) -> None:
        try:
            async with self.engine.begin() as connection:
                await connection.execute(FINISH, {"u": update_id})
        except Exception as error:  # the lease lets the person's next update go after a while
            log.warning(
                "update %s: could not note it handled (%s)", update_id, type(error).__name__
            )


async def tidy(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The periodic job: forget updates handled long ago (on PostgreSQL)."""
    engine: AsyncEngine = context.bot_data["engine"]
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(TIDY)
