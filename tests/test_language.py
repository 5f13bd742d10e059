"""Choosing the language: Telegram's, the saved choice, /language at any time."""

from __future__ import annotations

import pytest

from bot.db.models import User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from tests.flows import onboard


@pytest.mark.parametrize(
    ("language_code", "greeting"),
    [
        ("uk-UA", "👋 Привіт!"),
        ("ar-EG", "👋 مرحبًا!"),
        ("pt-br", "👋 Ciao!"),  # not offered: the default language
        ("zh-CN", "👋 Ciao!"),
        (None, "👋 Ciao!"),
        ("en-GB", "👋 Hello!"),
    ],
)
async def test_telegrams_language_is_negotiated(
    client: SandboxClient, language_code: str | None, greeting: str
) -> None:
    user = await client.add_user("Sam", language_code)
    await user.send("/start")
    assert (await user.last())["text"].lstrip("\u200f").startswith(greeting)


async def test_language_command_changes_the_language_and_the_menu(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "en")
    await user.send("/language")
    await user.tap("Română")
    assert (await user.last())["text"] == "Gata! Limba: Română."
    assert "🗓 Activități" in await user.keyboard()
    await user.tap("❓ Ajutor")
    assert (await user.last())["text"].startswith("❓ Ajutor")
    async with db() as session:
        assert (await session.get(User, user.id)).language == "ro"  # type: ignore[union-attr]


async def test_the_saved_choice_wins_over_telegrams_language(client: SandboxClient) -> None:
    user = await onboard(client, "en")
    await user.send("/language")
    await user.tap("Shqip")
    await user.send("/help")
    assert (await user.last())["text"].startswith("❓ Ndihmë")


async def test_an_old_english_menu_button_still_works_after_a_change(client: SandboxClient) -> None:
    user = await onboard(client, "en")
    await user.send("/language")
    await user.tap("Français")
    await user.send("❓ Help")  # a keyboard drawn before the change
    assert (await user.last())["text"].startswith("❓ Aide")


async def test_changing_language_mid_onboarding_asks_the_same_question_again(
    client: SandboxClient,
) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    await user.tap("Continue ▶")
    await user.send("/language")
    await user.tap("বাংলা")
    assert (await user.last())["text"] == "তোমার বয়স কত?"


async def test_menus_and_descriptions_are_set_in_every_language(client: SandboxClient) -> None:
    state = await client.bot_state()
    for code in ("", "it", "en", "ar", "uk", "fr", "bn", "ur", "sq", "ro"):
        commands = state["commands"][f"default:{code}"]
        assert [c["command"] for c in commands] == [
            "start",
            "menu",
            "sos",
            "language",
            "privacy",
            "mydata",
            "deleteme",
            "stop",
            "offer",
            "help",
        ]
        assert state["descriptions"][code]
        assert state["short_descriptions"][code]
    assert state["commands"]["default:ar"][0]["description"] == "ابدأ أو ابدأ من جديد"
    assert state["commands"]["default:"][0]["description"] == "Inizia o ricomincia"
    assert state["short_descriptions"]["uk"] == "Заходи, житло та допомога від молодіжних центрів."
