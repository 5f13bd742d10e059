"""Several Porta processes on one PostgreSQL behind one webhook (a proxy that hands the
updates round in turn, as nginx does): a person's updates are handled one at a time and in
Telegram's order whichever process takes them, an update Telegram sends twice is handled
once, and the processes keep one Telegram budget between them."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import serve
from bot.app import PortaApplication
from bot.budget import SharedPacer
from bot.config import Settings
from bot.db.models import Arrival
from bot.db.session import SessionFactory, create_engine
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from bot.webhook import SECRET_HEADER, Webhook
from tests.flows import onboard, wait_until
from tests.proxy import Proxy, free_port

SECRET = "shared-secret-of-both-processes"


@pytest.fixture(autouse=True)
def postgresql_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several processes share a PostgreSQL; on SQLite one process runs")


@dataclass
class Processes:
    emulator: Emulator
    client: SandboxClient
    proxy: Proxy
    apps: list[PortaApplication]
    ports: list[int]


@pytest.fixture
async def two(settings: Settings) -> AsyncIterator[Processes]:
    emulator = Emulator()
    server = EmulatorServer(emulator)
    await server.start()
    ports = [free_port(), free_port()]
    proxy = Proxy(ports)
    await proxy.start()
    pointed = settings.model_copy(
        update={"telegram_api_base_url": server.bot_api_base, "telegram_bot_token": emulator.token}
    )
    stop, apps = asyncio.Event(), []
    tasks = []
    for port in ports:
        ready = asyncio.Event()

        def started(app: PortaApplication, ready: asyncio.Event = ready) -> None:
            apps.append(app)
            ready.set()

        hook = Webhook(proxy.url, "127.0.0.1", port, SECRET)
        tasks.append(asyncio.create_task(serve.run(pointed, stop, started, webhook=hook)))
        await asyncio.wait_for(ready.wait(), 30)

    async def settle(update_id: int) -> None:  # handled by whichever process took it
        await wait_until(lambda: any(u == update_id for u, _ in proxy.taken), 20)
        port = next(p for u, p in proxy.taken if u == update_id)
        await asyncio.wait_for(apps[ports.index(port)].wait_processed(update_id), 20)

    client = SandboxClient(server.url, settle=settle)
    yield Processes(emulator, client, proxy, apps, ports)
    stop.set()
    await asyncio.gather(*tasks)
    await client.close()
    await proxy.stop()
    await server.stop()


async def test_a_persons_updates_go_in_order_and_one_at_a_time_across_processes(
    two: Processes, db: SessionFactory
) -> None:
    user = await onboard(two.client, "en")
    commands = ["/help", "/privacy", "/menu", "/help", "/privacy", "/menu"]
    expected = []
    for command in commands[:3]:  # what each says, asked one at a time
        await user.send(command)
        expected.append((await user.last())["text"])
    # Porta's messages to this person travel slowly: a process still answering one update
    # while the other has taken the next shows whether the second waits its turn.
    two.emulator.slow_chats[user.id] = 0.3
    before = len(two.emulator.transcript(user.id))
    ids = [two.emulator.send(user.id, "text", command) for command in commands]
    await wait_until(lambda: len(two.emulator.transcript(user.id)) >= before + 12, 30)
    await asyncio.sleep(0.5)  # nothing more comes

    ports = {port for update_id, port in two.proxy.taken if update_id in ids}
    assert ports == set(two.ports)  # both processes took some of them
    said = [m for m in two.emulator.transcript(user.id)[before:] if m["from"] == "bot"]
    assert len(said) == len(commands)  # one answer each, none lost, none twice
    assert [m["text"] for m in said] == expected * 2
    async with db() as session:
        rows = (
            await session.scalars(
                select(Arrival).where(Arrival.update_id.in_(ids)).order_by(Arrival.update_id)
            )
        ).all()
    assert [r.update_id for r in rows] == ids and all(r.handled_at for r in rows)
    for earlier, later in itertools.pairwise(rows):  # one at a time, in Telegram's order
        assert earlier.handled_at is not None and later.started_at is not None
        assert earlier.handled_at <= later.started_at


async def test_an_update_sent_twice_is_handled_once(two: Processes) -> None:
    user = await onboard(two.client, "it")
    before = len(two.emulator.transcript(user.id)) + 2  # the command and its answer
    update_id = two.emulator.send(user.id, "text", "/help")
    await wait_until(lambda: len(two.emulator.transcript(user.id)) >= before, 20)
    again = {
        "update_id": update_id,
        "message": {
            "message_id": 9999,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": "Sam"},
            "from": {"id": user.id, "is_bot": False, "first_name": "Sam", "language_code": "it"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    async with aiohttp.ClientSession() as http:
        for port in two.ports:  # Telegram tries again, and reaches the other process too
            async with http.post(
                f"http://127.0.0.1:{port}/hook", json=again, headers={SECRET_HEADER: SECRET}
            ) as answer:
                assert answer.status == 200
    await asyncio.sleep(1.0)
    assert len(two.emulator.transcript(user.id)) == before


async def test_two_processes_keep_one_send_budget(database_url: str) -> None:
    """Two processes' outboxes send to 120 chats at once: together they never pass 30 in
    any second; a 429 one of them is given holds the chat back in the other too."""
    engines = [create_engine(database_url), create_engine(database_url)]
    pacers = [SharedPacer(engine=engine) for engine in engines]
    await pacers[0].ensure()
    sent: list[float] = []

    async def send(pacer: SharedPacer, chat_id: int) -> None:
        await pacer.turn(chat_id, reply=False)
        sent.append(time.monotonic())

    chats = range(1000, 1120)
    await asyncio.gather(*(send(pacers[chat % 2], chat) for chat in chats))
    sent.sort()
    busiest = max(
        sum(1 for t in sent if start <= t < start + 1.0) for start in sent
    )  # every one-second window that starts at a send
    assert busiest <= 30
    assert len(sent) == 120

    pacers[0].refused(5555, 2.0)
    await asyncio.sleep(0.2)  # the 429 reaches the database
    began = time.monotonic()
    await pacers[1].turn(5555, reply=True)
    assert time.monotonic() - began >= 1.5
    for engine in engines:
        await engine.dispose()
