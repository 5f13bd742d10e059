"""Bad input, odd messages, stale buttons and failures: a clear answer, never a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.db.models import User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.emulator import ApiError
from bot.sandbox.people import Emulator
from bot.sandbox.runner import Sandbox
from tests.flows import onboard

SEEN = "📎 Got it. A youth worker can see it and answer you here, in this chat."


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "document", "contact"])
async def test_media_gets_a_sensible_reply(client: SandboxClient, kind: str) -> None:
    user = await onboard(client, "en")
    await user.send_kind(kind)
    reply = await user.last()
    assert reply["text"] == SEEN and "💬 Send this to a youth worker" in user.labels(reply)


async def test_a_location_gets_the_help_nearest_to_it(client: SandboxClient) -> None:
    user = await onboard(client, "en")
    await user.send_kind("location")
    assert "112" in (await user.last())["text"]  # no service known yet: the emergency screen


async def test_media_before_onboarding_is_answered_in_the_users_language(
    client: SandboxClient,
) -> None:
    user = await client.add_user("Sam", "sq")
    await user.send_kind("sticker")
    assert (await user.last())["text"].startswith("📎 E mora.")


async def test_an_edited_message_is_answered(client: SandboxClient) -> None:
    user = await onboard(client, "en")
    await user.send("hello")
    mine = [m for m in await user.messages() if m["from"] == "user"][-1]
    await user.edit(mine["message_id"], "/start")
    assert (await user.last())["text"] == "I only read new messages. Please send it again."


async def test_unknown_commands_and_text(client: SandboxClient) -> None:
    user = await onboard(client, "en")
    await user.send("/teleport")
    assert (await user.last())["text"].startswith("I don't know this command.")
    await user.send("x" * 4096)
    reply = await user.last()
    assert reply["text"].startswith("I have no button for that.")
    assert "💬 Send this to a youth worker" in user.labels(reply)


async def test_group_messages_are_ignored(client: SandboxClient, emulator: Emulator) -> None:
    user = await onboard(client, "en")
    group = await client.add_group()
    await client.add_member(group, user.id)
    before = len(emulator.calls)
    await user.send("/start", chat_id=group)
    await user.send("hello everyone", chat_id=group)
    assert [m for m in await user.messages(chat_id=group) if m["from"] == "bot"] == []
    assert [c.method for c in emulator.calls[before:] if c.method.startswith("send")] == []


@pytest.mark.parametrize(
    "data",
    [
        "age:0:18_24:o",
        "age:1:99:o",
        "lang:1:xx:o",
        "del:1:maybe",
        "nb:1:999:o",
        "int:1:chess:s",
        "set:1:nuke",
        "ob:1:jump",
        "sg:1:42",
        "zzz",
        "lang:1",
    ],
)
async def test_stale_or_forged_buttons_get_a_polite_answer(
    client: SandboxClient, db: SessionFactory, emulator: Emulator, data: str
) -> None:
    user = await onboard(client, "en")
    menu = [m for m in await user.bot_messages()][-1]
    await user.tap_data(menu["message_id"], data)
    assert (await user.toasts())[-1]["text"] == "This button is old. Please use the menu below."
    assert emulator.unanswered_queries() == []
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None and (saved.age_band, saved.language) == ("18_24", None)


async def test_every_callback_query_is_answered_through_a_whole_session(
    client: SandboxClient, emulator: Emulator
) -> None:
    user = await onboard(client, "bn")
    await user.tap("⚙️ সেটিংস")
    for label in ("⏰ রিমাইন্ডার চালু/বন্ধ", "📣 ঘোষণা চালু/বন্ধ"):
        await user.tap(label)
    assert "রিমাইন্ডার: বন্ধ\nঘোষণা: বন্ধ" in (await user.last())["text"]
    await user.tap("❤️ আগ্রহ")
    assert emulator.unanswered_queries() == []
    assert len(emulator.callback_queries) == 9  # six in onboarding, three in settings


async def test_blocking_the_bot_is_recorded_and_undone(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "en")
    await user.block()
    async with db() as session:
        assert (await session.get(User, user.id)).blocked_at is not None  # type: ignore[union-attr]
    await user.send("/start")
    async with db() as session:
        assert (await session.get(User, user.id)).blocked_at is None  # type: ignore[union-attr]
    assert (await user.last())["text"] == "Welcome back! Use the menu below."


@pytest.fixture
async def broken_sandbox(settings: Settings, tmp_path) -> AsyncIterator[SandboxClient]:  # type: ignore[no-untyped-def]
    """Porta pointed at a database that was never migrated: every handler fails."""
    empty = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/empty.db"})
    running = Sandbox(empty, poll_timeout=1)
    client = await running.start(upgrade=False)
    yield client
    await running.stop()


async def test_a_failure_is_logged_by_update_id_and_told_in_the_users_language(
    broken_sandbox: SandboxClient, caplog: pytest.LogCaptureFixture
) -> None:
    user = await broken_sandbox.add_user("Amal", "ar")
    update_id = await user.send("/start")
    assert (await user.last())["text"] == "\u200fعذرًا، حدث خطأ ما. حاول مرة أخرى."
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert f"error while handling update {update_id}" in errors
    assert all("/start" not in r.getMessage() for r in caplog.records)


async def test_logs_carry_ids_never_what_people_write(
    client: SandboxClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    for label in ("Continue ▶", "18–24", "✅ I agree"):
        await user.tap(label)
    await user.send("Via Segreta 13")
    await user.send("my phone is 333 1234567")
    await user.send("/start h99")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Via Segreta", "333 1234567", "Sam"):
        assert secret not in logged


async def test_a_request_telegram_refuses_is_a_bug_not_an_outage(
    client: SandboxClient, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """python-telegram-bot's BadRequest is a NetworkError: a 400 must not pass for the Bot
    API being away (which logs no traceback and tells no one)."""
    user = await onboard(client, "en")
    emulator.inject("sendMessage", ApiError(400, "Bad Request: can't parse entities"))
    await user.send("/help")
    assert (await user.last())["text"] == "Sorry, something went wrong. Please try again."
    assert not [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert [
        r
        for r in caplog.records
        if r.levelname == "ERROR" and "error while handling" in r.getMessage()
    ]
