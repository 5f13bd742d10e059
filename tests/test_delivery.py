"""The outbox against the emulator: claims, pacing, 429, 403, 400, dropped connections,
crash recovery, and two senders sharing the table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from telegram import Bot

from bot import delivery
from bot.db.models import OutboxMessage, User
from bot.db.session import SessionFactory
from bot.delivery import Sender
from bot.sandbox.emulator import ApiError, DropConnection
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from bot.scheduler import make_send
from tests.factories import person


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[Emulator, Bot]]:
    emulator = Emulator(limits=Limits())
    server = EmulatorServer(emulator)
    await server.start()
    bot = Bot(emulator.token, base_url=server.bot_api_base)
    await bot.initialize()
    yield emulator, bot
    await bot.shutdown()
    await server.stop()


async def run_until_done(*senders: Sender, seconds: float = 20) -> None:
    """Tick the senders until nothing is pending or sending."""
    db = senders[0].db
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        for sender in senders:
            await sender.tick()
        async with db() as session:
            busy = await session.scalar(
                select(OutboxMessage.id)
                .where(OutboxMessage.status.in_(("pending", "sending")))
                .limit(1)
            )
        if busy is None:
            break
        await asyncio.sleep(0.05)
    for sender in senders:
        await sender.drain(stop=False)


async def rows(db: SessionFactory) -> list[OutboxMessage]:
    async with db() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def received(emulator: Emulator, chat_id: int) -> list[str]:
    return [
        r.message["text"] for r in emulator.chats[chat_id].records.values() if r.sender == "bot"
    ]


async def queue(db: SessionFactory, chat_id: int, text: str, **kwargs: object) -> None:
    async with db.begin() as session:
        await delivery.enqueue(session, chat_id, text, kind="notice", **kwargs)  # type: ignore[arg-type]


async def test_a_queued_message_is_sent_once_and_recorded(db: SessionFactory, telegram) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    await queue(db, chat, "<b>Hello</b>", dedupe_key="hello:1")
    await queue(db, chat, "<b>Hello</b>", dedupe_key="hello:1")  # the same key: one row
    await run_until_done(Sender(db, make_send(bot)))
    [row] = await rows(db)
    assert (row.status, row.attempts) == ("sent", 1) and row.telegram_message_id
    assert received(emulator, chat) == ["Hello"]


async def test_one_chat_gets_at_most_one_message_a_second(db: SessionFactory, telegram) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    for n in range(4):
        await queue(db, chat, f"note {n}")
    started = asyncio.get_running_loop().time()
    await run_until_done(Sender(db, make_send(bot)))
    assert received(emulator, chat) == [f"note {n}" for n in range(4)]
    assert asyncio.get_running_loop().time() - started >= 2.9
    assert [c for c in emulator.calls if c.error and "Too Many" in c.error] == []


async def test_429_waits_and_retries_without_losing_anything(db: SessionFactory, telegram) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    emulator.inject("sendMessage", ApiError(429, "Too Many Requests: retry after 1", 1))
    await queue(db, chat, "patience")
    await run_until_done(Sender(db, make_send(bot)))
    [row] = await rows(db)
    assert row.status == "sent" and row.last_error is None
    assert received(emulator, chat) == ["patience"]


async def test_403_marks_the_user_blocked_and_withdraws_their_messages(
    db: SessionFactory, telegram
) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    user = await person(db)
    emulator.add_user("Sam", "en", user_id=user.chat_id)
    other = emulator.add_user("Ana", "en")["id"]
    emulator.set_blocked(user.chat_id, True)
    await queue(db, user.chat_id, "first")
    await queue(db, user.chat_id, "second", due_at=datetime.now(UTC) + timedelta(hours=1))
    await queue(db, other, "for Ana")
    await run_until_done(Sender(db, make_send(bot)))
    assert [(r.chat_id, r.status) for r in await rows(db)] == [
        (user.chat_id, "blocked"),
        (user.chat_id, "blocked"),
        (other, "sent"),
    ]
    async with db() as session:
        assert (await session.get(User, user.id)).blocked_at is not None  # type: ignore[union-attr]


async def test_400_is_recorded_and_not_retried(db: SessionFactory, telegram) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    await queue(db, chat, "<b>unclosed")
    await run_until_done(Sender(db, make_send(bot)))
    [row] = await rows(db)
    assert row.status == "failed" and "can't parse entities" in (row.last_error or "").lower()
    assert len([c for c in emulator.calls if c.method == "sendMessage"]) == 1


async def test_a_dropped_connection_keeps_the_message_and_pauses_the_outbox(
    db: SessionFactory, telegram
) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    emulator.inject("sendMessage", DropConnection())
    await queue(db, chat, "again")
    sender = Sender(db, make_send(bot), first_outage_pause=0.2)
    await sender.tick()
    await sender.drain(stop=False)
    [row] = await rows(db)
    assert (row.status, row.attempts, row.last_error) == (
        "pending",
        1,
        "network: RemoteProtocolError",
    )
    assert sender.paused and await sender.tick() == 0  # nothing is tried during the pause
    await run_until_done(sender)
    assert received(emulator, chat) == ["again"]
    assert (await rows(db))[0].status == "sent" and not sender.paused


@pytest.mark.parametrize(
    "fault",
    [
        lambda: DropConnection(),
        lambda: ApiError(502, "Bad Gateway"),
        lambda: ApiError(500, "Internal Server Error"),
    ],
    ids=["dropped", "502", "500"],
)
async def test_network_errors_and_5xx_never_fail_a_message(
    db: SessionFactory, telegram, fault
) -> None:  # type: ignore[no-untyped-def]
    """However many tries fail, the messages wait; during the outage one probe at a time."""
    emulator, bot = telegram
    chats = [emulator.add_user("Sam", "en")["id"] for _ in range(3)]
    emulator.inject("sendMessage", *[fault() for _ in range(12)])
    for chat in chats:
        await queue(db, chat, f"to {chat}")
    sender = Sender(db, make_send(bot), first_outage_pause=0.01, max_outage_pause=0.05)
    await run_until_done(sender, seconds=30)
    assert [received(emulator, chat) for chat in chats] == [[f"to {chat}"] for chat in chats]
    assert {row.status for row in await rows(db)} == {"sent"}
    # every failed try was counted on its message, and none of them ended it
    assert sum(r.attempts for r in await rows(db)) == 12 + 3


async def test_what_no_longer_makes_sense_is_withdrawn_not_sent_late(
    db: SessionFactory, telegram
) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    moment = datetime.now(UTC)
    await queue(db, chat, "reminder", expires_at=moment - timedelta(minutes=1))
    await queue(db, chat, "still fine", expires_at=moment + timedelta(hours=1))
    await queue(db, chat, "old news")
    await queue(db, chat, "fresh news")
    async with db.begin() as session:  # "old news" was written a day and a minute ago
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.text == "old news")
            .values(created_at=moment - timedelta(hours=24, minutes=1))
        )
    await run_until_done(Sender(db, make_send(bot), per_chat_interval=0))
    assert received(emulator, chat) == ["still fine", "fresh news"]
    assert [(r.text, r.status) for r in await rows(db)] == [
        ("reminder", "withdrawn"),
        ("still fine", "sent"),
        ("old news", "withdrawn"),
        ("fresh news", "sent"),
    ]


async def test_messages_left_in_flight_by_a_dead_sender_are_sent_again(
    db: SessionFactory, telegram
) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    await queue(db, chat, "orphan")
    async with db.begin() as session:
        await session.execute(
            update(OutboxMessage).values(
                status="sending",
                claimed_at=datetime.now(UTC) - delivery.LEASE - timedelta(seconds=1),
            )
        )
    sender = Sender(db, make_send(bot))
    assert await sender.recover() == 1
    await run_until_done(sender)
    assert received(emulator, chat) == ["orphan"]


async def test_two_senders_share_the_table_without_a_duplicate(
    db: SessionFactory, telegram
) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chats = [emulator.add_user(f"P{n}", "en")["id"] for n in range(60)]
    for chat in chats:
        await queue(db, chat, f"hello {chat}")
    first, second = Sender(db, make_send(bot), rate=15), Sender(db, make_send(bot), rate=15)
    await run_until_done(first, second)
    for chat in chats:
        assert received(emulator, chat) == [f"hello {chat}"]
    assert {r.status for r in await rows(db)} == {"sent"}
    assert [c for c in emulator.calls if not c.ok] == []


async def test_a_queued_reminder_is_withdrawn_when_the_place_is_given_up(
    db: SessionFactory,
) -> None:
    from bot.services import signups
    from tests.factories import activity, hub

    place = await hub(db)
    chess = await activity(db, place.id)
    user = await person(db)
    async with db.begin() as session:
        fresh = await session.merge(user)
        outcome = await signups.join(
            session, fresh, chess.id, "Sam", datetime(2026, 11, 22, tzinfo=UTC)
        )
        later = datetime.now(UTC) + timedelta(hours=1)
        await delivery.enqueue(
            session,
            user.chat_id,
            "⏰",
            kind="reminder",
            due_at=later,
            dedupe_key=f"reminder:{outcome.signup.id}:2:x",
        )
        await delivery.enqueue(session, user.chat_id, "other", kind="notice", due_at=later)
    async with db.begin() as session:
        await signups.cancel(session, user.id, chess.id, datetime(2026, 11, 22, tzinfo=UTC))
    assert [(r.kind, r.status) for r in await rows(db)] == [
        ("reminder", "cancelled"),
        ("notice", "pending"),
    ]


async def test_a_long_queue_for_a_group_does_not_hold_back_anyone_else(  # type: ignore[no-untyped-def]
    db: SessionFactory, telegram
) -> None:
    emulator, bot = telegram
    group = emulator.add_group("Staff")
    emulator.set_bot_rights(group)
    for n in range(40):  # a staff group takes about 20 a minute: this is two minutes' worth
        await queue(db, group, f"copy {n}")
    chat = emulator.add_user("Sam", "en")["id"]
    await queue(db, chat, "your answer")
    sender = Sender(db, make_send(bot))

    async def answered() -> bool:
        await sender.tick()
        return received(emulator, chat) == ["your answer"]

    deadline = asyncio.get_running_loop().time() + 10
    while not await answered():
        assert asyncio.get_running_loop().time() < deadline, "the private message waited"
        await asyncio.sleep(0.1)
    assert len(received(emulator, group)) < 10
    await sender.drain()


async def test_a_refused_message_keeps_its_place_in_its_chat(db: SessionFactory, telegram) -> None:  # type: ignore[no-untyped-def]
    emulator, bot = telegram
    chat = emulator.add_user("Sam", "en")["id"]
    emulator.inject("sendMessage", ApiError(429, "Too Many Requests: retry after 1", 1))
    for n in range(3):
        await queue(db, chat, f"step {n}")
    await run_until_done(Sender(db, make_send(bot)))
    assert received(emulator, chat) == ["step 0", "step 1", "step 2"]
