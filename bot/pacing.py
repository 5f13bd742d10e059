"""Telegram's budget, kept by Porta itself: about 30 messages a second overall, per private
chat a small burst then about one a second, per group 20 a minute.

Telegram does not say how it counts, so the pace must hold whether it counts with token
buckets or with sliding windows counted on arrival: overall, sends are spaced (no burst) a
little under 30 a second; a private chat may take three at once (a screen and its answer),
then one a second; a group three, then 17 a minute, so that no minute holds more than 20.

One `Pacer` serves the whole process: direct replies (through `PortaRateLimiter`) go before
the outbox's messages, which take only the turns no reply is waiting for. A 429 holds back
the chat it names for the time Telegram asked and slows the overall pace a little, which
climbs back within a second or so; the overall pace stops only when Telegram refuses two
chats in the same second (it is then the bot's budget, not a chat's).

With several processes on PostgreSQL the budget is shared: bot.budget.SharedPacer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

OVERALL_PER_SECOND = 29.0
SLOW_DOWN, RECOVER, MAX_SLOWED = 1.1, 0.995, 1.5  # after a 429: 10% slower, back in ~1 s
# rate_limit_args of a message that may wait behind people's direct replies (a voice note:
# a card someone just tapped goes first).
BEHIND_REPLIES = 1
# Methods that put a message in a chat: the ones Telegram's per-chat limits count.
PACED = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendVenue",
    "sendLocation",
    "sendVoice",
    "sendAudio",
    "sendVideo",
    "sendAnimation",
    "sendSticker",
    "sendContact",
    "sendMediaGroup",
    "copyMessage",
    "forwardMessage",
}
# Edits add no message to a chat: Telegram's message limits do not count them, so they are
# not paced; a 429 on one all the same holds its chat back and is retried after the wait.
EDITS = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia"}


@dataclass
class Bucket:
    rate: float  # per second
    burst: float
    tokens: float
    stamp: float

    def ready_at(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return now if self.tokens >= 1 else now + (1 - self.tokens) / self.rate


@dataclass
class Pacer:
    overall_per_second: float = OVERALL_PER_SECOND
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 17.0
    group_burst: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _next_overall: float = 0.0
    _overall_held_until: float = 0.0
    _chats: dict[int, Bucket] = field(default_factory=dict)
    _held: dict[int, float] = field(default_factory=dict)
    _replies_waiting: int = 0
    _refusals: dict[int, float] = field(default_factory=dict)
    # Above 1 after a 429: the overall spacing is this much longer, and it comes back to 1
    # a little with each message sent (a 429 slows the pace a little, not for long).
    _slowed: float = 1.0

    def bucket(self, chat_id: int, now: float) -> Bucket:
        found = self._chats.get(chat_id)
        if found is None:
            if chat_id > 0:
                found = Bucket(self.private_per_second, self.private_burst, self.private_burst, now)
            else:
                rate = self.group_per_minute / 60
                found = Bucket(rate, self.group_burst, self.group_burst, now)
            self._chats[chat_id] = found
        return found

    async def turn(self, chat_id: int | None, *, reply: bool = True) -> None:
        """Wait until a message to `chat_id` may go; replies go before the outbox."""
        if reply:
            self._replies_waiting += 1
        try:
            while True:
                now = self.clock()
                ready = max(now, self._next_overall, self._overall_held_until)
                if chat_id is not None:
                    ready = max(ready, self._held.get(chat_id, 0.0))
                    ready = max(ready, self.bucket(chat_id, now).ready_at(now))
                if not reply and self._replies_waiting:
                    ready = max(ready, now + 1 / self.overall_per_second)
                if ready <= now:
                    self._next_overall = now + self._slowed / self.overall_per_second
                    self._slowed = max(1.0, self._slowed * RECOVER)
                    if chat_id is not None:
                        self.bucket(chat_id, now).tokens -= 1
                        if len(self._chats) > 50_000:
                            self._forget(now)
                    return
                await asyncio.sleep(ready - now)
        finally:
            if reply:
                self._replies_waiting -= 1

    async def held(self, chat_id: int) -> None:
        """Wait while Telegram holds `chat_id` back after a 429 (for what is not paced)."""
        wait = max(self._held.get(chat_id, 0.0), self._overall_held_until) - self.clock()
        if wait > 0:
            await asyncio.sleep(wait)

    def held_chats(self) -> set[int]:
        """The chats Telegram holds back now (after a 429)."""
        now = self.clock()
        if self._overall_held_until > now:
            return set()  # everything waits anyway; no chat is singled out
        return {chat for chat, until in self._held.items() if until > now}

    def refused(self, chat_id: int | None, seconds: float) -> None:
        """Telegram answered 429 for `chat_id`: hold that chat back; two chats refused in the
        same second (or a refusal naming no chat) hold everything back."""
        now = self.clock()
        self._slowed = min(MAX_SLOWED, self._slowed * SLOW_DOWN)
        if chat_id is not None:
            self._held[chat_id] = max(self._held.get(chat_id, 0.0), now + seconds)
            others = [c for c, at in self._refusals.items() if c != chat_id and now - at < 1]
            self._refusals = {c: at for c, at in self._refusals.items() if now - at < 1}
            self._refusals[chat_id] = now
            if not others:
                return
        self._overall_held_until = max(self._overall_held_until, now + seconds)
        log.warning("Telegram asked the whole bot to wait %.0f s", seconds)

    def _forget(self, now: float) -> None:
        """Drop the buckets of chats that are full again (nothing to remember)."""
        for chat_id, bucket in list(self._chats.items()):
            if bucket.ready_at(now) <= now and bucket.tokens >= bucket.burst:
                del self._chats[chat_id]
        self._held = {c: t for c, t in self._held.items() if t > now}


def retry_seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class PortaRateLimiter(BaseRateLimiter[int]):
    """python-telegram-bot's rate limiter for direct replies, on the shared `Pacer`. An
    answer to a tapped button is never queued behind messages; a voice note
    (rate_limit_args BEHIND_REPLIES) takes the turns no reply is waiting for. A 429 is
    retried after the wait Telegram asked, up to `max_retries` times."""

    def __init__(self, pacer: Pacer, max_retries: int = 3) -> None:
        self.pacer, self.max_retries = pacer, max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint not in PACED and endpoint not in EDITS:
            return await callback(*args, **kwargs)
        chat_id = chat_of(data)
        for attempt in range(self.max_retries + 1):
            if endpoint in PACED:
                await self.pacer.turn(chat_id, reply=rate_limit_args != BEHIND_REPLIES)
            elif chat_id is not None:
                await self.pacer.held(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.pacer.refused(chat_id, retry_seconds(error))
                if attempt == self.max_retries:
                    raise
        raise AssertionError("unreachable")


def chat_of(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # a channel's @username: paced overall only
