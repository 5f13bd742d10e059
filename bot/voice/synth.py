"""What runs in the speech process: eSpeak NG (through ctypes) turns text into samples, and
libopus (through PyAV) writes them as OGG/Opus, which Telegram plays as a voice note.

The library keeps global state, so one process makes one note at a time. It comes from the
espeakng-loader wheel (libespeak-ng 1.52 with every language's dictionary, no root and no
network), else from the system's libespeak-ng. Audio comes back as 16-bit mono samples
(22,050 Hz) and is resampled to 24 kHz, a rate Opus takes."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.voice import arabic

OPUS_RATE = 24_000
BITRATE = 24_000  # bits a second: clear speech, about 3 kB a second of voice note
LOWEST_BITRATE = 8_000
MAX_BYTES = 1024 * 1024  # a bigger voice note loses its waveform in Telegram
PAUSE = 0.35  # seconds of silence between two voices
NICER = 10  # the speech process's lower claim on the processor than Porta's own
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


@dataclass(frozen=True)
class Clip:
    """A voice note: OGG/Opus bytes and how long it plays."""

    audio: bytes
    seconds: float


def library(path: str) -> tuple[ctypes.CDLL, bytes | None] | None:
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


class Voice:
    """eSpeak NG, started, with every language's voice checked."""

    def __init__(self, lib: ctypes.CDLL, data: bytes | None) -> None:
        self.lib = lib
        self.samples: list[Any] = []
        self.callback = _CALLBACK(self.collect)  # kept: eSpeak holds a pointer to it
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int,
        ]  # fmt: skip
        self.sample_rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, data, 0)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        version = lib.espeak_Info(None)
        self.version = f"espeak-ng {version.decode()}" if version else "espeak-ng"
        lib.espeak_SetSynthCallback(self.callback)
        for voice in VOICES.values():
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise RuntimeError(f"no eSpeak voice {voice}")

    def collect(self, samples: Any, count: int, events: Any) -> int:
        if samples and count > 0:
            import numpy

            self.samples.append(numpy.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def ready(self, text: str, language: str) -> str:
        """Take the language's voice; the text as eSpeak must get it (Arabic vowelled)."""
        self.lib.espeak_SetVoiceByName(VOICES.get(language, "en").encode())
        return arabic.diacritize(text) if language == "ar" else text

    def speak(self, text: str, language: str, rate: int) -> Any:
        import numpy

        encoded = self.ready(text, language).encode()
        self.lib.espeak_SetParameter(_RATE, rate, 0)
        self.samples = []
        self.lib.espeak_Synth(encoded, len(encoded) + 1, 0, 1, 0, _UTF8, None, None)
        if not self.samples:
            return numpy.zeros(0, dtype=numpy.int16)
        return numpy.concatenate(self.samples)

    def phonemes(self, text: str, language: str) -> str:
        source = ctypes.c_char_p(self.ready(text, language).encode())
        pointer = ctypes.c_void_p(ctypes.cast(source, ctypes.c_void_p).value)
        clauses = []
        while pointer.value:
            clause = self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), _UTF8, _IPA)
            clauses.append(clause.decode() if clause else "")
        return " ".join(clauses)


def encode(samples: Any, sample_rate: int) -> bytes:
    """16-bit mono samples as OGG/Opus at most MAX_BYTES long (a long page gets a lower
    bitrate, so that its note keeps the waveform)."""
    import av

    seconds = max(len(samples) / sample_rate, 0.1)
    bitrate = max(LOWEST_BITRATE, min(BITRATE, int(MAX_BYTES * 8 * 0.9 / seconds)))
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as container:
        options = {"application": "voip", "frame_duration": "60"}
        stream = container.add_stream("libopus", rate=OPUS_RATE, options=options)
        stream.layout = "mono"
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = sample_rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


# -- the process's one voice, and what the Engine asks of it ------------------------------

_voice: Voice | None = None
_why = "the speech process has not started"


def start(path: str) -> None:
    """Start eSpeak NG in this process (the speech process's first step). A failure is kept
    and told by every later call, rather than ending the process."""
    global _voice, _why
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    with contextlib.suppress(OSError, AttributeError):  # where the system allows it
        os.nice(NICER)  # a note can wait; on a busy machine people's taps go first
    found = library(path)
    if found is None:
        _why = "no eSpeak NG library could be loaded"
        return
    try:
        _voice = Voice(*found)
    except (RuntimeError, OSError, AttributeError) as error:
        _why = f"eSpeak NG did not start: {error}"


def _end_with(parent: int) -> None:
    """End this process when Porta's is gone, even killed (an orphan would never end)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _started() -> Voice:
    if _voice is None:
        raise RuntimeError(_why)
    return _voice


def info() -> tuple[str, int]:
    """The engine's name and version, and its sample rate."""
    voice = _started()
    return voice.version, voice.sample_rate


def make(parts: Sequence[tuple[str, str]], rate: int) -> Clip:
    """One voice note of (language, text) parts, each read in its own voice."""
    import numpy

    voice = _started()
    pieces = []
    gap = numpy.zeros(int(voice.sample_rate * PAUSE), dtype=numpy.int16)
    for index, (language, text) in enumerate(parts):
        if index:
            pieces.append(gap)
        pieces.append(voice.speak(text, language, rate))
    samples = numpy.ascontiguousarray(numpy.concatenate(pieces) if pieces else gap)
    return Clip(encode(samples, voice.sample_rate), len(samples) / voice.sample_rate)


def phonemes(text: str, language: str) -> str:
    """eSpeak's own reading of `text`, in IPA (what the voice will say)."""
    return _started().phonemes(text, language)
