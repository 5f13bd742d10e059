"""🎙 The team's own voice: staff record a page in a language from /manage; 🔊 then plays the
recording, until the page's text changes and the automatic voice takes over again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Programme
from bot.db.session import SessionFactory
from bot.db.voice import VoiceRecording
from bot.sandbox.client import SandboxClient, SandboxUser
from handlers.labels import MENU_LABELS, label
from handlers.voice import AUTOMATIC, HUMAN
from handlers.voice_staff import NOT_A_VOICE_NOTE, SAVED, TOO_BIG
from tests.casework import eventually, programmes
from tests.flows import onboard, staff, translator


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"voice": "on"})


async def voice_note(user: SandboxUser, after: int) -> dict[str, Any]:
    async def newest() -> dict[str, Any] | None:
        notes = [m for m in await user.bot_messages() if "voice" in m and m["message_id"] > after]
        return notes[-1] if notes else None

    return await eventually(newest)


async def sent_voices(client: SandboxClient, since: int) -> list[str]:
    """The voice each sendVoice since call `since` named (a file_id, or an upload's name)."""
    return [c["params"]["voice"] for c in await client.calls(since) if c["method"] == "sendVoice"]


async def recordings(db: SessionFactory) -> list[VoiceRecording]:
    async with db() as session:
        return list(await session.scalars(select(VoiceRecording)))


async def open_page(worker: SandboxUser, title: str) -> dict[str, Any]:
    """/manage → 🎙 Voices of the pages → the page whose button starts with `title`."""
    en = translator("en")
    await worker.send("/manage")
    await worker.tap(en.pgettext("button", "🎙 Voices of the pages"))
    listing = await worker.last()
    await worker.tap(next(b for b in worker.labels(listing) if title in b))
    return await worker.last()


async def test_a_recording_replaces_the_automatic_voice_until_the_page_changes(
    client: SandboxClient, db: SessionFactory
) -> None:
    found = await programmes(db)
    canteen = found["canteen"]
    it, en = translator("it"), translator("en")
    worker = await staff(client, db, locale="en")
    page = await open_page(worker, canteen.texts["en"]["title"])
    assert "🤖 Italian" in worker.labels(page)

    await worker.tap("🤖 Italian")
    prompt, text = (await worker.bot_messages())[-2:]
    assert "Italian" in prompt["text"]
    assert canteen.texts["it"]["title"] in text["text"]  # the words to read, in Italian

    # What is not a voice note, or one too big, is refused and changes nothing.
    for kind, value in (("photo", None), ("document", "song.mp3"), ("text", "hello")):
        await worker.send_kind(kind, value)
        assert (await worker.last())["text"] == en(NOT_A_VOICE_NOTE)
    await worker.send_kind("voice", {"duration": 900, "file_size": 30 * 1024 * 1024})
    assert (await worker.last())["text"] == en(TOO_BIG)
    assert await recordings(db) == []

    sent = await worker.send_kind("voice", {"duration": 20, "file_size": 80_000})
    saved = (await worker.bot_messages())[-2]
    assert saved["text"] == en(SAVED).format(language="Italian")
    assert "✅ Italian" in worker.labels(await worker.last())
    (kept,) = await recordings(db)
    assert kept.page == f"housing.page:{canteen.id}" and kept.language == "it"
    assert kept.seconds == 20 and kept.recorded_by == worker.id and sent

    # An Italian speaker hears the team's voice, by its file_id.
    user = await onboard(client, "it")
    await user.tap(label(it, MENU_LABELS["housing"]))
    await user.tap(
        next(b for b in user.labels(await user.last()) if canteen.texts["it"]["title"] in b)
    )
    shown = await user.last()
    since = len(await client.calls())
    await user.tap(it.pgettext("button", "🔊 Listen"))
    heard = await voice_note(user, shown["message_id"])
    assert await sent_voices(client, since) == [kept.file_id]
    assert it(HUMAN) in heard["text"] and heard["voice"]["duration"] == 20

    # The page is edited: the recording is out of date, and the automatic voice is back.
    async with db.begin() as session:
        programme = await session.get(Programme, canteen.id)
        assert programme is not None
        texts = dict(programme.texts)
        texts["it"] = {**texts["it"], "offers": "Pranzo caldo ogni giorno, anche la domenica."}
        programme.texts = texts
    since = len(await client.calls())
    await user.tap(it.pgettext("button", "🔊 Listen"), shown["message_id"])
    again = await voice_note(user, heard["message_id"])
    assert kept.file_id not in await sent_voices(client, since)
    assert it(AUTOMATIC) in again["text"]
    page = await open_page(worker, canteen.texts["en"]["title"])
    assert "⚠️ Italian" in worker.labels(page)


async def test_the_help_screen_recorded_in_arabic_and_stopping_a_recording(
    client: SandboxClient, db: SessionFactory
) -> None:
    ar, en = translator("ar"), translator("en")
    worker = await staff(client, db, locale="en")
    page = await open_page(worker, "Help")
    await worker.tap("🤖 Arabic")
    await worker.tap(en.pgettext("button", "✖️ Stop"))
    await worker.send_kind("voice")  # no recording awaited: it goes on as anyone's message
    assert await recordings(db) == []

    await worker.tap("🤖 Arabic", page["message_id"])
    await worker.send_kind("voice", {"duration": 12, "file_size": 50_000})
    assert "✅ Arabic" in worker.labels(await worker.last())

    user = await onboard(client, "ar")
    await user.tap(label(ar, MENU_LABELS["help"]))
    shown = next(m for m in reversed(await user.bot_messages()) if m["buttons"])
    since = len(await client.calls())
    await user.tap(ar.pgettext("button", "🔊 Listen"), shown["message_id"])
    heard = await voice_note(user, shown["message_id"])
    (kept,) = await recordings(db)
    assert await sent_voices(client, since) == [kept.file_id] and ar(HUMAN) in heard["text"]
