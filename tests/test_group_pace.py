"""A staff group takes about 20 messages a minute: a burst from many young people reaches
it paced, in order within each topic, with no 429 and nothing lost."""

from __future__ import annotations

import asyncio

from sqlalchemy import insert

from bot.db.models import Case
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from tests.casework import eventually, team
from tests.factories import crowd

PEOPLE = 30
EACH = 2


async def test_sixty_messages_from_thirty_people_reach_the_group_in_order_without_a_429(
    client: SandboxClient, emulator: Emulator, db: SessionFactory
) -> None:
    chat, _ = await team(client, db, "youth")
    people = [await client.add_user(f"P{n}", "en") for n in range(PEOPLE)]
    await crowd(db, [p.id for p in people])
    # Their conversations are open already: topics made by a person, cases pointing at them.
    threads = [emulator.create_topic(chat, f"P-2026-{n:04d}") for n in range(1, PEOPLE + 1)]
    async with db.begin() as session:
        await session.execute(
            insert(Case),
            [
                {"reference": f"P-2026-{n:04d}", "kind": "person", "team": "youth",
                 "user_id": p.id, "chat_id": p.id, "language": "en", "urgency": "normal",
                 "status": "new", "fields": {}, "group_chat_id": chat, "thread_id": thread}
                for n, (p, thread) in enumerate(zip(people, threads, strict=True), 1)
            ],
        )  # fmt: skip
    calls_before = len(await client.calls())

    async def write(index: int) -> None:
        for number in range(1, EACH + 1):
            await people[index].send(f"person {index} message {number}")

    await asyncio.gather(*(write(i) for i in range(PEOPLE)))

    async def all_arrived() -> bool:
        for index, thread in enumerate(threads):
            texts = [m["text"] for m in await client.topic_messages(chat, thread)][1:]
            if texts != [f"person {index} message {n}" for n in range(1, EACH + 1)]:
                return False
        return True

    await eventually(all_arrived, 420)
    calls = (await client.calls())[calls_before:]
    to_group = [c for c in calls if str(c["params"].get("chat_id")) == str(chat)]
    assert [c for c in to_group if not c["ok"]] == []
    assert len([c for c in to_group if c["method"] == "copyMessage"]) == PEOPLE * EACH
