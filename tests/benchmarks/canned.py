"""A Bot API in memory for the throughput benchmark: every call answers at once with what
Telegram would (a message for a send or an edit, True for the rest), and is counted, so that
what is measured is the bot's own work, not the network's."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from typing import Any

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

ME = {"id": 777, "is_bot": True, "first_name": "Porta", "username": "porta_bench_bot"}
MESSAGES = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument"}


class CannedRequest(BaseRequest):
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.answered: dict[str, float] = {}  # callback query id -> when it was answered
        self.markups: dict[int, Any] = {}  # chat -> the newest inline keyboard sent there
        self.changed = asyncio.Event()
        self.shown: dict[int, list[float]] = {}  # chat -> when each message or edit came
        self._ids = itertools.count(1000)
        self.expected = 0  # sendMessage calls awaited (the echo bot's answers)

    def shown_after(self, chat: int, moment: float) -> float:
        """When the first message or edit in `chat` after `moment` came."""
        return min(t for t in self.shown.get(chat, []) if t >= moment)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data is not None else {}
        self.calls[name] += 1
        result: Any = True
        if name == "getMe":
            result = ME
        elif name == "answerCallbackQuery":
            self.answered[str(params["callback_query_id"])] = time.perf_counter()
            self.changed.set()
        elif name in MESSAGES:
            chat = int(params.get("chat_id", 0))
            self.shown.setdefault(chat, []).append(time.perf_counter())
            markup = params.get("reply_markup")
            if isinstance(markup, str):
                markup = json.loads(markup)
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                self.markups[chat] = markup
            result = {
                "message_id": int(params.get("message_id", next(self._ids))),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "P"},
                "text": str(params.get("text", "")),
            }
            if markup:
                result["reply_markup"] = markup
            if name == "sendMessage":
                self.changed.set()
        elif name == "getUpdates":
            await asyncio.sleep(1)
            result = []
        return 200, json.dumps({"ok": True, "result": result}).encode()


def message_update(update_id: int, user: int, text: str, language: str = "en") -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}] if text[0] == "/" else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "P"},
            "from": {"id": user, "is_bot": False, "first_name": "P", "language_code": language},
            "text": text,
            "entities": entities,
        },
    }


def tap_update(update_id: int, user: int, data: str, language: str = "en") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"q{update_id}",
            "chat_instance": "bench",
            "data": data,
            "from": {"id": user, "is_bot": False, "first_name": "P", "language_code": language},
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": user, "type": "private", "first_name": "P"},
                "text": "…",
            },
        },
    }
