"""Killing Porta (SIGKILL) in the middle of a 500-message broadcast and starting it again
delivers every message; only what was in flight at the kill may arrive twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Broadcast
from bot.db.session import SessionFactory
from bot.delivery import Sender
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from tests.factories import announcement, crowd
from tests.flows import wait_until

PEOPLE = 500


def delivered(emulator: Emulator) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"]) for c in emulator.calls if c.method == "sendMessage" and c.ok
    )


async def start_porta(
    settings: Settings, server: EmulatorServer, token: str, cwd: Path
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": server.bot_api_base,
        "DATABASE_URL": settings.database_url,
        "PORTA_OUTBOX_LEASE_SECONDS": "2",
        "PORTA_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_sigkill_in_the_middle_of_a_broadcast(
    settings: Settings, db: SessionFactory, tmp_path: Path
) -> None:
    emulator = Emulator(limits=Limits())
    server = EmulatorServer(emulator)
    await server.start()
    chats = [emulator.add_user(f"P{n}", "en")["id"] for n in range(PEOPLE)]
    await crowd(db, chats)
    await announcement(db)

    porta = await start_porta(settings, server, emulator.token, tmp_path)
    await wait_until(lambda: sum(delivered(emulator).values()) >= 120, 90)
    porta.send_signal(signal.SIGKILL)
    await porta.wait()
    at_kill = sum(delivered(emulator).values())
    assert at_kill < PEOPLE

    porta = await start_porta(settings, server, emulator.token, tmp_path)
    try:
        await wait_until(lambda: set(delivered(emulator)) >= set(chats), 120)
        async with db() as session:
            item = await session.scalar(select(Broadcast))
        for _ in range(50):
            async with db() as session:
                item = await session.scalar(select(Broadcast))
            if item is not None and item.status == "done":
                break
            await asyncio.sleep(0.2)
    finally:
        porta.send_signal(signal.SIGINT)
        await porta.wait()
        await server.stop()
    counts = delivered(emulator)
    assert set(counts) == set(chats)  # nothing lost
    twice = [chat for chat, n in counts.items() if n > 1]
    print(f"\nkilled after {at_kill} of {PEOPLE}; sent twice after the restart: {len(twice)}")
    assert len(twice) <= Sender.max_in_flight  # at most what was in flight at the kill
    assert all(n <= 2 for n in counts.values())
    assert item is not None and item.status == "done" and item.sent == PEOPLE
    assert not [c for c in emulator.calls if c.error and c.error.startswith("Too Many")]
