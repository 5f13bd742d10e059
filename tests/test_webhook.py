"""Webhook mode: the emulator POSTs updates to Porta's own server with the secret token and
retries until the answer is 200; Porta refuses requests without the secret, reports its
health, and on stopping finishes the updates it took."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace

import httpx
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import scheduler, serve
from bot.app import PortaApplication
from bot.config import Settings
from bot.db.models import User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from bot.updates import PerUserProcessor
from bot.webhook import SECRET_HEADER, Webhook, secret_for
from tests.flows import translator, wait_until
from tests.proxy import free_port

SECRET = "a-secret_token-for-tests"


@dataclass
class Running:
    emulator: Emulator
    client: SandboxClient
    hook: Webhook
    stop: asyncio.Event
    task: asyncio.Task[None]
    app: PortaApplication


@pytest.fixture
async def porta(settings: Settings) -> AsyncIterator[Running]:
    """Porta as `porta run --webhook` runs it, in front of the emulator."""
    emulator = Emulator()
    server = EmulatorServer(emulator)
    await server.start()
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/telegram/hook", "127.0.0.1", port, SECRET)
    pointed = settings.model_copy(
        update={"telegram_api_base_url": server.bot_api_base, "telegram_bot_token": emulator.token}
    )
    stop, running = asyncio.Event(), asyncio.Event()
    apps: list[PortaApplication] = []

    def started(app: PortaApplication) -> None:
        apps.append(app)
        running.set()

    task = asyncio.create_task(serve.run(pointed, stop, started, webhook=hook))
    await asyncio.wait_for(running.wait(), 30)
    client = SandboxClient(server.url, settle=apps[0].wait_processed)
    yield Running(emulator, client, hook, stop, task, apps[0])
    stop.set()
    await task
    await client.close()
    await server.stop()


async def test_updates_arrive_by_webhook_with_the_secret_and_polling_is_refused(
    porta: Running,
) -> None:
    it = translator("it")
    user = await porta.client.add_user("Luca", "it")
    await user.send("/start")
    welcome = await user.last()
    assert welcome["text"].startswith("👋 Ciao!")
    await user.tap(it.pgettext("button", "Continue ▶"))
    assert (await user.last())["text"] == it("How old are you?")
    info = await porta.emulator.call(porta.emulator.token, "getWebhookInfo", {}, form=False)
    assert info["result"]["url"] == porta.hook.url
    assert info["result"]["pending_update_count"] == 0
    polled = await porta.emulator.call(porta.emulator.token, "getUpdates", {}, form=False)
    assert polled["error_code"] == 409  # Telegram refuses getUpdates while a webhook is set
    assert porta.emulator.webhook_secret == SECRET


async def test_a_request_without_the_secret_is_refused_and_changes_nothing(
    porta: Running, db: SessionFactory
) -> None:
    forged = {
        "update_id": 999,
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": 4242, "type": "private", "first_name": "Mallory"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with httpx.AsyncClient() as http:
        missing = await http.post(porta.hook.url, json=forged)
        wrong = await http.post(porta.hook.url, json=forged, headers={SECRET_HEADER: "guess"})
        garbage = await http.post(
            porta.hook.url, content=b"not json", headers={SECRET_HEADER: SECRET}
        )
    assert (missing.status_code, wrong.status_code, garbage.status_code) == (403, 403, 400)
    await asyncio.sleep(0.5)
    async with db() as session:
        assert await session.get(User, 4242) is None
    assert not any(c.method == "sendMessage" for c in porta.emulator.calls)


async def test_healthz_reports_the_database_the_schema_and_the_outbox(porta: Running) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"http://127.0.0.1:{porta.hook.port}/healthz")
    assert answer.status_code == 200
    report = answer.json()
    assert report["database"] == "ok" and report["schema"] == "current"
    assert report["outbox_backlog"] == 0 and report["taking_updates"] is True


async def test_stopping_finishes_the_updates_taken_and_leaves_the_rest_at_telegram(
    porta: Running, db: SessionFactory
) -> None:
    emulator = porta.emulator
    user = emulator.add_user("Olena", "uk")["id"]
    first = emulator.send(user, "text", "/start")
    await asyncio.wait_for(porta.app.wait_processed(first), 20)
    second = emulator.send(user, "text", "/start")
    porta.stop.set()
    await porta.task
    taken = [u for u in (first, second) if u <= emulator.delivered_up_to]
    welcomes = [m for m in emulator.transcript(user) if m["from"] == "bot"]
    assert len(welcomes) == len(taken)  # every update taken was answered before the exit
    waiting = [u["update_id"] for u in emulator.updates]
    assert [u for u in (first, second) if u not in taken] == waiting  # Telegram keeps it
    async with db() as session:
        assert await session.get(User, user) is not None
    assert emulator.webhook_url == porta.hook.url  # other processes go on serving it


async def test_one_connection_posts_in_order_and_a_failed_update_is_retried_until_200() -> None:
    received: list[tuple[int, str]] = []
    failures = 2

    async def hook(request: web.Request) -> web.Response:
        nonlocal failures
        update = json.loads(await request.text())
        received.append((update["update_id"], request.headers.get(SECRET_HEADER, "")))
        if failures:
            failures -= 1
            return web.Response(status=500)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    emulator = Emulator()
    user = emulator.add_user("Sam", "en")
    first = emulator.send(user["id"], "text", "one")
    second = emulator.send(user["id"], "text", "two")
    answer = await emulator.call(
        emulator.token,
        "setWebhook",
        {"url": f"http://127.0.0.1:{port}/hook", "secret_token": SECRET, "max_connections": 1},
        form=False,
    )
    assert answer["ok"]
    await wait_until(lambda: len(received) == 4, 20)
    assert received == [(first, SECRET)] * 3 + [(second, SECRET)]
    info = (await emulator.call(emulator.token, "getWebhookInfo", {}, form=False))["result"]
    assert info["pending_update_count"] == 0 and "500" in info["last_error_message"]
    refused = await emulator.call(
        emulator.token, "setWebhook", {"url": "http://example.org/hook"}, form=False
    )
    assert refused["error_code"] == 400  # Telegram wants https
    await emulator.stop_webhook_delivery()
    await runner.cleanup()


def test_the_secret_is_the_same_in_every_process_and_not_the_token() -> None:
    token = "123456:ABCDEF"
    assert secret_for(token) == secret_for(token) and token not in secret_for(token)
    assert secret_for(token, "mine") == "mine"


async def test_metrics_count_updates_errors_and_the_outbox(porta: Running) -> None:
    user = await porta.client.add_user("Luca", "it")
    await user.send("/start")
    await user.send("/start")
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"http://127.0.0.1:{porta.hook.port}/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    figures = answer.text
    assert 'porta_updates_handled_total{kind="message"} 2.0' in figures
    assert 'porta_handler_seconds_count{kind="message"} 2.0' in figures
    assert "porta_errors_total 0.0" in figures
    assert 'porta_outbox_outcomes_total{outcome="429"} 0.0' in figures
    assert "porta_outbox_backlog 0.0" in figures
    assert 'porta_cases_open{kind="housing"} 0.0' in figures


async def test_when_polling_healthz_and_metrics_are_on_the_status_port(
    settings: Settings,
) -> None:
    emulator = Emulator()
    server = EmulatorServer(emulator)
    await server.start()
    pointed = settings.model_copy(
        update={"telegram_api_base_url": server.bot_api_base, "telegram_bot_token": emulator.token}
    )
    stop, running, port = asyncio.Event(), asyncio.Event(), free_port()
    task = asyncio.create_task(
        serve.run(pointed, stop, lambda app: running.set(), status_port=port)
    )
    await asyncio.wait_for(running.wait(), 30)
    async with httpx.AsyncClient() as http:
        health = await http.get(f"http://127.0.0.1:{port}/healthz")
        figures = await http.get(f"http://127.0.0.1:{port}/metrics")
        hook = await http.post(f"http://127.0.0.1:{port}/telegram/hook", json={})
    assert health.status_code == 200 and health.json()["schema"] == "current"
    assert "porta_updates_handled" in figures.text
    assert hook.status_code in (404, 405)  # no webhook when polling
    stop.set()
    await task
    await server.stop()


async def test_on_sqlite_a_second_porta_stops_at_once_saying_why(
    porta: Running, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("on PostgreSQL several processes share the work")
    with pytest.raises(serve.StartupError, match="only one process"):
        await serve.run(settings, asyncio.Event())


async def test_periodic_work_runs_in_one_process_at_a_time_on_postgresql(
    engine: AsyncEngine,
) -> None:
    """Two processes' reminder scans come due together: on PostgreSQL one runs, the other
    skips its turn; on SQLite (one process) each run runs."""
    runs: list[str] = []

    async def scan(context: object) -> None:
        runs.append("scan")
        await asyncio.sleep(0.3)

    context = SimpleNamespace(bot_data={"engine": engine})
    first, second = scheduler.alone("reminders", scan), scheduler.alone("reminders", scan)
    await asyncio.gather(first(context), second(context))
    expected = 1 if engine.dialect.name == "postgresql" else 2
    assert len(runs) == expected
    await first(context)  # the lock was let go
    assert len(runs) == expected + 1


async def test_when_a_queue_has_formed_a_button_is_answered_in_the_webhook_response(
    porta: Running,
) -> None:
    it = translator("it")
    user = await porta.client.add_user("Luca", "it")
    await user.send("/start")
    processor = porta.app.update_processor
    assert isinstance(processor, PerUserProcessor)
    processor.workers = 0  # as if every worker were taken: Porta is behind
    calls = len(porta.emulator.calls)
    await user.tap(it.pgettext("button", "Continue ▶"))
    assert (await user.last())["text"] == it("How old are you?")  # the screen still comes
    (query,) = [q for q in porta.emulator.callback_queries.values()]
    assert query.answered and not query.expired
    answers = [c for c in porta.emulator.calls[calls:] if c.method == "answerCallbackQuery"]
    assert len(answers) == 1 and answers[0].ok  # once: in the response, not again after
    assert porta.emulator.webhook_answers == 1
