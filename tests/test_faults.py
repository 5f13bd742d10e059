"""Faults: the Bot API away for a minute or five in the middle of a broadcast loses nothing,
and `porta run` says in one line what is wrong at start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Broadcast, OutboxMessage
from bot.db.session import SessionFactory
from bot.delivery import Sender
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.runner import Sandbox
from bot.sandbox.server import EmulatorServer
from tests.factories import announcement, crowd
from tests.flows import wait_until

PEOPLE = 1000


def delivered(emulator: Emulator) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"]) for c in emulator.calls if c.method == "sendMessage" and c.ok
    )


@pytest.mark.parametrize(
    ("seconds", "kind"), [(60, "refuse"), (300, "502")], ids=["60s-refused", "5min-502"]
)
async def test_an_outage_in_the_middle_of_a_broadcast_loses_nothing(
    sandbox: Sandbox,
    db: SessionFactory,
    seconds: int,
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = sandbox.emulator
    chats = [emulator.add_user(f"P{n}", "en")["id"] for n in range(PEOPLE)]
    await crowd(db, chats)
    await announcement(db)
    await wait_until(lambda: sum(delivered(emulator).values()) >= 300, 60)
    if kind == "refuse":
        await sandbox.server.refuse_connections()
    else:
        emulator.outage = "502"
    during = sum(delivered(emulator).values())
    await asyncio.sleep(seconds)
    assert sum(delivered(emulator).values()) == during  # nothing got through meanwhile
    if kind == "refuse":
        await sandbox.server.accept_connections()
    else:
        emulator.outage = None
    # the pause before the next probe is capped at a few minutes (180 s)
    await wait_until(lambda: set(delivered(emulator)) >= set(chats), 240)
    counts = delivered(emulator)
    twice = [chat for chat, n in counts.items() if n > 1]
    print(
        f"\n{kind} for {seconds} s after {during} sent: all {PEOPLE} delivered, twice {len(twice)}"
    )
    assert len(twice) <= Sender.max_in_flight and all(n <= 2 for n in counts.values())
    for _ in range(100):  # the last messages' outcomes are written just after they arrive
        async with db() as session:
            statuses = dict(
                (
                    await session.execute(
                        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                    )
                ).all()  # type: ignore[arg-type]
            )
        if "sending" not in statuses:
            break
        await asyncio.sleep(0.1)
    assert statuses == {"sent": PEOPLE}
    for _ in range(50):  # the figures catch up within a tick
        async with db() as session:
            item = await session.scalar(select(Broadcast))
        if item is not None and item.status == "done":
            break
        await asyncio.sleep(0.2)
    assert item is not None and (item.status, item.sent, item.failed) == ("done", PEOPLE, 0)
    outage_lines = [r.getMessage() for r in caplog.records if r.name == "porta.health"]
    assert len([m for m in outage_lines if "unreachable" in m]) == 1
    assert len([m for m in outage_lines if "answers again" in m]) == 1
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def porta_run(
    settings: Settings, base_url: str, token: str, cwd: Path
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_URL": settings.database_url,
        "PORTA_LOG_LEVEL": "INFO",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from bot.cli import main; main()", "run",
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def lines_until(process: asyncio.subprocess.Process, words: str, seconds: float) -> list[str]:
    """Porta's output lines up to the first that contains `words`."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while not any(words in line for line in seen):
        left = deadline - asyncio.get_running_loop().time()
        line = await asyncio.wait_for(process.stdout.readline(), max(left, 0.1))
        if not line:
            break
        seen.append(line.decode().rstrip())
    return seen


async def test_starting_with_the_bot_api_unreachable_says_so_and_keeps_trying(
    settings: Settings, tmp_path: Path
) -> None:
    port = closed_port()
    base = f"http://127.0.0.1:{port}/bot"
    porta = await porta_run(settings, base, "123456:SANDBOX", tmp_path)
    try:
        lines = await lines_until(porta, "unreachable", 30)
        [said] = [line for line in lines if "unreachable" in line]
        assert f"the Bot API at {base} is unreachable (ConnectError" in said
        assert "SANDBOX" not in "\n".join(lines)  # never the token
        # it keeps trying: the emulator comes up on that port, and Porta starts
        emulator = Emulator(limits=Limits())
        server = EmulatorServer(emulator, port=port)
        await server.start()
        try:
            more = await lines_until(porta, "Porta is running", 60)
            assert any("answers again" in line for line in more)
            assert not [line for line in lines + more if "Traceback" in line]
            assert not [line for line in lines + more if "apscheduler" in line]
            assert len(lines + more) <= 4
        finally:
            porta.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(porta.wait(), 30) == 0
            await server.stop()
    finally:
        if porta.returncode is None:
            porta.kill()
            await porta.wait()


async def test_a_token_telegram_refuses_stops_porta_with_one_line(
    settings: Settings, tmp_path: Path
) -> None:
    emulator = Emulator(limits=Limits())
    server = EmulatorServer(emulator)
    await server.start()
    try:
        porta = await porta_run(settings, server.bot_api_base, "999:WRONG", tmp_path)
        assert await asyncio.wait_for(porta.wait(), 30) == 2
        assert porta.stdout is not None
        output = (await porta.stdout.read()).decode().strip().splitlines()
    finally:
        await server.stop()
    assert len(output) == 1, output
    assert "Telegram refused the token in TELEGRAM_BOT_TOKEN" in output[0]
    assert "WRONG" not in output[0]
