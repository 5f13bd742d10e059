"""🔊 Listen: screens read aloud as voice notes in each of the nine languages, made once and
sent again by file_id, slower on request, and counted without anyone's id."""

from __future__ import annotations

import io
import os
import signal
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import soundfile
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import User
from bot.db.session import SessionFactory
from bot.db.voice import VoiceClip, VoiceListen
from bot.i18n import SUPPORTED_LOCALES
from bot.sandbox.client import SandboxClient, SandboxUser
from handlers.settings import VOICE
from handlers.voice import AUTOMATIC
from tests.casework import eventually, in_topic, new_from_bot, team, topic_of
from tests.factories import activity, hub
from tests.flows import onboard, staff, translator
from tests.test_cases import REFERENCE

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"voice": "on"})


def listen(locale: str) -> str:
    return translator(locale).pgettext("button", "🔊 Listen")


async def voice_note(user: SandboxUser, after: int = 0) -> dict[str, Any]:
    """The newest voice note the bot sent, once one newer than message `after` arrived."""

    async def newest() -> dict[str, Any] | None:
        notes = [m for m in await user.bot_messages() if "voice" in m and m["message_id"] > after]
        return notes[-1] if notes else None

    return await eventually(newest)


async def seconds(client: SandboxClient, note: dict[str, Any]) -> float:
    """How long the note plays, decoded from the audio itself."""
    audio = await client.file(note["voice"]["file_id"])
    assert audio[:4] == b"OggS" and len(audio) <= 1024 * 1024
    data, rate = soundfile.read(io.BytesIO(audio))
    assert data.ndim == 1  # mono
    return len(data) / rate


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_a_card_is_heard_in_each_language(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    place = await hub(db)
    short = await activity(db, place.id, starts=datetime.now(UTC) + timedelta(days=2))
    user = await onboard(client, locale)
    await user.send(f"/start a{short.id}")
    await heard(client, user, await user.last(), locale)  # an activity's card


async def heard(
    client: SandboxClient, user: SandboxUser, shown: dict[str, Any], locale: str
) -> None:
    """🔊 on `shown` brings a voice note whose length is in proportion to the screen's words."""
    await user.tap(listen(locale), shown["message_id"])
    note = await voice_note(user, shown["message_id"])
    t = translator(locale)
    assert t(AUTOMATIC) in note["text"] and note["voice"]["duration"] >= 1
    length = await seconds(client, note)
    words = len(shown["text"].split()) + sum(len(b.split()) for b in user.labels(shown))
    assert words * 0.12 < length < words * 1.2, (length, words)  # in proportion to the text
    labels = user.labels(note)
    assert (
        t.pgettext("button", "🐢 Slower") in labels and t.pgettext("button", "🔁 Again") in labels
    )
    assert (await user.toasts())[-1]["answered"]  # the tap was answered


async def test_a_speech_process_that_died_is_started_again_for_the_next_note(
    client: SandboxClient, db: SessionFactory
) -> None:
    from bot.voice.engine import Engine

    engine = Engine.shared("on")
    assert engine is not None
    before = await engine.run(os.getpid)
    os.kill(before, signal.SIGKILL)  # as if eSpeak had crashed in the middle of a note
    place = await hub(db)
    item = await activity(db, place.id, starts=datetime.now(UTC) + timedelta(days=2))
    user = await onboard(client, "uk")
    await user.send(f"/start a{item.id}")
    card = await user.last()
    await user.tap(listen("uk"), card["message_id"])
    note = await voice_note(user, card["message_id"])
    assert await seconds(client, note) > 1
    assert await engine.run(os.getpid) != before


async def test_a_second_listen_sends_by_file_id_and_slower_is_longer(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    item = await activity(db, place.id, starts=datetime.now(UTC) + timedelta(days=2))
    first, second = await onboard(client, "it"), await onboard(client, "it")
    await first.send(f"/start a{item.id}")
    card = await first.last()
    await first.tap(listen("it"), card["message_id"])
    made = await voice_note(first, card["message_id"])
    since = len(await client.calls())
    await second.send(f"/start a{item.id}")
    other = await second.last()
    await second.tap(listen("it"), other["message_id"])
    again = await voice_note(second, other["message_id"])
    sent = [c for c in await client.calls(since) if c["method"] == "sendVoice"]
    assert sent and sent[-1]["params"]["voice"] == made["voice"]["file_id"]
    assert again["voice"]["file_unique_id"] == made["voice"]["file_unique_id"]
    await first.tap(translator("it").pgettext("button", "🐢 Slower"), made["message_id"])
    slow = await voice_note(first, made["message_id"])
    assert await seconds(client, slow) > await seconds(client, made) * 1.15
    async with db() as session:
        clips = (await session.scalars(select(VoiceClip))).all()
    assert len(clips) == 2 and all(c.file_id for c in clips)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_the_first_screen_speaks_nine_languages_and_turns_voice_on(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    user = await client.add_user("Amira", locale)
    await user.send("/start")
    welcome = await user.last()
    assert "🔊 🌐" in user.labels(welcome)
    await user.tap("🔊 🌐", welcome["message_id"])
    note = await voice_note(user, welcome["message_id"])
    # Nine "for Arabic, tap the button العربية" (each about eight words), then the welcome.
    length = await seconds(client, note)
    words = len(welcome["text"].split()) + 9 * 8
    assert length > 15 and words * 0.12 < length < words * 1.2, (length, words)
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None and saved.voice_always
    t = translator(locale)
    await user.tap(t.pgettext("button", "Continue ▶"))
    asked = await user.last()
    assert "voice" in asked or "voice" in (await voice_note(user, welcome["message_id"]))


async def test_understood_is_counted_without_ids(client: SandboxClient, db: SessionFactory) -> None:
    user = await onboard(client, "uk")
    await user.send("/help")
    shown = await user.last()
    await user.tap(listen("uk"), shown["message_id"])
    note = await voice_note(user, shown["message_id"])
    t = translator("uk")
    await user.tap(t.pgettext("button", "👍 I understood"), note["message_id"])
    async with db() as session:
        row = await session.get(VoiceListen, ("help", "uk", datetime.now(ROME).date()))
    assert row is not None and (row.listens, row.understood, row.not_understood) == (1, 1, 0)
    after = next(m for m in await user.bot_messages() if m["message_id"] == note["message_id"])
    assert t.pgettext("button", "👍 I understood") not in user.labels(after)
    admin = await staff(client, db, role="admin")
    await admin.send("/stats")
    shown_stats = (await admin.last())["text"]
    assert "🔊 Voice notes by language" in shown_stats
    assert "uk: 🔊 1 · 👍 1 · 👎 0" in shown_stats and "help: 🔊 1 · 👍 1 · 👎 0" in shown_stats


async def test_arabic_is_read_with_its_vowels() -> None:
    from bot.voice.engine import Engine

    engine = Engine.shared("on")
    assert engine is not None
    phonemes = await engine.phonemes("مرحبا، اختر لغتك", "ar")
    assert sum(phonemes.count(v) for v in "aiu") >= 5, phonemes


async def test_a_case_status_message_can_be_heard(
    client: SandboxClient, db: SessionFactory
) -> None:
    chat, worker = await team(client, db, "youth")
    it, sq = translator("it"), translator("sq")
    user = await onboard(client, "sq")
    await user.send("Kam nevojë të flas me dikë")
    await user.tap(sq.pgettext("button", "💬 Send this to a youth worker"))
    sent = await user.last()
    reference = REFERENCE.search(sent["text"])
    assert reference is not None
    thread = await topic_of(client, chat, reference.group())
    await in_topic(client, chat, thread, 1)
    await worker.tap(it.pgettext("button", "🙋 I take it"), chat_id=chat)
    told = await new_from_bot(user, sent["message_id"])
    assert reference.group() in told["text"] and listen("sq") in user.labels(told)
    await user.tap(listen("sq"), told["message_id"])
    note = await voice_note(user, told["message_id"])
    assert note["voice"]["duration"] >= 2 and reference.group() in note["text"]


async def test_settings_turn_a_voice_note_with_every_screen_on_and_off(
    client: SandboxClient, db: SessionFactory
) -> None:
    ro = translator("ro")
    user = await onboard(client, "ro")
    await user.send("/settings")
    shown = await user.last()
    toggle = ro.pgettext("button", "🔊 Voice notes on/off")
    assert ro(VOICE).format(state=ro.pgettext("state", "off")) in shown["text"]
    await user.tap(toggle, shown["message_id"])
    assert ro(VOICE).format(state=ro.pgettext("state", "on")) in (await user.last())["text"]
    async with db() as session:
        saved = await session.get(User, user.id)
    assert saved is not None and saved.voice_always

    await user.send("/help")
    helped = next(m for m in reversed(await user.bot_messages()) if "voice" not in m)
    note = await voice_note(user, helped["message_id"])  # it comes by itself, no tap
    assert note["voice"]["duration"] >= 3

    await user.send("/settings")
    again = await user.last()
    await user.tap(toggle, again["message_id"])
    assert ro(VOICE).format(state=ro.pgettext("state", "off")) in (await user.last())["text"]
    before = len(await user.bot_messages())
    await user.send("/help")
    assert not [m for m in (await user.bot_messages())[before:] if "voice" in m]
