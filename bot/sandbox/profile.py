"""The Bot API methods about the bot itself: its commands, descriptions, name, and chats."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.emulator import bad
from bot.sandbox.polling import UpdatesApi

COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class ProfileApi(UpdatesApi):
    """setMyCommands, deleteMyCommands, getMyCommands, setMyDescription, getMyDescription,
    setMyShortDescription, getMyShortDescription, setMyName and getChat, as strict as
    Telegram."""

    # -- commands and descriptions ----------------------------------------------------------

    async def _setMyCommands(
        self,
        commands: list[dict[str, str]],
        scope: dict[str, Any] | None = None,
        language_code: str = "",
    ) -> bool:
        if len(commands) > 100:
            raise bad("too many commands")
        for command in commands:
            if not COMMAND.match(command["command"]):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise bad("command description must be 1-256 characters")
        self.check_language(language_code)
        self.commands[((scope or {}).get("type", "default"), language_code)] = commands
        return True

    async def _deleteMyCommands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> bool:
        self.commands.pop(((scope or {}).get("type", "default"), language_code), None)
        return True

    async def _getMyCommands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        return self.commands.get(((scope or {}).get("type", "default"), language_code), [])

    def check_language(self, language_code: str) -> None:
        if language_code and not re.match(r"^[a-z]{2}$", language_code):
            raise bad("invalid language code specified")

    async def _setMyDescription(self, description: str = "", language_code: str = "") -> bool:
        if len(description) > 512:
            raise bad("description is too long")
        self.check_language(language_code)
        self.descriptions[language_code] = description
        return True

    async def _getMyDescription(self, language_code: str = "") -> dict[str, str]:
        return {"description": self.descriptions.get(language_code, "")}

    async def _setMyShortDescription(
        self, short_description: str = "", language_code: str = ""
    ) -> bool:
        if len(short_description) > 120:
            raise bad("short description is too long")
        self.check_language(language_code)
        self.short_descriptions[language_code] = short_description
        return True

    async def _getMyShortDescription(self, language_code: str = "") -> dict[str, str]:
        return {"short_description": self.short_descriptions.get(language_code, "")}

    async def _setMyName(self, name: str = "", language_code: str = "") -> bool:
        return True

    async def _getChat(self, chat_id: int | str) -> dict[str, Any]:
        chat = self.chat_for(chat_id)
        return {
            **chat.as_json(self.users),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
