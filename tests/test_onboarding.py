"""Onboarding end to end, through the emulator, in every language."""

from __future__ import annotations

import re

import pytest

from bot.db.models import User
from bot.db.session import SessionFactory
from bot.i18n import RLM, SUPPORTED_LOCALES
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from tests.flows import onboard, translator

# Words that may stay Latin in any language: names, commands, codes, the settings' values.
ALLOWED_LATIN = re.compile(
    r"/[a-z_]+|Porta|Telegram|WhatsApp|Comune di Lucca|San Vito|San Concordio|Pontetetto|"
    r"Sant'Anna|Ponte a Moriano|privacy@comune\.lucca\.it|\bid\b|K7Q2MX|[A-Z0-9]{6}|"
    r"Italiano|English|Français|Shqip|Română|Centro San Concordio–Pontetetto|Centro San Vito|"
    r"Piazzale San Vito|Via di Pontetetto|55100|Lucca"
)
ENGLISH_WORDS = re.compile(r"\b(the|you|your|and|Tap|Please|with|What|Which|Hello)\b")
SCRIPTS = {
    "ar": "\u0600-\u06ff",
    "ur": "\u0600-\u06ff",
    "uk": "\u0400-\u04ff",
    "bn": "\u0980-\u09ff",
}


def shown_texts(messages: list[dict], keyboard: list[str]) -> list[str]:
    texts = [m["text"] for m in messages if m["from"] == "bot"]
    texts += [b["text"] for m in messages for row in m["buttons"] for b in row]
    return texts + keyboard


def assert_only_language(locale: str, texts: list[str]) -> None:
    """Nothing English on a screen in another language (no untranslated string)."""
    for text in texts:
        if locale == "en":
            continue
        stripped = ALLOWED_LATIN.sub("", text)
        if locale in SCRIPTS:
            assert not re.search(r"[A-Za-z]{2,}", stripped), (locale, text)
        else:
            assert not ENGLISH_WORDS.search(stripped), (locale, text)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_a_new_user_completes_onboarding_in_their_language(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    user = await onboard(client, locale, interests=("sport", "culture"))
    screen = await user.screen()
    t = translator(locale)

    last = (await user.bot_messages())[-1]
    assert (
        last["text"]
        .lstrip(RLM)
        .startswith(
            t("🎉 All set! Use the menu below. You can change your choices in Settings.")[:10]
        )
    )
    assert t.pgettext("menu", "🗓 Activities") in screen["keyboard"]
    assert_only_language(locale, shown_texts(screen["messages"], screen["keyboard"]))
    if locale in ("ar", "ur"):
        for message in await user.bot_messages():
            assert message["text"].startswith(RLM) or re.match(r"[\u0600-\u06ff]", message["text"])

    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None
    assert (saved.step, saved.age_band, saved.neighbourhood) == ("done", "18_24", "San Vito")
    assert saved.interests == ["culture", "sport"]
    assert saved.consent_at is not None and saved.notice_version
    assert saved.language is None  # kept following Telegram's language


async def test_the_welcome_says_who_runs_the_bot_and_offers_nine_languages(
    client: SandboxClient,
) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    welcome = await user.last()
    assert "bot of the youth hubs" in welcome["text"]
    assert "Comune di Lucca runs me" in welcome["text"]
    assert user.labels(welcome)[:9] == [
        "Italiano",
        "English",
        "العربية",
        "Українська",
        "Français",
        "বাংলা",
        "اردو",
        "Shqip",
        "Română",
    ]


async def test_picking_a_language_on_the_welcome_redraws_it_and_is_kept(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await client.add_user("Olena", "en")
    await user.send("/start")
    await user.tap("Українська")
    welcome = await user.last()
    assert welcome["text"].startswith("👋 Привіт!")
    assert welcome["edited"]
    await user.tap("Далі ▶")
    assert (await user.last())["text"] == "Скільки тобі років?"
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None and saved.language == "uk"


async def test_skipping_the_neighbourhood_and_typing_one(
    client: SandboxClient, db: SessionFactory
) -> None:
    skipper = await onboard(client, "it", neighbourhood=None, interests=())
    t = translator("en")
    typer_ = await client.add_user("Ali", "en")
    await typer_.send("/start")
    await typer_.tap("Continue ▶")
    await typer_.tap("25–35")
    await typer_.tap(t.pgettext("button", "✅ I agree"))
    await typer_.send("  Borgo   Giannotti  ")
    assert (await typer_.last())["text"].startswith("What do you like?")
    async with db() as session:
        assert (await session.get(User, skipper.id)).neighbourhood is None  # type: ignore[union-attr]
        assert (await session.get(User, typer_.id)).neighbourhood == "Borgo Giannotti"  # type: ignore[union-attr]


async def test_interest_buttons_tick_and_untick(client: SandboxClient) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    for label in ("Continue ▶", "18–24", "✅ I agree", "Skip", "⚽ Sport"):
        await user.tap(label)
    assert "✅ ⚽ Sport" in user.labels(await user.last())
    await user.tap("✅ ⚽ Sport")
    assert "⚽ Sport" in user.labels(await user.last())


async def test_saying_no_to_the_notice_stores_nothing_more(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    for label in ("Continue ▶", "25–35", "No, thanks"):
        await user.tap(label)
    assert "I will not save anything more about you" in (await user.last())["text"]
    assert "🗓 Activities" in await user.keyboard()
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None
    assert (saved.consent_at, saved.age_band, saved.step) == (None, None, "done")


async def test_an_under_14_gets_a_guardian_code_and_nothing_personal_is_stored(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "ar", age="u14")
    message = await user.last()
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None and saved.guardian_code
    assert saved.guardian_code in message["text"]
    assert "أقل من 14" in message["text"] or "14" in message["text"]
    assert "الأنشطة" in " ".join(await user.keyboard())
    assert (saved.age_band, saved.consent_at, saved.neighbourhood, saved.interests) == (
        None,
        None,
        None,
        [],
    )


async def test_an_unfinished_onboarding_resumes_where_it_stopped(client: SandboxClient) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    await user.tap("Continue ▶")
    await user.send("/start")
    assert (await user.last())["text"] == "How old are you?"
    await user.send("hello?")
    assert (await user.last())["text"] == "How old are you?"


async def test_a_returning_user_is_welcomed_back_with_the_menu(client: SandboxClient) -> None:
    user = await onboard(client, "fr")
    await user.send("/start")
    assert (await user.last())["text"] == "Bon retour ! Utilise le menu ci-dessous."


async def test_a_poster_deep_link_opens_after_onboarding(
    client: SandboxClient, db: SessionFactory
) -> None:
    user = await onboard(client, "en", start="/start a42")
    texts = [m["text"] for m in await user.bot_messages()]
    assert texts[-2].startswith("🎉 All set!")
    assert texts[-1].startswith("I can't find this page")
    async with db() as session:
        assert (await session.get(User, user.id)).pending_link is None  # type: ignore[union-attr]
    await user.send("/start h7")
    assert (await user.last())["text"].startswith("I can't find this page")


async def test_a_malformed_deep_link_is_ignored(client: SandboxClient, db: SessionFactory) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start x'; DROP TABLE users")
    assert (await user.last())["text"].startswith("👋 Hello!")
    async with db() as session:
        assert (await session.get(User, user.id)).pending_link is None  # type: ignore[union-attr]


async def test_double_taps_ask_the_next_question_once(
    client: SandboxClient, emulator: Emulator
) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    welcome = await user.last()
    await user.tap("Continue ▶", welcome["message_id"])
    await user.tap_data(welcome["message_id"], "ob:1:go")
    texts = [m["text"] for m in await user.bot_messages()]
    assert texts.count("How old are you?") == 1
    assert (await user.toasts())[-1]["text"] == "Already saved."
    assert emulator.unanswered_queries() == []
