"""No young person waits behind another: different people's updates are handled at the same
time, one person's in order, and a chat held back by Telegram holds back no one else."""

from __future__ import annotations

import asyncio
import time

from bot.db.models import User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.emulator import ApiError, Call
from bot.sandbox.people import Emulator
from tests.flows import onboard


def first_call_to(
    emulator: Emulator, chat_id: int, since: int, method: str = "sendMessage"
) -> Call:
    return next(
        c
        for c in emulator.calls[since:]
        if c.method == method and str(c.params.get("chat_id")) == str(chat_id) and c.ok
    )


async def settle(emulator: Emulator, predicate, seconds: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_chat_held_back_after_a_429_does_not_delay_anyone_else(
    client: SandboxClient, emulator: Emulator
) -> None:
    amal, sam = await onboard(client, "en"), await onboard(client, "en")
    since = len(emulator.calls)
    emulator.inject("sendMessage", ApiError(429, "Too Many Requests: retry after 3", 3))
    emulator.send(amal.id, "text", "/menu")  # its answer meets the 429
    await asyncio.sleep(0.3)
    asked = time.time()
    emulator.send(sam.id, "text", "/menu")
    await settle(emulator, lambda: any(
        c.ok and c.method == "sendMessage" and str(c.params["chat_id"]) == str(amal.id)
        for c in emulator.calls[since:]
    ))  # fmt: skip
    to_sam = first_call_to(emulator, sam.id, since)
    to_amal = first_call_to(emulator, amal.id, since)
    assert to_sam.at >= asked  # Sam asked after Amal and was answered first, while Amal's
    assert to_amal.at - to_sam.at > 1.5  # chat waited out the time Telegram asked
    assert (await amal.last())["text"] == "Here is the menu."


async def test_one_persons_rapid_taps_are_handled_in_order(
    client: SandboxClient, emulator: Emulator, db: SessionFactory
) -> None:
    user = await onboard(client, "en")
    await user.send("/language")
    picker = await user.last()
    for name in ("Français", "Shqip", "Română", "Italiano"):
        emulator.tap(user.id, name, picker["message_id"])  # no waiting between taps
    await user.send("/menu")  # handled after the four taps: it waits for them
    said = [m["text"] for m in await user.bot_messages()][-5:]
    assert said == [
        "C'est fait ! Langue : Français.",
        "U bë! Gjuha: Shqip.",
        "Gata! Limba: Română.",
        "Fatto! Lingua: Italiano.",
        "Ecco il menu.",
    ]
    async with db() as session:
        assert (await session.get(User, user.id)).language == "it"  # type: ignore[union-attr]


async def test_a_slow_answer_for_one_person_does_not_delay_another(
    client: SandboxClient, emulator: Emulator
) -> None:
    slow, quick = await onboard(client, "en"), await onboard(client, "en")
    await slow.tap("🗓 Activities")
    menu = await slow.last()
    emulator.slow_chats[slow.id] = 4.0  # every call to that chat takes four seconds
    since = len(emulator.calls)
    emulator.tap_data(slow.id, menu["message_id"], "ac:1:hubs")
    await asyncio.sleep(0.2)
    asked = time.time()
    emulator.send(quick.id, "text", "/menu")
    await settle(emulator, lambda: any(
        c.ok and str(c.params.get("chat_id")) == str(quick.id) for c in emulator.calls[since:]
    ))  # fmt: skip
    answered_quick = first_call_to(emulator, quick.id, since).at
    # the slow person's button stopped spinning all the same, before their screen changed
    await settle(emulator, lambda: emulator.unanswered_queries() == [], 3)
    emulator.slow_chats.clear()
    await settle(emulator, lambda: (
        emulator.chats[slow.id].records[menu["message_id"]].message["text"] == "Which hub?"
    ), 10)  # fmt: skip
    edited = first_call_to(emulator, slow.id, since, "editMessageText").at
    assert asked <= answered_quick < edited  # the quick one did not wait for the slow one
    assert emulator.expired_queries() == []
