"""The set-up side of groups in the emulator: supergroups (forums too), who is in them, the
bot's rights, and topics that people create or close by hand."""

from __future__ import annotations

import itertools
import time
from typing import Any

from bot.sandbox.emulator import ApiError, Chat, SandboxError
from bot.sandbox.forum import ANONYMOUS_ADMIN, ICON_COLORS, ForumApi, member_json, topic_name


class GroupsApi(ForumApi):
    """People and groups as tests set them up; the Bot API methods come from ForumApi."""

    group_ids = itertools.count(1)

    def person(self, user_id: int) -> dict[str, Any]:
        try:
            return self.users[user_id]
        except KeyError:
            raise SandboxError(f"no sandbox user {user_id}") from None

    # -- groups -----------------------------------------------------------------------------

    def add_group(
        self, title: str = "Hub group", forum: bool = False, chat_id: int | None = None
    ) -> int:
        """A supergroup (with topics when `forum`) where the bot is a plain member."""
        chat_id = chat_id or -1_000_000_000_000 - next(self.group_ids)
        if chat_id in self.chats:
            raise SandboxError(f"chat {chat_id} exists")
        # Message 1 is the group's own creation: no topic ever has thread id 1 (General's).
        chat = Chat(id=chat_id, type="supergroup", title=title, is_forum=forum, next_message_id=2)
        chat.members[self.bot_id] = member_json(self.bot_user, "member")
        self.chats[chat_id] = chat
        return chat_id

    def group(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise SandboxError(f"no group {chat_id}")
        return chat

    def add_member(
        self, chat_id: int, user_id: int, status: str = "member", **rights: bool
    ) -> dict[str, Any]:
        """Set a person's place in a group (creator, administrator with `rights`, member,
        left, kicked), as set-up: no update and no service message. Returns the ChatMember."""
        chat = self.group(chat_id)
        chat.members[user_id] = member_json(self.person(user_id), status, **rights)
        return chat.members[user_id]

    def set_bot_rights(
        self,
        chat_id: int,
        status: str = "administrator",
        can_manage_topics: bool = True,
        **rights: bool,
    ) -> int | None:
        """Promote, demote or remove the bot; Telegram tells it with my_chat_member (the
        update id is returned; None when nothing changed)."""
        chat = self.group(chat_id)
        if status == "creator":
            raise SandboxError("a bot cannot own a group")
        if status == "administrator":
            rights = {"can_manage_topics": can_manage_topics, **rights}
        old = chat.members.get(self.bot_id) or member_json(self.bot_user, "left")
        new = chat.members[self.bot_id] = member_json(self.bot_user, status, **rights)
        if new == old:
            return None
        change = {"old_chat_member": old, "new_chat_member": new}
        return self.push_update("my_chat_member", self.chat_event(chat, change))

    def chat_event(self, chat: Chat, fields: dict[str, Any]) -> dict[str, Any]:
        """A ChatMemberUpdated made by the group's creator (or an anonymous administrator)."""
        owner = next((m["user"] for m in chat.members.values() if m["status"] == "creator"), None)
        return {
            "chat": chat.as_json(self.users),
            "from": owner or ANONYMOUS_ADMIN,
            "date": int(time.time()),
            **fields,
        }

    def topic_admin(self, chat: Chat, user_id: int | None) -> dict[str, Any]:
        """Who changes topics by hand: `user_id`, who must have the right, or, with None,
        an anonymous administrator."""
        if not chat.is_forum:
            raise SandboxError("the chat is not a forum")
        if user_id is None:
            return ANONYMOUS_ADMIN
        if not chat.manages_topics(user_id):
            raise SandboxError(f"user {user_id} may not manage topics in {chat.title}")
        return self.person(user_id)

    def create_topic(
        self, chat_id: int, name: str, user_id: int | None = None, icon_color: int = ICON_COLORS[0]
    ) -> int:
        """A person creates a topic (no Bot API call); returns its message_thread_id."""
        return self.create_topic_update(chat_id, name, user_id, icon_color)[0]

    def create_topic_update(
        self, chat_id: int, name: str, user_id: int | None = None, icon_color: int = ICON_COLORS[0]
    ) -> tuple[int, int]:
        """create_topic, also returning the id of the update that tells the bot."""
        chat = self.group(chat_id)
        sender = self.topic_admin(chat, user_id)
        try:
            name = topic_name(name)
        except ApiError as error:
            raise SandboxError(error.description) from None
        topic = self.open_topic(chat, name, icon_color, sender)
        thread_id = topic.message_thread_id
        return thread_id, self.push_update("message", chat.records[thread_id].message)

    def close_topic(
        self, chat_id: int, thread_id: int, closed: bool = True, user_id: int | None = None
    ) -> int:
        """A person closes (or reopens) a topic; returns the id of the update."""
        chat = self.group(chat_id)
        sender = self.topic_admin(chat, user_id)
        topic = chat.topics.get(thread_id)
        if topic is None:
            raise SandboxError(f"no topic {thread_id} in {chat.title}")
        if topic.closed == closed:
            raise SandboxError("TOPIC_NOT_MODIFIED")
        record = self.toggle_topic(chat, topic, closed, sender)
        return self.push_update("message", record.message)

    def topics(self, chat_id: int) -> list[dict[str, Any]]:
        """The group's topics, oldest first."""
        return [
            {
                "message_thread_id": topic.message_thread_id,
                "name": topic.name,
                "icon_color": topic.icon_color,
                "closed": topic.closed,
            }
            for topic in self.group(chat_id).topics.values()
        ]
