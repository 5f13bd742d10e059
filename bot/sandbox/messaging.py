"""The Bot API methods that send, edit and delete messages and answer button taps."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.sandbox.emulator import (
    CALLBACK_DEADLINE,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    Chat,
    Record,
    bad,
)
from bot.sandbox.profile import ProfileApi
from bot.sandbox.spec import Upload

BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class MessagingApi(ProfileApi):
    """sendMessage, sendDocument, sendPhoto, sendVenue, sendLocation, sendChatAction,
    editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage and
    answerCallbackQuery, each as strict as Telegram. Every send takes message_thread_id: a
    topic of a forum supergroup."""

    # -- sending ----------------------------------------------------------------------------

    async def _sendMessage(
        self,
        chat_id: int | str,
        text: str,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        plain = self.rendered_text(text, parse_mode)
        record = self.bot_message(
            chat, {"text": plain}, reply_markup, reply_parameters, message_thread_id
        )
        record.html = text if parse_mode == "HTML" else None
        return record.message

    async def _sendDocument(
        self,
        chat_id: int | str,
        document: Upload | str,
        caption: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        fields: dict[str, Any] = {"document": self.store_upload(document, "doc")}
        if caption:
            fields["caption"] = self.rendered_text(caption, parse_mode, caption=True)
        record = self.bot_message(chat, fields, reply_markup, reply_parameters, message_thread_id)
        record.upload = self.files[fields["document"]["file_id"]]
        return record.message

    async def _sendPhoto(
        self,
        chat_id: int | str,
        photo: Upload | str,
        caption: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        stored = self.store_upload(photo, "photo")
        size = {k: stored[k] for k in ("file_id", "file_unique_id", "file_size")}
        fields: dict[str, Any] = {"photo": [{**size, "width": 800, "height": 600}]}
        if caption:
            fields["caption"] = self.rendered_text(caption, parse_mode, caption=True)
        record = self.bot_message(chat, fields, reply_markup, reply_parameters, message_thread_id)
        return record.message

    async def _sendVenue(
        self,
        chat_id: int | str,
        latitude: float,
        longitude: float,
        title: str,
        address: str,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad("wrong latitude or longitude")
        if not title or not address:
            raise bad("venue title and address must not be empty")
        chat = self.chat_for(chat_id)
        location = {"latitude": latitude, "longitude": longitude}
        fields = {
            "venue": {"location": location, "title": title, "address": address},
            "location": location,
        }
        record = self.bot_message(chat, fields, reply_markup, reply_parameters, message_thread_id)
        return record.message

    async def _sendLocation(
        self,
        chat_id: int | str,
        latitude: float,
        longitude: float,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        fields = {"location": {"latitude": latitude, "longitude": longitude}}
        record = self.bot_message(chat, fields, reply_markup, reply_parameters, message_thread_id)
        return record.message

    async def _sendChatAction(
        self, chat_id: int | str, action: str, message_thread_id: int | None = None, **_: Any
    ) -> bool:
        chat = self.chat_for(chat_id)
        self.reachable(chat)
        chat.thread_fields(message_thread_id, self.bot_id)
        chat.typing_until = time.monotonic() + 5  # as long as a Telegram app shows it
        return True

    # -- what every send does ---------------------------------------------------------------

    def bot_message(
        self,
        chat: Chat,
        fields: dict[str, Any],
        reply_markup: dict[str, Any] | None,
        reply_parameters: dict[str, Any] | None,
        thread_id: int | None = None,
    ) -> Record:
        """A new message from the bot, checked and counted against the flood limits. A reply
        to a message in a topic goes into that topic, as in Telegram."""
        self.check_markup(reply_markup)
        target = None
        if reply_parameters is not None:
            target = chat.records.get(reply_parameters["message_id"])
            if target is None and not reply_parameters.get("allow_sending_without_reply"):
                raise bad("message to be replied not found")
            if thread_id is None and target is not None and chat.is_forum:
                thread_id = target.message.get("message_thread_id")
        self.reachable(chat)
        thread = chat.thread_fields(thread_id, self.bot_id)
        if thread and target is not None:
            thread["reply_to_message"] = target.quoted()
        self.admit(chat)
        record = self.new_record(chat, self.bot_user, {**fields, **thread}, "bot")
        if reply_markup and "inline_keyboard" in reply_markup:
            record.reply_markup = reply_markup
            record.message["reply_markup"] = reply_markup
        elif reply_markup and "keyboard" in reply_markup:
            chat.reply_keyboard = reply_markup
        elif reply_markup and reply_markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        return record

    def check_markup(self, markup: dict[str, Any] | None) -> None:
        if not markup or "inline_keyboard" not in markup:
            if markup and "keyboard" in markup:
                for row in markup["keyboard"]:
                    for button in row:
                        if not button.get("text"):
                            raise bad("can't parse keyboard button: text is empty")
            return
        rows = markup["inline_keyboard"]
        if sum(len(row) for row in rows) > 100:
            raise bad("BUTTONS_TOO_MUCH")
        for row in rows:
            for button in row:
                actions = [a for a in BUTTON_ACTIONS if a in button]
                if not button.get("text"):
                    raise bad("BUTTON_TEXT_INVALID")
                if len(actions) != 1:
                    raise bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                        if not actions
                        else "can't parse inline keyboard button: exactly one action is allowed"
                    )
                if "callback_data" in button:
                    size = len(button["callback_data"].encode())
                    if not 1 <= size <= 64:
                        raise bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"^(https?|tg)://", button["url"]):
                    raise bad("BUTTON_URL_INVALID")

    # -- editing and deleting ---------------------------------------------------------------

    async def _editMessageText(
        self,
        text: str,
        chat_id: int | str | None = None,
        message_id: int | None = None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat, record = self.editable(chat_id, message_id)
        if "text" not in record.message:
            raise bad("there is no text in the message to edit")
        plain = self.rendered_text(text, parse_mode)
        self.check_markup(reply_markup)
        html = text if parse_mode == "HTML" else None
        if (plain, html, reply_markup) == (
            record.message["text"],
            record.html,
            record.reply_markup,
        ):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self.reachable(chat)
        record.message["text"], record.html = plain, html
        return self.edited(record, reply_markup)

    async def _editMessageCaption(
        self,
        chat_id: int | str | None = None,
        message_id: int | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat, record = self.editable(chat_id, message_id)
        plain = self.rendered_text(caption or "", parse_mode, caption=True) if caption else None
        self.check_markup(reply_markup)
        if (plain, reply_markup) == (record.message.get("caption"), record.reply_markup):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self.reachable(chat)
        if plain is None:
            record.message.pop("caption", None)
        else:
            record.message["caption"] = plain
        return self.edited(record, reply_markup)

    async def _editMessageReplyMarkup(
        self,
        chat_id: int | str | None = None,
        message_id: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat, record = self.editable(chat_id, message_id)
        self.check_markup(reply_markup)
        if reply_markup == record.reply_markup or (
            not record.reply_markup and reply_markup == {"inline_keyboard": []}
        ):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self.reachable(chat)
        return self.edited(record, reply_markup)

    def edited(self, record: Record, reply_markup: dict[str, Any] | None) -> dict[str, Any]:
        keyboard = reply_markup if reply_markup and reply_markup.get("inline_keyboard") else None
        record.reply_markup = keyboard
        if keyboard:
            record.message["reply_markup"] = keyboard
        else:
            record.message.pop("reply_markup", None)
        record.message["edit_date"] = int(time.time())
        record.edits += 1
        return record.message

    async def _deleteMessage(self, chat_id: int | str, message_id: int) -> bool:
        chat = self.chat_for(chat_id)
        record = chat.records.get(message_id)
        if record is None or record.deleted:
            raise bad("message to delete not found")
        if chat.type != "private" and record.sender != "bot" and not self.can_delete(chat):
            raise bad("message can't be deleted")
        record.deleted = True
        return True

    def can_delete(self, chat: Chat) -> bool:
        """Whether the bot may delete other people's messages in a group."""
        member = chat.members.get(self.bot_id, {})
        return member.get("status") == "creator" or bool(
            member.get("status") == "administrator" and member.get("can_delete_messages")
        )

    async def _answerCallbackQuery(
        self,
        callback_query_id: str,
        text: str | None = None,
        show_alert: bool = False,
        url: str | None = None,
        cache_time: int = 0,
    ) -> bool:
        query = self.callback_queries.get(callback_query_id)
        if query is None or query.answered or query.expired:
            raise bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        if time.monotonic() - query.asked_at > CALLBACK_DEADLINE:
            query.expired = True  # the phone stopped waiting: the button spun for nothing
            raise bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        if text is not None and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        query.answered, query.text, query.show_alert = True, text, show_alert
        query.answered_at = time.monotonic()
        return True

    # -- helpers ----------------------------------------------------------------------------

    def editable(self, chat_id: int | str | None, message_id: int | None) -> tuple[Chat, Record]:
        if chat_id is None or message_id is None:
            raise bad("message identifier is not specified")
        chat = self.chat_for(chat_id)
        record = chat.records.get(message_id)
        if record is None or record.deleted:
            raise bad("message to edit not found")
        if record.sender != "bot" or record.service:
            raise bad("message can't be edited")
        return chat, record

    def store_upload(self, upload: Upload | str, kind: str) -> dict[str, Any]:
        if isinstance(upload, str):
            if upload not in self.files:
                raise bad("wrong file identifier/HTTP URL specified")
            upload = self.files[upload]
        file_id = f"{kind}-{next(self.file_ids)}"
        self.files[file_id] = upload
        unique = self.unique_ids.setdefault(id(upload), file_id)
        return {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.content),
        }
