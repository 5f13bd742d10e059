"""The Bot API methods of supergroups with forum topics (createForumTopic, editForumTopic,
closeForumTopic, reopenForumTopic), copyMessage, and chat membership (getChatMember,
getChatAdministrators), each as strict as Telegram."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.emulator import Chat, Record, SandboxError, Topic, bad
from bot.sandbox.voice import VoiceApi

# The colours Telegram accepts for a topic's icon (createForumTopic's icon_color).
ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
STATUSES = ("creator", "administrator", "member", "left", "kicked")
# The administrator rights of a supergroup, as ChatMemberAdministrator has them.
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
# What a copy takes from the original message, and the kinds whose caption it may replace.
COPIED = (
    "text",
    "entities",
    "photo",
    "voice",
    "document",
    "location",
    "venue",
    "sticker",
    "contact",
    "caption",
    "caption_entities",
)
CAPTIONED = ("photo", "voice", "document")
# Who an anonymous administrator's actions in a group come from.
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


def member_json(user: dict[str, Any], status: str, **rights: bool) -> dict[str, Any]:
    """The ChatMember object of `user`. An administrator gets the rights Telegram's promote
    screen offers (all but can_promote_members) unless `rights` say otherwise."""
    if status not in STATUSES:
        raise SandboxError(f"unknown member status {status!r}; one of {STATUSES}")
    unknown = sorted(set(rights) - set(ADMIN_RIGHTS))
    if unknown:
        raise SandboxError(f"unknown administrator rights {unknown}")
    if not all(isinstance(value, bool) for value in rights.values()):
        raise SandboxError("administrator rights are true or false")
    if rights and status != "administrator":
        raise SandboxError("only administrators have rights")
    member: dict[str, Any] = {"status": status, "user": dict(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update({right: right != "can_promote_members" for right in ADMIN_RIGHTS})
        member.update(rights, can_manage_chat=True)  # every administrator has it
    elif status == "kicked":
        member["until_date"] = 0
    return member


def topic_name(name: str) -> str:
    """A topic name as Telegram takes it: 1-128 characters once trimmed."""
    name = name.strip()
    if not name:
        raise bad("TOPIC_TITLE_EMPTY")
    if len(name) > 128:
        raise bad("TOPIC_TITLE_TOO_LONG")
    return name


class ForumApi(VoiceApi):
    """Topics, copies and members. A topic's thread id is the message id of its
    forum_topic_created service message; every service message takes a flood-limit token."""

    # -- topics -----------------------------------------------------------------------------

    async def _createForumTopic(
        self,
        chat_id: int | str,
        name: str,
        icon_color: int | None = None,
        icon_custom_emoji_id: str | None = None,
    ) -> dict[str, Any]:
        chat = self.forum_for(chat_id)
        if not chat.manages_topics(self.bot_id):
            raise bad("not enough rights to create a topic")
        name = topic_name(name)
        color = ICON_COLORS[0] if icon_color is None else icon_color
        if color not in ICON_COLORS:
            raise bad("TOPIC_ICON_COLOR_INVALID")
        self.admit(chat)
        return self.open_topic(chat, name, color, self.bot_user, icon_custom_emoji_id).as_json()

    async def _editForumTopic(
        self,
        chat_id: int | str,
        message_thread_id: int,
        name: str | None = None,
        icon_custom_emoji_id: str | None = None,
    ) -> bool:
        chat, topic = self.managed_topic(chat_id, message_thread_id, "edit")
        edited: dict[str, Any] = {}
        if name and topic_name(name) != topic.name:  # an empty name keeps the current one
            edited["name"] = topic_name(name)
        if icon_custom_emoji_id is not None and icon_custom_emoji_id != (
            topic.icon_custom_emoji_id or ""
        ):
            edited["icon_custom_emoji_id"] = icon_custom_emoji_id  # "" removes the icon
        if not edited:
            raise bad("TOPIC_NOT_MODIFIED")
        self.admit(chat)
        topic.name = edited.get("name", topic.name)
        topic.icon_custom_emoji_id = edited.get("icon_custom_emoji_id", topic.icon_custom_emoji_id)
        self.post_service(chat, topic, "forum_topic_edited", edited, self.bot_user)
        return True

    async def _closeForumTopic(self, chat_id: int | str, message_thread_id: int) -> bool:
        return self.bot_toggle(chat_id, message_thread_id, closed=True)

    async def _reopenForumTopic(self, chat_id: int | str, message_thread_id: int) -> bool:
        return self.bot_toggle(chat_id, message_thread_id, closed=False)

    def bot_toggle(self, chat_id: int | str, thread_id: int, *, closed: bool) -> bool:
        """closeForumTopic and reopenForumTopic."""
        chat, topic = self.managed_topic(chat_id, thread_id, "close" if closed else "reopen")
        if topic.closed == closed:
            raise bad("TOPIC_NOT_MODIFIED")
        self.admit(chat)
        self.toggle_topic(chat, topic, closed, self.bot_user)
        return True

    def forum_for(self, chat_id: int | str) -> Chat:
        """The forum supergroup `chat_id`, where the bot still is."""
        chat = self.chat_for(chat_id)
        self.reachable(chat)
        if not chat.is_forum:
            raise bad("the chat is not a forum")
        return chat

    def managed_topic(self, chat_id: int | str, thread_id: int, action: str) -> tuple[Chat, Topic]:
        """The topic the bot wants to change: it must be an administrator, with the
        can_manage_topics right unless it created the topic itself."""
        chat = self.forum_for(chat_id)
        topic = chat.topics.get(thread_id)
        if topic is None:
            raise bad("message thread not found")
        admin = chat.status(self.bot_id) in ("creator", "administrator")
        if not admin or not (chat.manages_topics(self.bot_id) or topic.creator_id == self.bot_id):
            raise bad(f"not enough rights to {action} the topic")
        return chat, topic

    def toggle_topic(
        self, chat: Chat, topic: Topic, closed: bool, sender: dict[str, Any]
    ) -> Record:
        """Close or reopen a topic and post the service message about it."""
        topic.closed = closed
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        return self.post_service(chat, topic, kind, {}, sender)

    def open_topic(
        self,
        chat: Chat,
        name: str,
        icon_color: int,
        sender: dict[str, Any],
        icon_custom_emoji_id: str | None = None,
    ) -> Topic:
        """Create a topic and its forum_topic_created message, whose id is the thread id."""
        thread_id = chat.next_message_id
        created: dict[str, Any] = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        fields = {"message_thread_id": thread_id, "is_topic_message": True}
        self.service_record(chat, sender, {**fields, "forum_topic_created": created})
        topic = Topic(thread_id, name, icon_color, int(sender["id"]), icon_custom_emoji_id)
        chat.topics[thread_id] = topic
        return topic

    def post_service(
        self, chat: Chat, topic: Topic, kind: str, payload: dict[str, Any], sender: dict[str, Any]
    ) -> Record:
        """A service message about `topic`, posted inside it."""
        fields = {
            "message_thread_id": topic.message_thread_id,
            "is_topic_message": True,
            "reply_to_message": chat.records[topic.message_thread_id].quoted(),
            kind: payload,
        }
        return self.service_record(chat, sender, fields)

    def service_record(self, chat: Chat, sender: dict[str, Any], fields: dict[str, Any]) -> Record:
        """A service message in `chat` (the kind is its forum_topic_... field)."""
        kind = next(k for k in fields if k.startswith("forum_topic_"))
        if sender["id"] == ANONYMOUS_ADMIN["id"]:
            fields = {"sender_chat": chat.as_json(self.users), **fields}
        who = "bot" if sender["id"] == self.bot_id else "user"
        record = self.new_record(chat, sender, fields, who)
        record.service = kind
        return record

    # -- copies -----------------------------------------------------------------------------

    async def _copyMessage(
        self,
        chat_id: int | str,
        from_chat_id: int | str,
        message_id: int,
        message_thread_id: int | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, int]:
        chat = self.chat_for(chat_id)
        original = self.chat_for(from_chat_id).records.get(message_id)
        if original is None or original.deleted:
            raise bad("message to copy not found")
        if original.service:
            raise bad("message can't be copied")
        fields = copy.deepcopy({k: v for k, v in original.message.items() if k in COPIED})
        if caption is not None and any(kind in fields for kind in CAPTIONED):
            fields.pop("caption", None)
            fields.pop("caption_entities", None)
            if caption:  # an empty caption removes it
                fields["caption"] = self.rendered_text(caption, parse_mode, caption=True)
        record = self.bot_message(chat, fields, reply_markup, reply_parameters, message_thread_id)
        record.html = original.html if "text" in fields else None
        record.upload = original.upload
        return {"message_id": record.id}

    # -- members ----------------------------------------------------------------------------

    async def _getChatMember(self, chat_id: int | str, user_id: int) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        if user_id == self.bot_id:
            user = self.bot_user
        elif user_id in self.users:
            user = self.users[user_id]
        else:
            raise bad("user not found")
        if chat.type == "private":
            inside = user_id in (chat.user_id, self.bot_id)
            return member_json(user, "member" if inside else "left")
        self.reachable(chat)
        return copy.deepcopy(chat.members.get(user_id) or member_json(user, "left"))

    async def _getChatAdministrators(
        self, chat_id: int | str, return_bots: bool = False
    ) -> list[dict[str, Any]]:
        chat = self.chat_for(chat_id)
        if chat.type == "private":
            raise bad("there are no administrators in the private chat")
        self.reachable(chat)
        return [
            copy.deepcopy(member)
            for member in chat.members.values()
            if member["status"] in ("creator", "administrator")
        ]
