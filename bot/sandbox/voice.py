"""sendVoice and chat actions as Telegram takes them: a voice note is an OGG file with an
Opus stream in one channel, at most 50 MB; it comes back as a Voice with its duration, and its
file_id can be sent again by the same bot only as a voice note."""

from __future__ import annotations

import struct
from typing import Any

from bot.sandbox.emulator import bad
from bot.sandbox.messaging import MessagingApi
from bot.sandbox.spec import Upload

MAX_VOICE_BYTES = 50 * 1024 * 1024
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
OPUS_RATE = 48_000  # Opus granule positions count 48 kHz samples, whatever the input rate


def opus_problem(content: bytes) -> str | None:
    """Why `content` is not a one-channel Ogg Opus file, or None."""
    if len(content) > MAX_VOICE_BYTES:
        return "file is too big"
    if len(content) < 28 + 19 or content[:4] != b"OggS":
        return "wrong file type: a voice note must be OGG"
    start = 27 + content[26]  # the first page's header, then its segment table
    head = content[start : start + 19]
    if head[:8] != b"OpusHead":
        return "wrong file type: the OGG file must hold an Opus stream"
    if head[9] != 1:
        return "wrong file type: a voice note has one channel"
    return None


def seconds_of(content: bytes) -> int:
    """Seconds, from the granule position of the last Ogg page (minus the pre-skip)."""
    last = content.rfind(b"OggS")
    granule = struct.unpack_from("<q", content, last + 6)[0] if last >= 0 else 0
    start = 27 + content[26]
    pre_skip = struct.unpack_from("<H", content, start + 10)[0]
    return max(0, round((int(granule) - int(pre_skip)) / OPUS_RATE))


class VoiceApi(MessagingApi):
    async def _sendVoice(
        self,
        chat_id: int | str,
        voice: Upload | str,
        caption: str | None = None,
        parse_mode: str | None = None,
        duration: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        heard = self.voices_sent.get(voice) if isinstance(voice, str) else None
        if heard is not None:  # a person's voice note, sent on: Telegram has it as a voice
            upload = self.files[str(voice)]
        elif isinstance(voice, str):
            if not voice.startswith("voice-") or voice not in self.files:
                raise bad("wrong file identifier/HTTP URL specified")
            upload = self.files[voice]
        else:
            upload = voice
        if heard is None and (problem := opus_problem(upload.content)):
            raise bad(problem)
        stored = self.store_upload(upload, "voice")
        if heard is not None:
            self.voices_sent[stored["file_id"]] = heard
        seconds = duration if duration is not None else heard or seconds_of(upload.content)
        fields: dict[str, Any] = {
            "voice": {
                "file_id": stored["file_id"],
                "file_unique_id": stored["file_unique_id"],
                "duration": seconds,
                "mime_type": "audio/ogg",
                "file_size": stored["file_size"],
            }
        }
        if caption:
            fields["caption"] = self.rendered_text(caption, parse_mode, caption=True)
        record = self.bot_message(chat, fields, reply_markup, reply_parameters, message_thread_id)
        record.upload = upload
        return record.message

    async def _sendChatAction(
        self, chat_id: int | str, action: str, message_thread_id: int | None = None, **_: Any
    ) -> bool:
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return await super()._sendChatAction(chat_id, action, message_thread_id)
