"""The Bot API side of the emulator: every method Porta calls, as strict as Telegram."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.limits import Limits
from bot.sandbox.markup import EntityError, parse_html, utf16_length
from bot.sandbox.spec import METHODS, ParameterError, Upload, check_call, unknown_parameters

SEND_METHODS = {"sendMessage", "sendDocument", "sendVenue", "sendPhoto", "sendLocation"}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CALLBACK_DEADLINE = 10.0  # seconds Telegram waits for a callback query's answer


class SandboxError(Exception):
    """A user action that a real Telegram app would not allow (no such button, ...)."""


class DropConnection(Exception):
    """A fault to inject: the connection breaks before Telegram answers."""


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _chat_key(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Call:
    """One Bot API call as the emulator saw it."""

    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None
    at: float
    ignored: list[str] = field(default_factory=list)


@dataclass
class Record:
    """A message in a chat, from the bot or from a user, with what the user's app shows."""

    message: dict[str, Any]
    sender: str  # "bot" or "user"
    html: str | None = None
    reply_markup: dict[str, Any] | None = None
    upload: Upload | None = None
    deleted: bool = False
    edits: int = 0
    service: str | None = None  # "forum_topic_created", ... for a service message

    @property
    def id(self) -> int:
        return int(self.message["message_id"])

    def quoted(self) -> dict[str, Any]:
        """The message as another message's reply_to_message shows it (not nested further)."""
        return {k: v for k, v in self.message.items() if k != "reply_to_message"}


@dataclass
class Topic:
    """A forum topic; its thread id is the id of the service message that created it."""

    message_thread_id: int
    name: str
    icon_color: int
    creator_id: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    def as_json(self) -> dict[str, Any]:
        """The ForumTopic object."""
        topic: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class Chat:
    """A person's private chat with the bot, or a supergroup (with topics when is_forum)."""

    id: int
    type: str
    title: str | None = None
    user_id: int | None = None
    records: dict[int, Record] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None
    is_forum: bool = False
    topics: dict[int, Topic] = field(default_factory=dict)
    # user_id -> ChatMember JSON (the bot's own entry too); empty for private chats.
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    typing_until: float = 0.0  # monotonic time a sendChatAction stops showing

    def as_json(self, users: dict[int, dict[str, Any]]) -> dict[str, Any]:
        if self.type == "private" and self.user_id is not None:
            user = users[self.user_id]
            return {"id": self.id, "type": "private", "first_name": user["first_name"]}
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title or "Group"}
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def status(self, user_id: int) -> str:
        """The member's status in this group: creator, administrator, member, left, kicked."""
        return str(self.members.get(user_id, {}).get("status", "left"))

    def is_member(self, user_id: int) -> bool:
        return self.status(user_id) in ("creator", "administrator", "member")

    def manages_topics(self, user_id: int) -> bool:
        """The creator, or an administrator with the can_manage_topics right."""
        member = self.members.get(user_id, {})
        return member.get("status") == "creator" or (
            member.get("status") == "administrator" and bool(member.get("can_manage_topics"))
        )

    def thread_fields(self, thread_id: int | None, user_id: int) -> dict[str, Any]:
        """The fields of a message that `user_id` sends into topic `thread_id` (none for the
        General topic or a chat without topics); ApiError when Telegram would refuse it."""
        if thread_id is None:
            return {}
        topic = self.topics.get(thread_id) if self.is_forum else None
        if topic is None:
            raise bad("message thread not found")
        if topic.closed and not self.manages_topics(user_id):
            raise bad("TOPIC_CLOSED")
        return {
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "reply_to_message": self.records[thread_id].quoted(),
        }


@dataclass
class CallbackQuery:
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    asked_at: float = field(default_factory=time.monotonic)
    expired: bool = False
    answered_at: float | None = None


class BotApi:
    """State shared by the bot side and the user side, and the Bot API methods."""

    think_time = 0.0

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "porta_sandbox_bot",
        limits: Limits | None = None,
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Porta",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.limits = limits or Limits()
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []
        self.update_ids = itertools.count(1)
        self.delivered_up_to = 0  # the highest update_id handed to the bot
        self.confirmed_up_to = 0  # the highest update_id the bot confirmed with offset
        self.update_event = asyncio.Event()
        self.poll_generation = 0
        self.calls: list[Call] = []
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.webhook_url = ""
        self.files: dict[str, Upload] = {}
        self.file_ids = itertools.count(1)
        # Telegram's file_unique_id: the same for every file_id of one file.
        self.unique_ids: dict[int, str] = {}
        # Voice notes people sent, by file_id, with their duration: the bot may send them on.
        self.voices_sent: dict[str, int] = {}
        # Faults to inject, per method, served in order: an ApiError or DropConnection.
        self.faults: dict[str, list[Exception]] = {}
        # An outage of the whole Bot API: None, "refuse" (connections refused or dropped) or
        # "502" (a proxy in front of it answers 502 Bad Gateway, in HTML).
        self.outage: str | None = None
        # Told of every successful call, as it happens (for benchmarks).
        self.watch: Callable[[Call], None] | None = None
        # Chats whose Bot API calls answer only after this many seconds.
        self.slow_chats: dict[int, float] = {}
        # A count of changes anyone could see, and the events of those watching for one
        # (the web sandbox's live page).
        self.version = 0
        self.listeners: set[asyncio.Event] = set()

    def changed(self) -> None:
        """Something a person could see has changed: wake whoever watches."""
        self.version += 1
        for listener in self.listeners:
            listener.set()

    def reset(self) -> None:
        """Forget every person, chat, update, call and file, as at start; whoever watches
        for changes keeps watching."""
        listeners, version = self.listeners, self.version
        BotApi.__init__(self, self.token, str(self.bot_user["username"]), self.limits)
        self.listeners, self.version = listeners, version
        self.changed()

    def inject(self, method: str, *faults: Exception) -> None:
        """Make the next calls of `method` fail (429, 400, 500 or a dropped connection)."""
        self.faults.setdefault(method, []).extend(faults)

    # -- dispatch ---------------------------------------------------------------------------

    async def call(
        self, token: str, method: str, params: dict[str, Any], *, form: bool
    ) -> dict[str, Any]:
        """Run one Bot API call; return Telegram's JSON answer (ok or error)."""
        name = next((m for m in METHODS if m.lower() == method.lower()), None)
        recorded = {k: v.filename if isinstance(v, Upload) else v for k, v in params.items()}
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if name is None:
                raise ApiError(404, "Not Found")
            checked = check_call(name, params, form=form)
            if self.faults.get(name):
                raise self.faults[name].pop(0)
            delay = self.slow_chats.get(_chat_key(checked.get("chat_id")), 0.0)
            if delay:  # a slow network on the way to this chat
                await asyncio.sleep(delay)
            handler = getattr(self, f"_{name}")
            result = await handler(**checked)
        except ParameterError as error:
            self.calls.append(Call(name or method, recorded, False, str(error), time.time()))
            return ApiError(400, str(error)).payload()
        except ApiError as error:
            self.calls.append(Call(name or method, recorded, False, error.description, time.time()))
            return error.payload()
        ignored = unknown_parameters(name, params)
        self.calls.append(Call(name, recorded, True, None, time.time(), ignored))
        if self.watch is not None:
            self.watch(self.calls[-1])
        if name != "getUpdates":
            self.changed()
        return {"ok": True, "result": result}

    # -- helpers ----------------------------------------------------------------------------

    def chat_for(self, chat_id: int | str) -> Chat:
        try:
            chat = self.chats[int(chat_id)]
        except (ValueError, KeyError):
            raise bad("chat not found") from None
        return chat

    def reachable(self, chat: Chat) -> None:
        if chat.type == "private" and chat.user_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private" and chat.status(self.bot_id) == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if chat.type != "private" and chat.status(self.bot_id) == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    def admit(self, chat: Chat) -> None:
        retry_after = self.limits.admit(chat.id)
        if retry_after:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def rendered_text(self, text: str, parse_mode: str | None, *, caption: bool = False) -> str:
        if parse_mode is not None and parse_mode not in ("HTML", "MarkdownV2", "Markdown"):
            raise bad(f"unsupported parse_mode {parse_mode!r}")
        plain = text
        if parse_mode == "HTML":
            try:
                plain = parse_html(text)
            except EntityError as error:
                raise ApiError(400, str(error)) from None
        if caption:
            if utf16_length(plain) > 1024:
                raise bad("message caption is too long")
        elif not plain.strip():
            raise bad("message text is empty")
        elif utf16_length(plain) > 4096:
            raise bad("message is too long")
        return plain

    def new_record(
        self, chat: Chat, sender: dict[str, Any], fields: dict[str, Any], who: str
    ) -> Record:
        message = {
            "message_id": chat.next_message_id,
            "date": int(time.time()),
            "chat": chat.as_json(self.users),
            "from": sender,
            **fields,
        }
        chat.next_message_id += 1
        record = Record(message=message, sender=who)
        chat.records[record.id] = record
        return record
