"""Telegram's flood limits: 30 messages/s overall, about 1/s per private chat (with a short
burst, as Telegram tolerates), 20/min per group. Telegram does not say how it counts; the
overall limit is counted either as a token bucket (`overall_counter="bucket"`) or as a sliding
one-second window of the sends' arrival times (`"window"`), so that Porta is tried against
both."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float = -1.0
    stamp: float = 0.0

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Limits:
    overall_per_second: float = 30.0
    overall_burst: float = 30.0
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: float = 20.0
    enabled: bool = True
    overall_counter: str = "bucket"  # or "window"
    clock: Callable[[], float] = time.monotonic
    # Time the people in the sandbox spent reading and tapping (see Emulator.think_time).
    skew: float = 0.0
    _overall: Bucket | None = None
    _chats: dict[int, Bucket] = field(default_factory=dict)
    _arrivals: deque[float] = field(default_factory=deque)

    def admit(self, chat_id: int) -> int:
        """Take a token for one message to `chat_id`; return 0, or the retry_after to answer."""
        if not self.enabled:
            return 0
        now = self.clock() + self.skew
        if self._overall is None:
            self._overall = Bucket(self.overall_per_second, self.overall_burst)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = (
                Bucket(self.private_per_second, self.private_burst)
                if chat_id > 0
                else Bucket(self.group_per_minute / 60, self.group_per_minute)
            )
            self._chats[chat_id] = chat
        overall = (
            self._window_wait(now)
            if self.overall_counter == "window"
            else self._overall.wait_needed(now)
        )
        wait = max(overall, chat.wait_needed(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._overall.take()
        self._arrivals.append(now)
        chat.take()
        return 0

    def _window_wait(self, now: float) -> float:
        """Seconds until fewer than `overall_per_second` sends arrived in the last second."""
        while self._arrivals and self._arrivals[0] <= now - 1.0:
            self._arrivals.popleft()
        if len(self._arrivals) < self.overall_per_second:
            return 0.0
        return self._arrivals[0] + 1.0 - now
