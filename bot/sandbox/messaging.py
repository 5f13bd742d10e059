"""The Bot API methods that send, edit and delete messages and answer button taps."""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.emulator import (
    CALLBACK_DEADLINE,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    Record,
    bad,
)
from bot.sandbox.profile import ProfileApi
from bot.sandbox.spec import Upload


class MessagingApi(ProfileApi):
    """sendMessage, sendDocument, sendPhoto, sendVenue, sendLocation, sendChatAction,
    editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage and
    answerCallbackQuery, each as strict as Telegram."""

    # -- sending ----------------------------------------------------------------------------

    async def _sendMessage(
        self,
        chat_id: int | str,
        text: str,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        plain = self.rendered_text(text, parse_mode)
        record = self.bot_message(chat, {"text": plain}, reply_markup, reply_parameters)
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
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        fields: dict[str, Any] = {"document": self.store_upload(document, "doc")}
        if caption:
            fields["caption"] = self.rendered_text(caption, parse_mode, caption=True)
        record = self.bot_message(chat, fields, reply_markup, reply_parameters)
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
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        stored = self.store_upload(photo, "photo")
        size = {k: stored[k] for k in ("file_id", "file_unique_id", "file_size")}
        fields: dict[str, Any] = {"photo": [{**size, "width": 800, "height": 600}]}
        if caption:
            fields["caption"] = self.rendered_text(caption, parse_mode, caption=True)
        return self.bot_message(chat, fields, reply_markup, reply_parameters).message

    async def _sendVenue(
        self,
        chat_id: int | str,
        latitude: float,
        longitude: float,
        title: str,
        address: str,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
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
        return self.bot_message(chat, fields, reply_markup, reply_parameters).message

    async def _sendLocation(
        self,
        chat_id: int | str,
        latitude: float,
        longitude: float,
        reply_markup: dict[str, Any] | None = None,
        reply_parameters: dict[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        fields = {"location": {"latitude": latitude, "longitude": longitude}}
        return self.bot_message(chat, fields, reply_markup, reply_parameters).message

    async def _sendChatAction(self, chat_id: int | str, action: str, **_: Any) -> bool:
        chat = self.chat_for(chat_id)
        self.reachable(chat)
        return True

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
        record.deleted = True
        return True

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
