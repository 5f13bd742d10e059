"""Where no speech engine loads, Porta runs on without voice: no 🔊 on any screen, and the
start-up log says why in one line."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.sandbox.client import SandboxClient
from tests.flows import onboard, translator


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"voice": "/nowhere/libespeak-ng.so.1"})


async def test_without_a_speech_engine_no_screen_offers_to_listen(client: SandboxClient) -> None:
    # The engine was loaded (and failed) as Porta started, before this test's first line.
    user = await onboard(client, "ar")
    await user.send("/help")
    shown = await user.last()
    t = translator("ar")
    assert shown["text"] and t.pgettext("button", "🔊 Listen") not in user.labels(shown)
    newcomer = await client.add_user("Sam", "fr")
    await newcomer.send("/start")
    assert "🔊 🌐" not in newcomer.labels(await newcomer.last())


def test_the_log_says_in_one_line_why_voice_is_off(caplog: pytest.LogCaptureFixture) -> None:
    from bot.voice.engine import Engine

    with caplog.at_level(logging.WARNING, logger="bot.voice.engine"):
        assert Engine.load("/nowhere/libespeak-ng.so.2") is None
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.voice.engine"]
    assert line == "voice notes are off: no eSpeak NG library could be loaded"
