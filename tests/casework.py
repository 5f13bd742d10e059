"""What the case tests repeat: the demo programmes, a team's staff group linked by an admin,
and waiting for what the outbox brings to a topic or a chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select

from bot.db.models import Case, Programme
from bot.db.session import SessionFactory
from bot.demo import PROGRAMMES_FILE
from bot.sandbox.client import SandboxClient, SandboxUser
from bot.services.importer import import_rows, read_sections
from tests.flows import ROME, staff

T = TypeVar("T")


async def programmes(db: SessionFactory) -> dict[str, Programme]:
    """The demo programmes and services, by their id in the file."""
    async with db.begin() as session:
        await import_rows(session, [], [], ROME, read_sections(PROGRAMMES_FILE)["programmes"])
    async with db() as session:
        return {p.external_id: p for p in (await session.scalars(select(Programme))).all()}


async def team(client: SandboxClient, db: SessionFactory, name: str) -> tuple[int, SandboxUser]:
    """The team's forum supergroup, Porta an administrator there, linked by an admin with
    /link; returns the group and a staff member of the team (Italian)."""
    chat = await client.add_group(f"Porta {name}", forum=True)
    await client.set_bot_rights(chat)
    admin = await staff(client, db, role="admin", locale="it")
    await client.add_member(chat, admin.id, "administrator")
    await admin.send(f"/link {name}", chat_id=chat)
    worker = await staff(client, db, role=name, locale="it")
    await client.add_member(chat, worker.id)
    return chat, worker


async def eventually(check: Callable[[], Awaitable[T | None]], seconds: float = 20) -> T:
    """The first truthy result of `check`, polled until `seconds` have passed."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


async def topic_of(client: SandboxClient, chat: int, reference: str) -> int:
    """The topic named after the case, once the outbox has made it."""

    async def find() -> int | None:
        for topic in await client.topics(chat):
            if topic["name"].startswith(reference):
                return int(topic["message_thread_id"])
        return None

    return await eventually(find)


async def in_topic(
    client: SandboxClient, chat: int, thread: int, count: int, seconds: float = 30
) -> list[dict[str, Any]]:
    """The topic's messages (service messages left out) once there are `count`."""

    async def enough() -> list[dict[str, Any]] | None:
        shown = [m for m in await client.topic_messages(chat, thread) if not m["service"]]
        return shown if len(shown) >= count else None

    return await eventually(enough, seconds)


async def new_from_bot(user: SandboxUser, after: int, seconds: float = 20) -> dict[str, Any]:
    """The first message from the bot in the person's chat with an id above `after`."""

    async def arrived() -> dict[str, Any] | None:
        fresh = [m for m in await user.bot_messages() if m["message_id"] > after]
        return fresh[0] if fresh else None

    return await eventually(arrived, seconds)


async def only_case(db: SessionFactory) -> Case:
    async with db() as session:
        [case] = (await session.scalars(select(Case))).all()
    return case
