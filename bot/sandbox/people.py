"""The user side of the emulator: people who write, tap, share and block, and what they see,
in their private chat with the bot and in groups (with forum topics)."""

from __future__ import annotations

import copy
import io
import itertools
import mimetypes
import secrets
import time
import wave
from typing import Any

from bot.sandbox.emulator import (
    CALLBACK_DEADLINE,
    ApiError,
    CallbackQuery,
    Chat,
    Record,
    SandboxError,
)
from bot.sandbox.groups import GroupsApi
from bot.sandbox.spec import Upload

__all__ = ["Emulator", "SandboxError"]


class Emulator(GroupsApi):
    """The whole emulator: the Bot API (ForumApi and its bases) plus the people using it.

    Scripted people act at machine speed, but a person needs about a second to read and
    tap; each action moves the rate limits' clock on by `think_time` seconds so that the
    bot's answers are paced against human taps, not against a script.
    """

    think_time = 1.0
    user_ids = itertools.count(10_001)

    # -- people -----------------------------------------------------------------------------

    def add_user(
        self, first_name: str = "Sam", language_code: str | None = "en", user_id: int | None = None
    ) -> dict[str, Any]:
        user_id = user_id or next(self.user_ids)
        while user_id in self.users:
            user_id = next(self.user_ids)
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        self.chats[user_id] = Chat(id=user_id, type="private", user_id=user_id)
        return user

    def chat_of(self, user_id: int, chat_id: int | None) -> Chat:
        """The chat `user_id` acts in: their chat with the bot, or a group."""
        self.person(user_id)
        chat = self.chats.get(chat_id if chat_id is not None else user_id)
        if chat is None or (chat.type == "private" and chat.user_id != user_id):
            raise SandboxError(f"no chat {chat_id}")
        return chat

    def member_chat(self, user_id: int, chat_id: int | None) -> Chat:
        """chat_of, for acting: in a group the person must be a member."""
        chat = self.chat_of(user_id, chat_id)
        if chat.type != "private" and not chat.is_member(user_id):
            raise SandboxError(f"user {user_id} is not a member of {chat.title}")
        return chat

    # -- what people do ---------------------------------------------------------------------

    def send(
        self,
        user_id: int,
        kind: str = "text",
        value: Any = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
        upload: Upload | None = None,
    ) -> int:
        """A user sends a message (text, command, photo, sticker, location, voice, document),
        to the bot or in a group they are a member of (in topic `thread_id` of a forum); the
        file's bytes are `upload`, or a placeholder."""
        chat = self.member_chat(user_id, chat_id)
        try:
            thread = chat.thread_fields(thread_id, user_id)
        except ApiError as error:
            raise SandboxError(error.description) from None
        if user_id in self.blocked and chat.type == "private":
            self.set_blocked(user_id, False)  # writing to a bot unblocks it
        fields = {**message_fields(kind, value), **thread}
        for media in ("photo", "document", "voice", "sticker"):
            if media in fields:  # the bot may send the same file on by its file_id
                item = fields[media][-1] if media == "photo" else fields[media]
                self.files[item["file_id"]] = upload or Upload(
                    f"{media}.bin", b"\x00" * 64, "image/jpeg"
                )
                if upload is not None and media in ("document", "voice"):
                    item["mime_type"] = upload.content_type
                    item["file_size"] = len(upload.content)
                if upload is not None and media == "voice":
                    item["duration"] = max(1, round(seconds_of(upload.content)))
                if media == "voice":
                    self.voices_sent[item["file_id"]] = item["duration"]
        record = self.new_record(chat, self.person(user_id), fields, "user")
        return self.push_update("message", record.message)

    def edit(self, user_id: int, message_id: int, text: str) -> int:
        """A user edits one of their own text messages."""
        chat = self.chat_of(user_id, None)
        record = chat.records.get(message_id)
        if record is None or record.sender != "user" or "text" not in record.message:
            raise SandboxError("users can only edit their own text messages")
        record.message.update(message_fields("text", text))
        record.message["edit_date"] = int(time.time())
        return self.push_update("edited_message", dict(record.message))

    def tap(
        self,
        user_id: int,
        label: str,
        message_id: int | None = None,
        chat_id: int | None = None,
    ) -> tuple[int, str]:
        """Tap an inline button by its label (on `message_id`, else the newest message that
        has it) or, failing that, a reply-keyboard button, which sends its text."""
        chat = self.member_chat(user_id, chat_id)
        for record in self.inline_candidates(chat, message_id):
            for row in record.reply_markup["inline_keyboard"] if record.reply_markup else []:
                for button in row:
                    if button["text"] == label and "callback_data" in button:
                        return self.press(user_id, chat, record, button["callback_data"])
        if message_id is None and label in self.reply_labels(user_id, chat.id):
            return self.send(user_id, "text", label, chat.id), ""
        shown = self.visible_labels(user_id, chat.id)
        raise SandboxError(f"no button {label!r} on screen; shown: {shown}")

    def tap_data(
        self, user_id: int, message_id: int, data: str, chat_id: int | None = None
    ) -> tuple[int, str]:
        """Send any callback data from a message, as a forged or stale client would."""
        chat = self.member_chat(user_id, chat_id)
        record = chat.records.get(message_id)
        if record is None:
            raise SandboxError(f"no message {message_id}")
        return self.press(user_id, chat, record, data)

    def press(self, user_id: int, chat: Chat, record: Record, data: str) -> tuple[int, str]:
        query_id = secrets.token_hex(8)
        self.callback_queries[query_id] = CallbackQuery(user_id, chat.id, record.id, data)
        payload = {
            "id": query_id,
            "from": self.person(user_id),
            "chat_instance": str(chat.id),
            "message": copy.deepcopy(record.message),  # as it is now, not as it will be
            "data": data,
        }
        return self.push_update("callback_query", payload), query_id

    def set_blocked(self, user_id: int, blocked: bool) -> int:
        """The user blocks (or unblocks) the bot; Telegram tells the bot with my_chat_member."""
        self.person(user_id)
        (self.blocked.add if blocked else self.blocked.discard)(user_id)
        chat = self.chats[user_id]
        member, kicked = (
            {"user": self.bot_user, "status": "member"},
            {"user": self.bot_user, "status": "kicked", "until_date": 0},
        )
        old, new = (member, kicked) if blocked else (kicked, member)
        return self.push_update(
            "my_chat_member",
            {
                "chat": chat.as_json(self.users),
                "from": self.person(user_id),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    # -- what people see --------------------------------------------------------------------

    def inline_candidates(self, chat: Chat, message_id: int | None) -> list[Record]:
        if message_id is not None:
            record = chat.records.get(message_id)
            return [record] if record and not record.deleted else []
        return [r for r in reversed(chat.records.values()) if r.reply_markup and not r.deleted]

    def reply_labels(self, user_id: int, chat_id: int | None = None) -> list[str]:
        keyboard = self.chat_of(user_id, chat_id).reply_keyboard
        return [b["text"] for row in keyboard["keyboard"] for b in row] if keyboard else []

    def visible_labels(self, user_id: int, chat_id: int | None = None) -> list[str]:
        chat = self.chat_of(user_id, chat_id)
        inline = [
            b["text"]
            for r in self.inline_candidates(chat, None)
            for row in r.reply_markup["inline_keyboard"]  # type: ignore[index]
            for b in row
        ]
        return inline + self.reply_labels(user_id, chat_id)

    def transcript(self, user_id: int, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The chat as the user's app shows it, oldest first, deleted messages left out."""
        chat = self.chat_of(user_id, chat_id)
        group = chat.type != "private"
        return [view(r, group=group) for r in chat.records.values() if not r.deleted]

    def topic_messages(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        """One topic's messages as its members see them, oldest first, starting with the
        forum_topic_created service message."""
        chat = self.group(chat_id)
        if thread_id not in chat.topics:
            raise SandboxError(f"no topic {thread_id} in {chat.title}")
        return [
            view(r, group=True)
            for r in chat.records.values()
            if r.message.get("message_thread_id") == thread_id and not r.deleted
        ]

    def toasts(self, user_id: int) -> list[dict[str, Any]]:
        return [
            {
                "text": q.text,
                "show_alert": q.show_alert,
                "answered": q.answered,
                "data": q.data,
                "after": None if q.answered_at is None else round(q.answered_at - q.asked_at, 3),
            }
            for q in self.callback_queries.values()
            if q.user_id == user_id
        ]

    def unanswered_queries(self) -> list[str]:
        return [qid for qid, q in self.callback_queries.items() if not q.answered]

    def expired_queries(self) -> list[str]:
        """Queries answered too late (after Telegram's 10 s), or never and past it now."""
        now = time.monotonic()
        return [
            qid
            for qid, q in self.callback_queries.items()
            if q.expired or (not q.answered and now - q.asked_at > CALLBACK_DEADLINE)
        ]


def view(record: Record, group: bool = False) -> dict[str, Any]:
    """A message as the app shows it; in a group also who sent it ("bot" or the person's
    first name, and user_id), its topic and, for a service message, its kind."""
    message = record.message
    shown: dict[str, Any] = {
        "message_id": record.id,
        "from": record.sender,
        "text": message.get("text") or message.get("caption") or "",
        "html": record.html,
        "buttons": [
            [{k: v for k, v in b.items() if k in ("text", "callback_data", "url")} for b in row]
            for row in (record.reply_markup or {}).get("inline_keyboard", [])
        ],
        "edited": "edit_date" in message,
        "date": message["date"],
    }
    for kind in ("document", "venue", "location", "photo", "sticker", "voice"):
        if kind in message:
            shown[kind] = message[kind]
    if group:
        sender = message.get("from", {})
        shown["from"] = "bot" if record.sender == "bot" else sender.get("first_name", sender["id"])
        shown["user_id"] = None if record.sender == "bot" else sender["id"]
        shown["message_thread_id"] = message.get("message_thread_id")
        shown["service"] = record.service
        if record.service:
            shown[record.service] = message[record.service]
    return shown


def seconds_of(sound: bytes) -> float:
    """How long a WAV recording plays (0 when it is not one)."""
    try:
        with wave.open(io.BytesIO(sound)) as recording:
            return float(recording.getnframes()) / float(recording.getframerate())
    except (wave.Error, EOFError):
        return 0.0


def message_fields(kind: str, value: Any) -> dict[str, Any]:
    """The fields Telegram puts in a user's message of this kind."""
    if kind == "text":
        text = str(value)
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return fields
    file_id = secrets.token_hex(6)
    base = {"file_id": file_id, "file_unique_id": file_id}
    if kind == "photo":
        photo: dict[str, Any] = {
            "photo": [{**base, "width": 640, "height": 480, "file_size": 40_000}]
        }
        if value:
            photo["caption"] = str(value)
        return photo
    if kind == "sticker":
        return {
            "sticker": {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        }
    if kind == "voice":  # `value` may give the note's duration and file_size
        voice = {**base, "duration": 3, "mime_type": "audio/ogg"}
        if isinstance(value, dict):
            voice.update({k: int(value[k]) for k in ("duration", "file_size") if k in value})
        return {"voice": voice}
    if kind == "document":
        name = str(value or "file.pdf")
        kind_of = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return {"document": {**base, "file_name": name, "mime_type": kind_of}}
    if kind == "location":
        latitude, longitude = value or (43.8429, 10.5027)
        return {"location": {"latitude": latitude, "longitude": longitude}}
    if kind == "contact":
        return {"contact": {"phone_number": "+390000000", "first_name": "Sam"}}
    raise SandboxError(f"unknown message kind {kind!r}")
