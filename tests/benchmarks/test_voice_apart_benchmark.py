"""`make bench-voice`, second part: others' card times while 50 people tap 🔊 at once, with
Porta in a process of its own (`porta run`, as in production) and the emulator and the 60
scripted people in this one, so that what Porta's process does is Porta's work alone.
Printed and written to data/bench-voice.json beside the first part's figures.
Target: others' p95 within 20% of the same run without voice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient, SandboxUser
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from tests.benchmarks.test_voice_benchmark import (
    NINE,
    Arrivals,
    compared,
    listen,
    others_latency,
    person,
    record,
    six_cards,
    while_listening,
)
from tests.flows import wait_until

pytestmark = pytest.mark.benchmark


class Apart:
    """The emulator here, Porta in its own process, polling it."""

    def __init__(self) -> None:
        self.emulator = Emulator(limits=Limits())
        self.server = EmulatorServer(self.emulator)
        self.arrivals = Arrivals(self.emulator)
        self.client: SandboxClient | None = None

    def polls(self) -> bool:
        return any(c.method == "getUpdates" for c in self.emulator.calls)

    async def shown(self, user: SandboxUser, text: str) -> int:
        """Send `text` and wait for Porta's answer (nothing waits for Porta here by itself);
        the id of the message it sent."""
        assert self.client is not None
        mark = len(self.arrivals.seen)
        response = await self.client.http.post(
            f"/sandbox/users/{user.id}/send", json={"kind": "text", "value": text}
        )
        assert response.status_code == 200, response.text
        await self.arrivals.next(user.id, mark, voice=False)
        return int((await user.last())["message_id"])


@pytest.fixture
async def apart(settings: Settings, tmp_path: Path) -> AsyncIterator[Apart]:
    world = Apart()
    await world.server.start()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": world.emulator.token,
        "TELEGRAM_API_BASE_URL": world.server.bot_api_base,
        "DATABASE_URL": settings.database_url,
        "PORTA_VOICE": "on",
        "PORTA_LOG_LEVEL": "WARNING",
    }
    porta = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "run", env=env, cwd=tmp_path
    )
    try:
        await wait_until(world.polls, 60)
        world.client = SandboxClient(world.server.url)
        yield world
    finally:
        porta.send_signal(signal.SIGTERM)
        await asyncio.wait_for(porta.wait(), 30)
        if world.client is not None:
            await world.client.close()
        await world.server.stop()


async def test_fifty_people_listening_with_porta_in_its_own_process(
    apart: Apart, db: SessionFactory
) -> None:
    assert apart.client is not None
    client, arrivals = apart.client, apart.arrivals
    ids = await six_cards(db)
    others = [await person(client, db, NINE[n % 9]) for n in range(10)]
    await others_latency(client, arrivals, others, ids, [])  # warm: every card seen once
    quiet = await others_latency(client, arrivals, others, ids, [])
    listeners = []
    for n in range(50):
        language = NINE[n % 9]
        user = await person(client, db, language)
        message_id = await apart.shown(user, f"/start a{ids[(n // 9) % len(ids)]}")
        listeners.append((user, message_id, listen(language)))
    busy, notes = await while_listening(client, arrivals, others, ids, listeners)

    record("others_while_50_listen_porta_apart", compared(quiet, busy, notes))
    assert notes == 50
