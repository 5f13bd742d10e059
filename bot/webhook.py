"""Porta's own small HTTP server: in webhook mode Telegram POSTs each update to it; in any mode
it answers `/healthz` and `/metrics` (Prometheus' text format).

Every request must carry the secret token given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header (missing or wrong: 403, nothing processed). The update
goes on the Application's queue and the answer is 200 at once (on PostgreSQL, once noted in
`arrivals`: bot.turns keeps each person's updates in order across processes, and an update
Telegram sends twice is handled once). When a queue has formed, a tapped button is answered
in the response itself (Telegram runs a method named in a webhook's answer). A process that
is stopping answers 503, so Telegram tries the update again, at another process behind the
same address.
`/healthz` says whether the database answers, the schema is current and how long the outbox is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.app import PortaApplication
from bot.db import migrate
from bot.metrics import CONTENT_TYPE, Metrics, outbox_backlog
from bot.turns import SharedTurns
from bot.updates import PerUserProcessor, person_of

log = logging.getLogger("porta.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes


@dataclass(frozen=True)
class Webhook:
    """Where Telegram reaches Porta (`url`, public, HTTPS) and where Porta listens for it
    (usually behind a proxy that ends TLS)."""

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: str = ""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def secret_for(token: str, configured: str = "") -> str:
    """The secret token: PORTA_WEBHOOK_SECRET, or one derived from the bot token, the same in
    every process (so that several can share one webhook) and useless without the token."""
    if configured:
        return configured
    return hmac.new(token.encode(), b"porta-webhook", hashlib.sha256).hexdigest()


class PortaServer:
    """The webhook (when given) beside /healthz and /metrics, on `listen`:`port`."""

    def __init__(
        self, app: PortaApplication, listen: str, port: int, webhook: Webhook | None = None
    ) -> None:
        self.app, self.webhook, self.listen, self.port = app, webhook, listen, port
        self.taking = True
        # Several processes on PostgreSQL: each person's updates one at a time, in order.
        self.turns: SharedTurns | None = None
        engine = app.bot_data["engine"]
        if webhook is not None and engine.dialect.name == "postgresql":
            self.turns = SharedTurns(engine)
            processor = app.update_processor
            assert isinstance(processor, PerUserProcessor)
            processor.shared = self.turns
        server = web.Application(client_max_size=MAX_BODY)
        if webhook is not None:
            server.router.add_post(webhook.path, self.receive)
        server.router.add_get("/healthz", self.health)
        server.router.add_get("/metrics", self.metrics)
        self.runner = web.AppRunner(server, access_log=None, shutdown_timeout=10)

    async def start(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, self.listen, self.port).start()

    async def stop_taking(self) -> None:
        """Take no more updates: new requests get 503 and Telegram sends them again later."""
        self.taking = False

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def receive(self, request: web.Request) -> web.Response:
        assert self.webhook is not None
        arrived = datetime.now(UTC)  # before any wait here: the order taps reached Porta in
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook.secret.encode()):
            log.warning("webhook: a request without the right secret token was refused")
            return web.Response(status=403, text="forbidden")
        if not self.taking:
            return web.Response(status=503, text="stopping")
        try:
            data = await request.json()
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("webhook: a body that is not an update was refused")
            return web.Response(status=400, text="not an update")
        if self.turns is not None:
            person = person_of(update)
            if person is not None and not await self.turns.record(update.update_id, person):
                return web.Response(text="ok")  # Telegram sent it again: handled once
        query, processor = update.callback_query, self.app.update_processor
        if isinstance(processor, PerUserProcessor):
            processor.arrived(update.update_id, arrived)
        await self.app.update_queue.put(update)
        busy = isinstance(processor, PerUserProcessor) and processor.busy
        if query is not None and busy and self.app.bot_data["answers"].claim(query.id):
            # A queue has formed: the button is answered in this very response (Telegram
            # runs the method it names), so the phone stops spinning whatever the wait.
            body = {"method": "answerCallbackQuery", "callback_query_id": query.id}
            return web.json_response(body)
        return web.Response(text="ok")

    async def health(self, request: web.Request) -> web.Response:
        engine = self.app.bot_data["engine"]
        report: dict[str, Any] = {}
        try:
            current = await migrate.current_revision(engine)
            async with engine.connect() as connection:
                backlog = await outbox_backlog(connection)
        except Exception as error:  # the database is away: say so, do not fail
            report["database"] = f"unreachable ({type(error).__name__})"
            return self._report(report, 503)
        head = migrate.head_revision()
        report["database"] = "ok"
        report["schema"] = "current" if current == head else f"at {current}, code needs {head}"
        report["outbox_backlog"] = backlog
        report["taking_updates"] = self.taking
        healthy = current == head and self.taking
        return self._report(report, 200 if healthy else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        metrics: Metrics = self.app.bot_data["metrics"]
        try:
            body = await metrics.exposition(self.app.bot_data["engine"])
        except Exception as error:
            return web.Response(status=503, text=f"database unreachable ({type(error).__name__})")
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    @staticmethod
    def _report(report: dict[str, Any], status: int) -> web.Response:
        return web.Response(status=status, text=json.dumps(report), content_type="application/json")
