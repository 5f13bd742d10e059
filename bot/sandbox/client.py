"""The user side of the emulator over HTTP: act as people and read what the bot shows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

SETTLE_SECONDS = 20
Settle = Callable[[int], Awaitable[None]]


async def _no_wait(update_id: int) -> None:
    return None


class SandboxClient:
    """Talks to a running emulator. `settle` is awaited with each update id the client
    causes, so a caller can wait until the bot has handled it."""

    def __init__(self, base_url: str, settle: Settle = _no_wait) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.settle = settle

    async def close(self) -> None:
        await self.http.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(path, json=body)
        data: dict[str, Any] = response.json()
        if response.status_code != 200:
            raise AssertionError(data.get("error", data))
        if "update_id" in data:
            try:
                await asyncio.wait_for(self.settle(data["update_id"]), SETTLE_SECONDS)
            except TimeoutError:
                raise AssertionError(f"the bot did not handle update {data['update_id']}") from None
        return data

    async def _get(self, path: str) -> Any:
        response = await self.http.get(path)
        data = response.json()
        if response.status_code != 200:
            raise AssertionError(data.get("error", data))
        return data

    async def add_user(
        self, first_name: str = "Sam", language_code: str | None = "en", user_id: int | None = None
    ) -> SandboxUser:
        body = {"first_name": first_name, "language_code": language_code, "id": user_id}
        data = await self._post("/sandbox/users", body)
        return SandboxUser(self, data["id"])

    async def add_group(self, title: str = "Hub group", forum: bool = False) -> int:
        """A supergroup (a forum, with topics, when `forum`) where the bot is a member."""
        body = {"title": title, "forum": forum}
        return int((await self._post("/sandbox/groups", body))["chat_id"])

    async def add_member(
        self, chat_id: int, user_id: int, status: str = "member", **rights: bool
    ) -> dict[str, Any]:
        """Put a person in a group as creator, administrator (with can_... `rights`),
        member, left or kicked; returns their ChatMember."""
        body = {"user_id": user_id, "status": status, **rights}
        return dict((await self._post(f"/sandbox/groups/{chat_id}/members", body))["member"])

    async def set_bot_rights(
        self,
        chat_id: int,
        status: str = "administrator",
        can_manage_topics: bool = True,
        **rights: bool,
    ) -> dict[str, Any]:
        """Promote (or demote, or remove) the bot; returns its ChatMember. The bot gets a
        my_chat_member update, which this waits for."""
        body = {"status": status, "can_manage_topics": can_manage_topics, **rights}
        return dict((await self._post(f"/sandbox/groups/{chat_id}/bot", body))["member"])

    async def create_topic(self, chat_id: int, name: str, user_id: int | None = None) -> int:
        """A person (an administrator `user_id`, else an anonymous one) creates a topic;
        returns its message_thread_id."""
        body = {"name": name, "user_id": user_id}
        data = await self._post(f"/sandbox/groups/{chat_id}/topics", body)
        return int(data["message_thread_id"])

    async def close_topic(
        self, chat_id: int, thread_id: int, closed: bool = True, user_id: int | None = None
    ) -> int:
        """A person closes (or, with closed=False, reopens) a topic; returns the update id."""
        body = {"closed": closed, "user_id": user_id}
        data = await self._post(f"/sandbox/groups/{chat_id}/topics/{thread_id}", body)
        return int(data["update_id"])

    async def topics(self, chat_id: int) -> list[dict[str, Any]]:
        """[{"message_thread_id", "name", "icon_color", "closed"}, ...], oldest first."""
        return list(await self._get(f"/sandbox/groups/{chat_id}/topics"))

    async def topic_messages(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        """The topic's messages, oldest first, its forum_topic_created message first."""
        return list(await self._get(f"/sandbox/groups/{chat_id}/topics/{thread_id}"))

    async def bot_state(self) -> dict[str, Any]:
        return dict((await self.http.get("/sandbox/bot")).json())

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        return list((await self.http.get("/sandbox/calls", params={"since": since})).json())

    async def file(self, file_id: str) -> bytes:
        response = await self.http.get(f"/sandbox/files/{file_id}")
        response.raise_for_status()
        return response.content


class SandboxUser:
    """One person in the sandbox: what they do and what their screen shows."""

    def __init__(self, client: SandboxClient, user_id: int) -> None:
        self.client, self.id = client, user_id
        self.path = f"/sandbox/users/{user_id}"

    async def send(
        self, text: str, chat_id: int | None = None, thread_id: int | None = None
    ) -> int:
        """Send a text to the bot, or in group `chat_id` (in topic `thread_id` of a forum)."""
        return await self.send_kind("text", text, chat_id, thread_id)

    async def send_kind(
        self,
        kind: str,
        value: Any = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        body = {"kind": kind, "value": value, "chat_id": chat_id, "thread_id": thread_id}
        return int((await self.client._post(f"{self.path}/send", body))["update_id"])

    async def edit(self, message_id: int, text: str) -> int:
        body = {"message_id": message_id, "text": text}
        return int((await self.client._post(f"{self.path}/edit", body))["update_id"])

    async def tap(
        self, label: str, message_id: int | None = None, chat_id: int | None = None
    ) -> str:
        """Tap a button by its label (in group `chat_id`, else the chat with the bot);
        return the callback query id ('' for a reply button)."""
        body = {"label": label, "message_id": message_id, "chat_id": chat_id}
        return str((await self.client._post(f"{self.path}/tap", body))["callback_query_id"])

    async def tap_data(self, message_id: int, data: str, chat_id: int | None = None) -> str:
        body = {"message_id": message_id, "data": data, "chat_id": chat_id}
        return str((await self.client._post(f"{self.path}/tap", body))["callback_query_id"])

    async def block(self, blocked: bool = True) -> int:
        return int(
            (await self.client._post(f"{self.path}/block", {"blocked": blocked}))["update_id"]
        )

    async def screen(self, chat_id: int | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id} if chat_id else {}
        return dict((await self.client.http.get(f"{self.path}/chat", params=params)).json())

    async def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return list((await self.screen(chat_id))["messages"])

    async def bot_messages(self) -> list[dict[str, Any]]:
        return [m for m in await self.messages() if m["from"] == "bot"]

    async def last(self) -> dict[str, Any]:
        return (await self.bot_messages())[-1]

    async def wait_message(self, contains: str, seconds: float = 10) -> dict[str, Any]:
        """Wait for a bot message containing `contains` (for what the outbox sends later)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            for message in reversed(await self.bot_messages()):
                if contains in message["text"]:
                    return dict(message)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no message with {contains!r} arrived")
            await asyncio.sleep(0.05)

    async def keyboard(self) -> list[str]:
        return list((await self.screen())["keyboard"])

    async def toasts(self) -> list[dict[str, Any]]:
        return list((await self.screen())["toasts"])

    def labels(self, message: dict[str, Any]) -> list[str]:
        return [b["text"] for row in message["buttons"] for b in row]
