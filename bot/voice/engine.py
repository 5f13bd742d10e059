"""The speech engine as Porta's event loop sees it: eSpeak NG and the Opus encoder work in a
process of their own (bot.voice.synth), so a note being made never holds the interpreter
while other people's taps are handled, and a crash in the C libraries costs one note, not
Porta. A speech process that dies is started again for the next note."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from typing import Any, TypeVar

from bot.voice import arabic, synth
from bot.voice.synth import Clip

log = logging.getLogger(__name__)

NORMAL_RATE = 140  # words a minute; eSpeak's own default, 175, is too fast for many
SLOW_RATE = 105
START_WITHIN = 60  # seconds the speech process may take to start
T = TypeVar("T")

__all__ = ["NORMAL_RATE", "SLOW_RATE", "Clip", "Engine"]


class Engine:
    """Text to OGG/Opus in Porta's nine languages, one note at a time, off the event loop."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.version = "espeak-ng"
        self.sample_rate = 0
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=synth.start,
            initargs=(self.path,),
        )
        pool.submit(arabic.prepare)  # the diacritizer's dictionaries, before the first note
        return pool

    @classmethod
    def load(cls, path: str = "") -> Engine | None:
        """The engine, ready; None (and one line in the log) when no eSpeak NG starts."""
        engine = cls(path)
        try:
            engine.version, engine.sample_rate = engine._pool.submit(synth.info).result(
                timeout=START_WITHIN
            )
        except Exception as error:  # no library, or a broken install: Porta runs without
            log.warning("voice notes are off: %s", error)
            engine._pool.shutdown(wait=False, cancel_futures=True)
            return None
        log.debug("voice notes on: %s, %d Hz", engine.version, engine.sample_rate)
        return engine

    @staticmethod
    @cache
    def shared(setting: str) -> Engine | None:
        """The process's one engine for the PORTA_VOICE setting ("on", "off" or a path)."""
        if setting.lower() == "off":
            log.debug("voice notes are off (PORTA_VOICE=off)")
            return None
        return Engine.load("" if setting.lower() == "on" else setting)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function` in the speech process; once more in a new one if it died."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, function, *args)
        except BrokenProcessPool:
            log.warning("the speech process stopped: starting a new one")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()
            return await loop.run_in_executor(self._pool, function, *args)

    async def clip(self, parts: Sequence[tuple[str, str]], rate: int = NORMAL_RATE) -> Clip:
        """One voice note of (language, text) parts, each read in its own voice."""
        return await self.run(synth.make, parts, rate)

    async def phonemes(self, text: str, language: str) -> str:
        """eSpeak's own reading of `text`, in IPA (what the voice will say)."""
        return await self.run(synth.phonemes, text, language)
