"""eSpeak NG, loaded once and driven from one worker thread (the library keeps global
state, so two syntheses at once would mix their voices). Speech is made off the event loop;
other users' taps never wait for it.

The library comes from the espeakng-loader wheel (libespeak-ng 1.52 with every language's
dictionary, no root and no network), else from the system's libespeak-ng. Audio comes back
as 16-bit mono samples at 22,050 Hz, is resampled to 24 kHz (a rate Opus takes) and written
as OGG/Opus, which Telegram plays as a voice note."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import io
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

log = logging.getLogger(__name__)

NORMAL_RATE = 140  # words a minute; eSpeak's own default, 175, is too fast for many
SLOW_RATE = 105
OPUS_RATE = 24_000
MAX_BYTES = 1024 * 1024  # a bigger voice note loses its waveform in Telegram
PAUSE = 0.35  # seconds of silence between two voices
# eSpeak NG's name of the voice for each of Porta's languages.
VOICES = {
    "it": "it", "en": "en", "ar": "ar", "uk": "uk", "fr": "fr",
    "bn": "bn", "ur": "ur", "sq": "sq", "ro": "ro",
}  # fmt: skip
_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns when the text is spoken
_UTF8 = 1  # espeakCHARS_UTF8
_RATE = 1  # espeakRATE
_IPA = 0x02  # espeak_TextToPhonemes: phonemes in IPA
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
T = TypeVar("T")


@dataclass(frozen=True)
class Clip:
    """A voice note: OGG/Opus bytes and how long it plays."""

    audio: bytes
    seconds: float


def _library(path: str) -> tuple[ctypes.CDLL, bytes | None] | None:
    """The eSpeak NG library and its data folder: the one at `path`, else the wheel's, else
    the system's."""
    if path:
        try:
            return ctypes.CDLL(path), None
        except OSError:
            return None
    try:
        import espeakng_loader

        data = espeakng_loader.get_data_path().encode()
        return ctypes.CDLL(espeakng_loader.get_library_path()), data
    except (ImportError, OSError, RuntimeError):
        pass
    name = ctypes.util.find_library("espeak-ng")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name), None
    except OSError:
        return None


class Engine:
    """Text to OGG/Opus in Porta's nine languages."""

    def __init__(self, library: ctypes.CDLL, data: bytes | None) -> None:
        self._lib = library
        self._data = data
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")
        self._samples: list[Any] = []
        self._callback = _CALLBACK(self._collect)  # kept: eSpeak holds a pointer to it
        self.sample_rate = 0
        self.version = "espeak-ng"
        self.diacritize: Callable[[str], str] | None = None  # set for Arabic by speech.py

    @classmethod
    def load(cls, path: str = "") -> Engine | None:
        """The engine, ready; None (and one line in the log) when no eSpeak NG loads."""
        found = _library(path)
        if found is None:
            log.warning("voice notes are off: no eSpeak NG library could be loaded")
            return None
        engine = cls(*found)
        try:
            engine._worker.submit(engine._start).result(timeout=30)
        except Exception as error:  # a broken install: Porta runs on without voice
            log.warning("voice notes are off: eSpeak NG did not start (%s)", type(error).__name__)
            engine._worker.shutdown(wait=False)
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

    def soon(self, function: Callable[[], object]) -> None:
        """Run `function` in the speech thread when it is free (loading what notes need)."""
        self._worker.submit(function)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function` in the speech thread, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, function, *args)

    async def clip(self, parts: Sequence[tuple[str, str]], rate: int = NORMAL_RATE) -> Clip:
        """One voice note of (language, text) parts, each read in its own voice."""
        return await self.run(self.make, parts, rate)

    async def phonemes(self, text: str, language: str) -> str:
        """eSpeak's own reading of `text`, in IPA (what the voice will say)."""
        return await self.run(self._phonemes, text, language)

    # -- in the speech thread ------------------------------------------------------------

    def _start(self) -> None:
        lib = self._lib
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int,
        ]  # fmt: skip
        rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, self._data, 0)
        if rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self.sample_rate = rate
        version = lib.espeak_Info(None)
        self.version = f"espeak-ng {version.decode()}" if version else "espeak-ng"
        lib.espeak_SetSynthCallback(self._callback)
        for voice in VOICES.values():
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise RuntimeError(f"no eSpeak voice {voice}")

    def _collect(self, samples: Any, count: int, events: Any) -> int:
        if samples and count > 0:
            import numpy

            self._samples.append(numpy.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def _speak(self, text: str, language: str, rate: int) -> Any:
        import numpy

        lib = self._lib
        lib.espeak_SetVoiceByName(VOICES.get(language, "en").encode())
        lib.espeak_SetParameter(_RATE, rate, 0)
        encoded = text.encode()
        self._samples = []
        lib.espeak_Synth(encoded, len(encoded) + 1, 0, 1, 0, _UTF8, None, None)
        if not self._samples:
            return numpy.zeros(0, dtype=numpy.int16)
        return numpy.concatenate(self._samples)

    def make(self, parts: Sequence[tuple[str, str]], rate: int = NORMAL_RATE) -> Clip:
        import numpy
        import soundfile

        pieces = []
        gap = numpy.zeros(int(self.sample_rate * PAUSE), dtype=numpy.int16)
        for index, (language, text) in enumerate(parts):
            if language == "ar" and self.diacritize is not None:
                text = self.diacritize(text)
            if index:
                pieces.append(gap)
            pieces.append(self._speak(text, language, rate))
        samples = numpy.concatenate(pieces) if pieces else gap
        count = max(1, int(len(samples) * OPUS_RATE / self.sample_rate))
        resampled = numpy.interp(
            numpy.linspace(0, len(samples) - 1, count),
            numpy.arange(len(samples)),
            samples.astype(numpy.float32) / 32768.0,
        )
        buffer = io.BytesIO()
        soundfile.write(buffer, resampled, OPUS_RATE, format="OGG", subtype="OPUS")
        if buffer.tell() > MAX_BYTES:  # a long page: a lower bitrate keeps the waveform
            buffer = io.BytesIO()
            soundfile.write(
                buffer, resampled, OPUS_RATE, format="OGG", subtype="OPUS", compression_level=1.0
            )
        return Clip(buffer.getvalue(), len(samples) / self.sample_rate)

    def _phonemes(self, text: str, language: str) -> str:
        if language == "ar" and self.diacritize is not None:
            text = self.diacritize(text)
        self._lib.espeak_SetVoiceByName(VOICES.get(language, "en").encode())
        source = ctypes.c_char_p(text.encode())
        pointer = ctypes.c_void_p(ctypes.cast(source, ctypes.c_void_p).value)
        clauses = []
        while pointer.value:
            clause = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), _UTF8, _IPA)
            clauses.append(clause.decode() if clause else "")
        return " ".join(clauses)
