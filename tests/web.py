"""The web sandbox as the page and the browser tests use it: the whole world of `porta sandbox`
(the emulator, Porta started as `porta run` starts it, the demo set and staff groups)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.sandbox.web import pages
from bot.sandbox.web.world import World


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    running = World(settings, 0, pages.setup)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=world.server.url, timeout=30) as client:
        yield client


async def settled(world: World) -> None:
    """Porta has handled everything people did (what it sends later, through the outbox,
    may still be on its way)."""
    for _ in range(600):
        if not any(world.handling.values()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("Porta is still handling updates")


async def act(
    http: httpx.AsyncClient, world: World, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST as the page does and wait for Porta to handle it."""
    response = await http.post(path, json=body)
    assert response.status_code == 200, response.text
    await settled(world)
    answer: dict[str, Any] = response.json()
    return answer


async def chat(http: httpx.AsyncClient, user_id: int, **query: int) -> dict[str, Any]:
    response = await http.get(f"/web/users/{user_id}/chat", params=query)
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()
    return shown


def button(message: dict[str, Any], label: str) -> str:
    """The callback data of the button labelled `label` on `message`."""
    for row in message["buttons"]:
        for found in row:
            if found["text"] == label:
                return str(found["callback_data"])
    raise AssertionError(f"no button {label!r} on {message['text'][:60]!r}")
