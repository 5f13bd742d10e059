"""Updates of different people at the same time, each person's in the order Telegram sent
them, and every button answered within a second.

python-telegram-bot hands each update to `process_update` in arrival order, which takes a
global semaphore before `do_process_update` (PITFALLS: a per-user lock taken inside waits
while holding a global slot). So the global bound is loose, and the real bound is taken after
a person's turn has come: one person's flood holds one worker, never all of them.

With several processes behind one webhook on PostgreSQL, bot.turns keeps the same order
between processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics
from bot.turns import SharedTurns

log = logging.getLogger(__name__)

LOOSE_BOUND = 10_000  # python-telegram-bot's semaphore: effectively none
WORKERS = 32  # updates being worked on at once, across everyone
MAX_WAITING = 50  # one person's updates waiting for their turn; more are dropped
ANSWER_WITHIN = 0.8  # seconds: a button still unanswered by then gets an empty answer


class Answers:
    """Which callback queries have had their one answer (whoever answers first claims it)."""

    def __init__(self, keep: int = 10_000) -> None:
        self._claimed: OrderedDict[str, None] = OrderedDict()
        self._keep = keep

    def claim(self, query_id: str) -> bool:
        """True for the first caller only: that caller answers the query."""
        if query_id in self._claimed:
            return False
        self._claimed[query_id] = None
        while len(self._claimed) > self._keep:
            self._claimed.popitem(last=False)
        return True


class PerUserProcessor(BaseUpdateProcessor):
    """One person's updates one after another; different people's at the same time."""

    def __init__(
        self, answers: Answers, workers: int = WORKERS, metrics: Metrics | None = None
    ) -> None:
        super().__init__(LOOSE_BOUND)
        self.metrics = metrics
        self.bot: Bot | None = None  # set once the Application is built
        self.answers = answers
        # Set in webhook mode on PostgreSQL: a person's turn is also taken across processes.
        self.shared: SharedTurns | None = None
        self.workers = workers
        self._workers = asyncio.Semaphore(workers)
        self._turns: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # For the sandbox and the tests: which updates are being handled.
        self._active: set[int] = set()
        # When each update being handled reached this process (the waitlist's order).
        self._arrived: dict[int, datetime] = {}
        self._seen = 0
        self._changed = asyncio.Condition()

    @property
    def busy(self) -> bool:
        """Whether more updates are being handled than there are workers (a queue formed)."""
        return len(self._active) >= self.workers

    def arrived(self, update_id: int, moment: datetime) -> None:
        """Note when an update reached Porta, if that was before it was handed over here
        (the webhook stamps it on receipt)."""
        self._arrived[update_id] = moment

    def arrived_at(self, update_id: int) -> datetime | None:
        """When an update being handled reached this process."""
        return self._arrived.get(update_id)

    def done_up_to(self) -> int:
        """The highest update id such that it and every update before it is handled."""
        return min(self._active) - 1 if self._active else self._seen

    async def wait_done(self, update_id: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.done_up_to() >= update_id)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        number = update.update_id if isinstance(update, Update) else None
        if number is not None:
            self._active.add(number)
            self._arrived.setdefault(number, datetime.now(UTC))
            self._seen = max(self._seen, number)
        taken = time.perf_counter()
        try:
            await self._in_turn(update, coroutine)
        finally:
            if self.metrics is not None:
                self.metrics.handled(update, time.perf_counter() - taken)
            if number is not None:
                self._active.discard(number)
                self._arrived.pop(number, None)
                async with self._changed:
                    self._changed.notify_all()

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = person_of(update)
        if key is None:
            async with self._workers:
                await coroutine
            return
        if self._waiting.get(key, 0) >= MAX_WAITING:
            log.warning("user %s has %s updates waiting: update dropped", key, MAX_WAITING)
            with contextlib.suppress(Exception):
                coroutine.close()  # type: ignore[attr-defined]
            return
        self._waiting[key] = self._waiting.get(key, 0) + 1
        turn = self._turns.setdefault(key, asyncio.Lock())
        watchdog = self._answer_soon(update)
        # With shared turns, the person's turn is taken across processes (this one too): a
        # local lock taken first could hold an earlier update behind a later one.
        try:
            async with turn if self.shared is None else contextlib.nullcontext():
                await self._handle(update, key, coroutine)
        finally:
            if watchdog is not None:
                watchdog.cancel()
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                if not turn.locked():
                    self._turns.pop(key, None)

    async def _handle(self, update: object, key: int, coroutine: Awaitable[Any]) -> None:
        """Handle a person's update once its turn has come in this process (and, with
        shared turns, across processes; an update handled elsewhere is not handled again)."""
        number = update.update_id if isinstance(update, Update) else None
        if self.shared is None or number is None:
            async with self._workers:
                await coroutine
            return
        # The turn is waited for inside a worker: thousands of updates arriving at once must
        # not all ask the database at once (the wait is long only behind the same person).
        async with self._workers:
            if not await self.shared.start(number, key):
                log.info("update %s was handled by another process", number)
                with contextlib.suppress(Exception):
                    coroutine.close()  # type: ignore[attr-defined]
                return
            try:
                await coroutine
            finally:
                await self.shared.finish(number)

    def _answer_soon(self, update: object) -> asyncio.Task[None] | None:
        """A tapped button spins on the phone until answered: if the handler has not answered
        it within ANSWER_WITHIN (it waits for its turn, say), answer it empty."""
        if not isinstance(update, Update) or update.callback_query is None:
            return None
        query_id = update.callback_query.id

        async def answer_later() -> None:
            await asyncio.sleep(ANSWER_WITHIN)
            if self.bot is not None and self.answers.claim(query_id):
                try:
                    await self.bot.answer_callback_query(query_id)
                except TelegramError:
                    log.info("could not answer callback query of update %s", update.update_id)

        return asyncio.create_task(answer_later())


def person_of(update: object) -> int | None:
    """Whose turn an update waits for: the person who sent it (else its chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
