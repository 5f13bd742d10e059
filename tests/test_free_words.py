"""Nothing a young person sends is ignored: in each of the nine languages an emergency sentence
typed in the chat brings the emergency screen (with 112), another sentence and a voice note
each reach a youth worker's topic in one tap; words that name an activity find it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.session import SessionFactory
from bot.i18n import SUPPORTED_LOCALES
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from handlers.free_words import EMERGENCY_TOO, FOUND, MEDIA, NOTHING
from tests.casework import eventually, in_topic, team
from tests.factories import activity, hub
from tests.flows import onboard, translator

EMERGENCY = {
    "it": "Stanotte dormo per strada", "en": "I have to sleep outside tonight",
    "ar": "أحتاج مكانا للنوم الليلة", "uk": "Сьогодні я сплю на вулиці",
    "fr": "Ce soir je dors dans la rue", "bn": "আজ রাতে আমি রাস্তায় ঘুমাই",
    "ur": "آج رات میں سڑک پر سوتا ہوں", "sq": "Sonte fle në rrugë", "ro": "Diseară dorm pe stradă",
}  # fmt: skip
OTHER = {
    "it": "Ho una domanda sulla scuola", "en": "I have a question about school",
    "ar": "عندي سؤال عن المدرسة", "uk": "У мене питання про школу",
    "fr": "J'ai une question sur l'école", "bn": "স্কুল নিয়ে আমার একটা প্রশ্ন আছে",
    "ur": "میرا اسکول کے بارے میں ایک سوال ہے", "sq": "Kam një pyetje për shkollën",
    "ro": "Am o întrebare despre școală",
}  # fmt: skip


async def voice_in_topic(client: SandboxClient, group: int) -> bool:
    """Whether a voice note has reached one of the group's topics."""
    for topic in await client.topics(group):
        shown = await in_topic(client, group, topic["message_thread_id"], 1)
        if any("voice" in m for m in shown):
            return True
    return False


def plain(text: str) -> str:
    return text.replace("\u200f", "")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_in_every_language_typed_words_and_a_voice_note_reach_help(
    client: SandboxClient, db: SessionFactory, emulator: Emulator, locale: str
) -> None:
    await hub(db)
    youth, _ = await team(client, db, "youth")
    t = translator(locale)
    user = await onboard(client, locale)
    send_on = t.pgettext("button", "💬 Send this to a youth worker")
    if locale != "en":
        assert send_on != "💬 Send this to a youth worker" and t(NOTHING) != NOTHING

    before = len(await user.bot_messages())
    await user.send(EMERGENCY[locale])
    emergency, offer = (await user.bot_messages())[before:]
    assert "112" in emergency["text"]  # the emergency screen comes first
    assert plain(offer["text"]) == plain(t(EMERGENCY_TOO)) and send_on in user.labels(offer)

    await user.send(OTHER[locale])
    reply = await user.last()
    assert plain(reply["text"]) == plain(t(NOTHING)) and send_on in user.labels(reply)
    await user.tap(send_on)

    async def copied() -> list[str] | None:
        for topic in await client.topics(youth):
            shown = await in_topic(client, youth, topic["message_thread_id"], 1)
            texts = [m.get("text", "") for m in shown]
            if OTHER[locale] in texts:
                return texts
        return None

    await eventually(copied)
    await user.send_kind("voice")  # a conversation is open now: it goes straight to the team

    await eventually(lambda: voice_in_topic(client, youth))
    assert emulator.unanswered_queries() == []


async def test_a_voice_note_with_no_conversation_reaches_the_team_in_one_tap(
    client: SandboxClient, db: SessionFactory
) -> None:
    youth, _ = await team(client, db, "youth")
    ar = translator("ar")
    user = await onboard(client, "ar")
    await user.send_kind("voice")
    reply = await user.last()
    assert plain(reply["text"]) == plain(ar(MEDIA))
    await user.tap(ar.pgettext("button", "💬 Send this to a youth worker"))
    assert "P-" in (await user.last())["text"]

    await eventually(lambda: voice_in_topic(client, youth))


async def test_words_that_name_an_activity_find_it(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    await activity(db, place.id, titles={"it": "Calcetto del venerdì"},
                   starts=datetime.now(UTC) + timedelta(days=2))  # fmt: skip
    it = translator("it")
    user = await onboard(client, "it")
    await user.send("Vorrei giocare a calcetto con altri ragazzi")
    reply = await user.last()
    assert reply["text"] == it(FOUND)
    assert any("Calcetto del venerdì" in label for label in user.labels(reply))


async def test_a_stranger_and_a_child_waiting_for_consent_still_get_help(
    client: SandboxClient, db: SessionFactory
) -> None:
    stranger = await client.add_user("Nadia", "ar")
    await stranger.send(EMERGENCY["ar"])
    assert any("112" in m["text"] for m in await stranger.bot_messages())
    place = await hub(db)
    await activity(db, place.id, titles={"en": "Football"}, starts=datetime.now(UTC) + timedelta(days=2))  # fmt: skip
    child = await onboard(client, "en", age="u14")
    await child.send("football please")
    reply = await child.last()
    assert reply["text"] == translator("en")(NOTHING)  # no activity offered before consent
    assert "💬 Send this to a youth worker" in child.labels(reply)
