"""The Bot API methods that hand updates to the bot: getMe, getUpdates (long polling with
real offsets, 409 for a second poller), webhooks; and how the user side pushes an update."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from bot.sandbox.emulator import ApiError, BotApi


class UpdatesApi(BotApi):
    # -- getting updates --------------------------------------------------------------------

    async def _getMe(self) -> dict[str, Any]:
        return self.bot_user

    async def _logOut(self) -> bool:
        return True

    async def _close(self) -> bool:
        return True

    async def _setWebhook(self, url: str, **_: Any) -> bool:
        self.webhook_url = url
        return True

    async def _deleteWebhook(self, drop_pending_updates: bool = False) -> bool:
        self.webhook_url = ""
        if drop_pending_updates:
            self.updates.clear()
        return True

    async def _getWebhookInfo(self) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _getUpdates(
        self,
        offset: int | None = None,
        limit: int = 100,
        timeout: int = 0,  # noqa: ASYNC109 (the Bot API's own parameter)
        allowed_updates: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if not 1 <= limit <= 100:
            limit = 100
        # A newer getUpdates ends an older one still waiting, as Telegram does.
        self.poll_generation += 1
        generation = self.poll_generation
        self.update_event.set()
        self.update_event = asyncio.Event()
        deadline = time.monotonic() + max(0, timeout)
        while True:
            if offset is not None:
                if offset < 0:
                    self.updates = self.updates[offset:]
                else:
                    self.confirmed_up_to = max(self.confirmed_up_to, offset - 1)
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
            wanted = [
                u
                for u in self.updates
                if not allowed_updates or (set(u) - {"update_id"}) & set(allowed_updates)
            ][:limit]
            if wanted or time.monotonic() >= deadline:
                if wanted:
                    self.delivered_up_to = max(self.delivered_up_to, wanted[-1]["update_id"])
                return wanted
            event = self.update_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), deadline - time.monotonic())
            if generation != self.poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make "
                    "sure that only one bot instance is running",
                )

    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        self.limits.skew += self.think_time
        update_id = next(self.update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self.update_event.set()
        self.changed()
        return update_id
