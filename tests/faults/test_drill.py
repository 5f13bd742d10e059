"""The fault drill (`make faults`, on demand): PostgreSQL restarts in the middle of a
broadcast and of people tapping; the figures of what was delivered, lost and duplicated are
printed. The drill starts a PostgreSQL cluster of its own (initdb in a temporary folder, on a
free port), so that it restarts nothing anyone else uses."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.db import migrate
from bot.db.session import create_engine, session_factory
from bot.sandbox.runner import Sandbox
from tests.factories import announcement, crowd
from tests.flows import wait_until

pytestmark = pytest.mark.faults
PEOPLE = 1000
TAPPERS = 40
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


class Cluster:
    """A throwaway PostgreSQL, run as the postgres user, that the drill may restart."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="porta-drill-"))
        shutil.chown(self.folder, "postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def pg(self, tool: str, *args: str) -> None:
        command = [f"{BINARIES[-1]}/{tool}", *args]
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)  # fmt: skip

    def start(self) -> None:
        self.pg("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")
        self.control("start")

    def control(self, action: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.pg("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-w", action)

    def restart(self) -> float:
        """Restart it; return how long it was away."""
        started = time.monotonic()
        self.control("restart")
        return time.monotonic() - started


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not BINARIES or shutil.which("runuser") is None:
        pytest.skip("the drill needs Debian's PostgreSQL binaries")
    made = Cluster()
    made.start()
    yield made
    with contextlib.suppress(subprocess.CalledProcessError):
        made.control("stop")
    shutil.rmtree(made.folder, ignore_errors=True)


async def test_postgres_restarts_during_a_broadcast_and_taps(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith(("PORTA_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    settings = load_settings(DATABASE_URL=cluster.url)
    engine = create_engine(cluster.url)
    await migrate.upgrade(engine)
    db = session_factory(engine)
    sandbox = Sandbox(settings, poll_timeout=1)
    client = await sandbox.start(upgrade=False)
    emulator = sandbox.emulator
    try:
        chats = [emulator.add_user(f"P{n}", "en")["id"] for n in range(PEOPLE)]
        await crowd(db, chats)
        await announcement(db)
        tappers = [await client.add_user("Sam", "en") for _ in range(TAPPERS)]
        wanted = set(chats)

        def delivered() -> Counter[int]:
            return Counter(
                int(c.params["chat_id"])
                for c in emulator.calls
                if c.method == "sendMessage" and c.ok and int(c.params["chat_id"]) in wanted
            )

        await wait_until(lambda: sum(delivered().values()) >= 300, 120)
        answered = errors = unanswered = 0

        async def tap(user) -> None:  # type: ignore[no-untyped-def]
            nonlocal answered, errors, unanswered
            for _ in range(5):
                try:
                    await user.send("/start")
                    errors += "went wrong" in (await user.last())["text"]
                    answered += 1
                except AssertionError:
                    unanswered += 1
                await asyncio.sleep(1)

        taps = asyncio.gather(*(tap(u) for u in tappers))
        away = await asyncio.to_thread(cluster.restart)
        await taps
        with contextlib.suppress(AssertionError):  # what is missing then is counted as lost
            await wait_until(lambda: set(delivered()) >= wanted, 180)
        counts = delivered()
    finally:
        await sandbox.stop()
        await engine.dispose()
    lost = len(wanted - set(counts))
    twice = sum(1 for n in counts.values() if n > 1)
    print(
        f"\nPostgreSQL restarted ({away:.1f} s) in the middle of a {PEOPLE}-message broadcast: "
        f"delivered {len(counts)}, lost {lost}, duplicated {twice}; "
        f"{TAPPERS * 5} taps meanwhile: {answered} answered ({errors} with 'try again'), "
        f"{unanswered} not answered in time"
    )
    assert lost == 0
