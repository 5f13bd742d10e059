"""Announcements end to end: compose, audience, other languages, preview, progress, /stop."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from bot.db.models import Broadcast, OutboxMessage, User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from tests.flows import onboard, staff


async def wait_done(db: SessionFactory, seconds: float = 20) -> Broadcast:
    for _ in range(int(seconds / 0.1)):
        async with db() as session:
            item = await session.scalar(select(Broadcast))
        if item is not None and item.status == "done":
            return item
        await asyncio.sleep(0.1)
    raise AssertionError("the broadcast did not finish")


async def test_a_broadcast_to_one_language_with_a_translation_and_progress(
    client: SandboxClient, db: SessionFactory
) -> None:
    arabic = [await onboard(client, "ar") for _ in range(2)]
    english = await onboard(client, "en")
    french = await onboard(client, "fr")
    worker = await staff(client, db)
    await worker.send("/broadcast")
    await worker.send("The hub is closed on Friday <3")
    await worker.tap("A language")
    await worker.tap("العربية")
    await worker.tap("Français")
    await worker.send("Le centre est fermé vendredi")
    await worker.tap("👀 Preview")
    preview = await worker.bot_messages()
    assert preview[-2]["text"] == "The hub is closed on Friday <3"
    assert preview[-1]["text"] == "It will go to 2 people."
    await worker.tap("📣 Send now")
    item = await wait_done(db)
    assert (item.total, item.sent, item.blocked, item.failed) == (2, 2, 0, 0)
    for person in arabic:
        got = await person.wait_message("The hub is closed on Friday <3")
        assert got["text"].startswith("\u200f📣 إعلان من المراكز:")
    progress = await worker.wait_message("✅ Finished.")
    assert progress["edited"] and progress["text"].startswith(
        f"▓▓▓▓▓▓▓▓▓▓\n📣 Announcement {item.id}: 2 of 2 sent. Blocked: 0. Failed: 0."
    )
    for other in (english, french):
        assert not [
            m for m in await other.bot_messages() if "closed" in m["text"] or "fermé" in m["text"]
        ]


async def test_stop_and_settings_switch_announcements_off(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "en")
    await user.send("/stop")
    assert (await user.last())["text"].startswith("You will get no more announcements.")
    worker = await staff(client, db)
    await worker.send("/broadcast")
    await worker.send("Party tonight")
    await worker.tap("Everyone")
    await worker.tap("👀 Preview")
    assert (await worker.last())["text"] == "It will go to 0 people."
    async with db() as session:
        assert (await session.get(User, user.id)).notify_announcements is False  # type: ignore[union-attr]


@pytest.mark.parametrize("data", ["bc:1:now:0", "bc:1:a:all", "bc:1:p:0"])
async def test_broadcast_buttons_refuse_everyone_else(
    client: SandboxClient, db: SessionFactory, data: str
) -> None:
    user = await onboard(client, "en")
    menu = (await user.bot_messages())[-1]
    await user.tap_data(menu["message_id"], data)
    assert (await user.toasts())[-1]["text"] == "Sorry, this command is only for hub staff."
    async with db() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []


def test_porta_broadcast_queues_an_announcement_from_the_command_line(settings) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bot.cli import cli

    env = {"DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(
        cli,
        [
            "broadcast",
            "--text",
            "Ciao a tutti",
            "--audience",
            "language:ar",
            "--translation",
            "ar=مرحبا بالجميع",
            "--at",
            "24/12/2099 17:30",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"broadcast \d+ queued for 0 people\n", result.output)
    bad = CliRunner().invoke(
        cli, ["broadcast", "--text", "x", "--audience", "planet:mars"], env=env
    )
    assert bad.exit_code == 2 and "cannot understand --audience 'planet:mars'" in bad.output

    async def stored() -> Broadcast | None:
        from bot.db.session import create_engine, session_factory

        engine = create_engine(settings.database_url)
        async with session_factory(engine)() as session:
            item = await session.scalar(select(Broadcast))
        await engine.dispose()
        return item

    item = asyncio.run(stored())
    assert item is not None and item.status == "scheduled"
    assert (
        item.texts == {"it": "Ciao a tutti", "ar": "مرحبا بالجميع"}
        and item.audience == "language:ar"
    )


async def test_a_photo_announcement_to_the_people_of_an_activity(
    client: SandboxClient, db: SessionFactory
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.factories import activity, hub

    place = await hub(db)
    chess = await activity(
        db, place.id, titles={"en": "Chess club"}, starts=datetime.now(UTC) + timedelta(days=2)
    )
    player = await onboard(client, "en", start=f"/start a{chess.id}")
    await player.tap("✅ Sign up")
    bystander = await onboard(client, "en")
    worker = await staff(client, db)
    await worker.send("/broadcast")
    await worker.send_kind("photo")
    assert (await worker.last())["text"].startswith("Please write a text of up to 900 characters.")
    await worker.send("/broadcast")
    await worker.send("Bring your own board!")
    await worker.tap("People of an activity")
    await worker.tap("Chess club")
    await worker.tap("👀 Preview")
    assert (await worker.last())["text"] == "It will go to 1 person."
    await worker.tap("🕒 Send later")
    await worker.send("24/12/2099 17:30")
    assert (await worker.last())["text"].startswith("📣 Announcement")
    async with db() as session:
        item = await session.scalar(select(Broadcast))
    assert (
        item is not None and item.status == "scheduled" and item.audience == f"activity:{chess.id}"
    )
    assert not [m for m in await player.bot_messages() if "Bring your own board" in m["text"]]
    assert not [m for m in await bystander.bot_messages() if "Bring your own board" in m["text"]]


async def test_a_photo_with_a_caption_goes_out_as_a_photo(
    client: SandboxClient, db: SessionFactory
) -> None:
    reader = await onboard(client, "uk")
    worker = await staff(client, db)
    await worker.send("/broadcast")
    await worker.send_kind("photo", "Our new room!")
    await worker.tap("Everyone")
    await worker.tap("👀 Preview")
    assert (await worker.bot_messages())[-2]["text"] == "Our new room!"
    await worker.tap("📣 Send now")
    await wait_done(db)
    got = await reader.wait_message("Our new room!")
    assert "photo" in got and got["text"].startswith("📣 Оголошення від молодіжних центрів:")


async def test_a_neighbourhood_audience(client: SandboxClient, db: SessionFactory) -> None:
    await onboard(client, "en", neighbourhood="San Vito")
    await onboard(client, "en", neighbourhood="Pontetetto")
    worker = await staff(client, db)
    await worker.send("/broadcast")
    await worker.send("Street party in San Vito")
    await worker.tap("A neighbourhood")
    await worker.tap("San Vito")
    await worker.tap("👀 Preview")
    assert (await worker.last())["text"] == "It will go to 1 person."
    menu = await worker.last()
    await worker.tap_data(menu["message_id"], "bc:1:a:neighbourhood:99")
    assert (await worker.toasts())[-1]["text"] == "This button is old. Please use the menu below."
