"""Whether the Bot API and the database answer: one log line when one is lost and one when it
is back, instead of a traceback for every try while it is away."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram.error import NetworkError, TelegramError
from telegram.request import HTTPXRequest

log = logging.getLogger("porta.health")


class Link:
    """Something Porta depends on, with the state it was last seen in."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.down_since: float | None = None
        self.where = ""

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def lost(self, reason: str) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            place = f" at {self.where}" if self.where else ""
            log.warning("%s%s is unreachable (%s)", self.name, place, reason)

    def back(self, asked_at: float | None = None) -> None:
        """It answered (to a request made at `asked_at`: an answer to a request made before
        the loss, such as a long poll, says nothing about now)."""
        if self.down_since is not None and (asked_at is None or asked_at > self.down_since):
            seconds = time.monotonic() - self.down_since
            self.down_since = None
            log.warning("%s answers again after %.0f s", self.name, seconds)


TELEGRAM = Link("the Bot API")
DATABASE = Link("the database")


def describe(error: BaseException) -> str:
    """The kind of failure, never its full text (a Bot API URL carries the token)."""
    cause = error.__cause__ or error.__context__
    if isinstance(error, TelegramError):
        return type(cause).__name__ if cause else f"{type(error).__name__}: {error.message}"[:120]
    if isinstance(error, DBAPIError) and error.orig is not None:
        return type(error.orig).__name__
    return type(error).__name__


# What asyncpg raises while PostgreSQL restarts, whatever SQLAlchemy wraps it in.
SERVER_GONE = {
    "AdminShutdownError",
    "CannotConnectNowError",
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "CrashShutdownError",
    "TooManyConnectionsError",
}


def is_database_outage(error: BaseException) -> bool:
    """A failure to reach the database (as opposed to a bug in a query)."""
    if isinstance(error, (PoolTimeout, OSError)):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, (OperationalError, InterfaceError)):  # not "no such table": a bug
        words = str(error.orig).lower()
        return any(w in words for w in ("connect", "closed", "unable to open", "i/o", "locked"))
    chain = [error, getattr(error, "orig", None), error.__cause__]
    return any(type(e).__name__ in SERVER_GONE for e in chain if e is not None)


class WatchedRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, telling `TELEGRAM` whether the Bot API answered."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        asked_at = time.monotonic()
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except NetworkError as error:
            TELEGRAM.lost(describe(error))
            raise
        if code >= 500:
            TELEGRAM.lost(f"HTTP {code}")
        else:
            TELEGRAM.back(asked_at)
        return code, payload

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Telegram's JSON; a proxy's HTML page during an outage (502) is no news to log:
        `do_request` has said once that the Bot API is away."""
        try:
            data: dict[str, Any] = json.loads(payload.decode("utf-8", "replace"))
        except ValueError as error:
            raise TelegramError("Invalid server response") from error
        return data


def polling_failed(error: TelegramError) -> None:
    """The updater's error callback: WatchedRequest has said it once already."""
    TELEGRAM.lost(describe(error))
