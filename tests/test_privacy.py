"""/privacy, /mydata and /deleteme through the emulator."""

from __future__ import annotations

import json

from bot.db.models import Operator, User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from bot.services.users import NOTICE_VERSION
from tests.flows import onboard


async def test_privacy_shows_the_full_notice_in_the_users_language(client: SandboxClient) -> None:
    user = await client.add_user("Sam", "it")
    await user.send("/privacy")
    text = (await user.last())["text"]
    assert text.startswith(f"🔒 Informativa privacy (versione {NOTICE_VERSION})")
    assert "Comune di Lucca gestisce Porta" in text
    assert "privacy@comune.lucca.it" in text


async def test_mydata_sends_everything_as_a_json_file(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "en", interests=("work", "sport"))
    await user.send("/mydata")
    message = await user.last()
    assert message["document"]["file_name"] == "porta-my-data.json"
    assert message["text"] == "Here is everything Porta saves about you."
    data = json.loads(await client.file(message["document"]["file_id"]))
    exported = data["user"]
    assert exported["telegram_id"] == user.id
    assert exported["age_band"] == "18_24"
    assert exported["neighbourhood"] == "San Vito"
    assert exported["interests"] == ["work", "sport"]
    assert exported["consent"]["notice_version"] == NOTICE_VERSION
    assert data["operator_role"] is None
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None and exported["consent"]["given_at"] == saved.consent_at.isoformat()  # type: ignore[union-attr]


async def test_mydata_for_someone_unknown(client: SandboxClient) -> None:
    user = await client.add_user("Sam", "fr")
    await user.send("/mydata")
    assert (await user.last())["text"] == "Je n'ai aucune donnée sur toi."


async def test_deleteme_asks_first_then_erases_everything(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    user = await onboard(client, "en")
    await user.send("/deleteme")
    assert (await user.last())["text"].startswith("Do you want to delete all your data")
    await user.tap("No, keep it")
    async with db() as session:
        assert await session.get(User, user.id) is not None

    await user.send("/deleteme")
    question = await user.last()
    await user.tap("🗑 Yes, delete everything", question["message_id"])
    text = (await user.last())["text"]
    assert text.startswith("Done. I deleted all your data.")
    assert "you can delete them in Telegram" in text
    assert await user.keyboard() == []
    async with db() as session:
        assert await session.get(User, user.id) is None

    await user.tap_data(question["message_id"], "del:1:yes")  # a double tap
    assert (await user.toasts())[-1]["text"] == "Your data is already deleted."
    assert emulator.unanswered_queries() == []


async def test_a_user_who_returns_after_erasure_starts_fresh(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "uk")
    await user.send("/deleteme")
    await user.tap("🗑 Так, видалити все")
    await user.send("привіт")
    assert (await user.last())["text"] == "Привіт! Натисни /start, щоб почати."
    async with db() as session:
        assert await session.get(User, user.id) is None
    await user.send("/start")
    assert (await user.last())["text"].startswith("👋 Привіт! Я Porta")
    async with db() as session:
        fresh = await session.get(User, user.id)
    assert fresh is not None and (fresh.step, fresh.consent_at, fresh.interests) == (
        "welcome",
        None,
        [],
    )


async def test_erasure_says_that_a_staff_role_is_kept(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "en")
    async with db.begin() as session:
        session.add(Operator(telegram_id=user.id, role="operator"))
    await user.send("/deleteme")
    await user.tap("🗑 Yes, delete everything")
    assert "You are still listed as hub staff" in (await user.last())["text"]


async def test_settings_offer_export_and_erasure(client: SandboxClient) -> None:
    user = await onboard(client, "en")
    await user.tap("⚙️ Settings")
    screen = (await user.last())["text"]
    assert "Neighbourhood: San Vito" in screen and "Reminders: on" in screen
    await user.tap("📄 My data")
    assert (await user.last())["document"]["file_name"] == "porta-my-data.json"
    await user.tap("⚙️ Settings")
    await user.tap("🗑 Delete my data")
    assert (await user.last())["text"].startswith("Do you want to delete all your data")
