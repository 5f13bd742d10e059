"""`porta run`: reach the database and the Bot API, then poll for updates until stopped.

A fault at start is one line: a token Telegram refuses stops Porta; a database or a Bot API
that does not answer is waited for, with a growing pause. Once running, bot.health logs one
line when either is lost and one when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import make_url
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import PortaApplication, build_application
from bot.config import Settings
from bot.db import migrate
from bot.db.session import create_engine
from bot.health import DATABASE, TELEGRAM, describe, is_database_outage, polling_failed
from bot.webhook import PortaServer, Webhook

log = logging.getLogger("porta")

FIRST_PAUSE = 1.0
MAX_PAUSE = 60.0


class StartupError(Exception):
    """Porta cannot start; the message says why in one line."""


async def run(
    settings: Settings,
    stop: asyncio.Event | None = None,
    started: Callable[[PortaApplication], None] | None = None,
    webhook: Webhook | None = None,
    status_port: int | None = None,
    one_process: bool = True,
) -> None:
    """Start Porta and poll (or, given a `webhook`, take updates by webhook) until SIGINT or
    SIGTERM, or until `stop` is set by whoever runs Porta inside a larger program (the web
    sandbox), which `started` tells of the running application. On stopping, Porta takes no
    more updates, finishes those it has and the messages in flight, then exits. Unless told
    (`one_process`: the caller holds the lock), a second Porta on one SQLite file stops."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
    with only_process(settings.database_url) if one_process else contextlib.nullcontext():
        await _run(settings, stop, started, webhook, status_port)


async def _run(
    settings: Settings,
    stop: asyncio.Event,
    started: Callable[[PortaApplication], None] | None,
    webhook: Webhook | None,
    status_port: int | None,
) -> None:
    await reach_database(settings, stop)
    app = build_application(settings)
    try:
        if not await reach_bot_api(app, stop):
            return
        assert app.updater is not None
        server: PortaServer | None = None
        if webhook is not None:
            server = PortaServer(app, webhook.listen, webhook.port, webhook)
        elif status_port is not None:
            server = PortaServer(app, "127.0.0.1", status_port)
        if webhook is None:
            await app.updater.start_polling(error_callback=polling_failed)
        await app.start()
        if server is not None:
            await server.start()
        if webhook is not None:
            await app.bot.set_webhook(
                webhook.url, secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
            )
        log.info("Porta is running (%s)", "webhook" if webhook else "polling")
        if started is not None:
            started(app)
        await stop.wait()
        if server is not None:
            await server.stop_taking()
        if webhook is None:
            await app.updater.stop()
        await app.stop()  # after the updates already taken are handled
        if server is not None:
            await server.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


@contextlib.contextmanager
def only_process(url: str) -> Iterator[None]:
    """On SQLite one Porta process at a time: a second one stops at once, saying so (on
    PostgreSQL several share the work). The lock is the operating system's: it goes with the
    process, however that ends."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield
        return
    path = Path(f"{parsed.database}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StartupError(
                f"another Porta is running on {parsed.database}: on SQLite only one process "
                "may run (use PostgreSQL for several)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def reach_database(settings: Settings, stop: asyncio.Event) -> None:
    """Wait until the database answers; a schema behind the code is a StartupError."""
    pause = FIRST_PAUSE
    while not stop.is_set():
        engine = create_engine(settings.database_url)
        try:
            await migrate.ensure_current(engine)
        except migrate.SchemaBehind as error:
            raise StartupError(str(error)) from None
        except Exception as error:
            if not is_database_outage(error):
                raise
            DATABASE.lost(f"{describe(error)}; trying again")
        else:
            DATABASE.back()
            return
        finally:
            await engine.dispose()
        pause = await wait(stop, pause)


async def reach_bot_api(app: PortaApplication, stop: asyncio.Event) -> bool:
    """Initialize the application (getMe, menus) once the Bot API answers; False if stopped
    first. A refused token is a StartupError."""
    pause = FIRST_PAUSE
    while not stop.is_set():
        try:
            await app.initialize()
            if app.post_init is not None:
                await app.post_init(app)
        except InvalidToken:  # its message quotes the token: not for the log
            raise StartupError(
                "Telegram refused the token in TELEGRAM_BOT_TOKEN: check it with @BotFather"
            ) from None
        except NetworkError as error:
            TELEGRAM.lost(f"{describe(error)}; trying again")
        else:
            return True
        pause = await wait(stop, pause)
    return False


async def wait(stop: asyncio.Event, pause: float) -> float:
    """Sleep `pause` seconds (less if stopped); return the next, longer pause."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), pause)
    return min(pause * 2, MAX_PAUSE)
