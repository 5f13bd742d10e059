"""The fault drill (`make faults`, on demand): PostgreSQL restarts in the middle of a
broadcast and of people tapping; the figures of what was delivered, lost and duplicated are
printed. Needs PORTA_TEST_DATABASE_URL on a local PostgreSQL this machine may restart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from tests.factories import announcement, crowd
from tests.flows import wait_until

pytestmark = pytest.mark.faults
PEOPLE = 1000
TAPPERS = 40


def restart_postgres() -> float:
    """Restart the local cluster; return how long it was away."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )
    return time.monotonic() - started


@pytest.mark.skipif(
    not os.environ.get("PORTA_TEST_DATABASE_URL") or not Path("/etc/postgresql").exists(),
    reason="the drill restarts a local PostgreSQL",
)
async def test_postgres_restarts_during_a_broadcast_and_taps(
    client: SandboxClient, emulator: Emulator, db: SessionFactory
) -> None:
    chats = [emulator.add_user(f"P{n}", "en")["id"] for n in range(PEOPLE)]
    await crowd(db, chats)
    await announcement(db)
    tappers = [await client.add_user("Sam", "en") for _ in range(TAPPERS)]

    def delivered() -> Counter[int]:
        return Counter(
            int(c.params["chat_id"])
            for c in emulator.calls
            if c.method == "sendMessage" and c.ok and int(c.params["chat_id"]) in set(chats)
        )

    await wait_until(lambda: sum(delivered().values()) >= 300, 120)
    answered = errors = unanswered = 0

    async def tap(user) -> None:  # type: ignore[no-untyped-def]
        nonlocal answered, errors, unanswered
        for _ in range(5):
            try:
                await user.send("/start")
                text = (await user.last())["text"]
                errors += "went wrong" in text
                answered += 1
            except AssertionError:
                unanswered += 1
            await asyncio.sleep(1)

    taps = asyncio.gather(*(tap(u) for u in tappers))
    away = await asyncio.to_thread(restart_postgres)
    await taps
    with contextlib.suppress(AssertionError):  # what is missing then is counted as lost
        await wait_until(lambda: set(delivered()) >= set(chats), 180)
    counts = delivered()
    lost = len(set(chats) - set(counts))
    twice = sum(1 for n in counts.values() if n > 1)
    print(
        f"\nPostgreSQL away {away:.1f} s in the middle of a {PEOPLE}-message broadcast: "
        f"delivered {len(counts)}, lost {lost}, duplicated {twice}; "
        f"{TAPPERS * 5} taps meanwhile: {answered} answered ({errors} with 'try again'), "
        f"{unanswered} not answered in time"
    )
    assert lost == 0
