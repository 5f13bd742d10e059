"""The Bot API methods that hand updates to the bot: getMe, getUpdates (long polling with
real offsets, 409 for a second poller), webhooks (updates POSTed oldest first with the
secret token, up to max_connections at once, each retried with a growing pause while the
answer is not 200, as Telegram does); and how
the user side pushes an update."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

import aiohttp

from bot.sandbox.emulator import ApiError, BotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_RETRY = 0.5  # seconds; doubled after each failed delivery, up to MAX_RETRY
MAX_RETRY = 30.0


class UpdatesApi(BotApi):
    webhook_secret: str | None = None
    webhook_task: asyncio.Task[None] | None = None
    webhook_error: tuple[int, str] | None = None  # (unix time, what went wrong) of the last
    webhook_posts: int = 0  # deliveries tried, for tests
    webhook_stopped = False
    webhook_connections = 40  # setWebhook's max_connections: updates in flight at once
    webhook_answers = 0  # methods run from webhook answers, for tests

    # -- getting updates --------------------------------------------------------------------

    async def _getMe(self) -> dict[str, Any]:
        return self.bot_user

    async def _logOut(self) -> bool:
        return True

    async def _close(self) -> bool:
        return True

    async def _setWebhook(
        self,
        url: str,
        secret_token: str | None = None,
        drop_pending_updates: bool = False,
        max_connections: int = 40,
        **_: Any,
    ) -> bool:
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: max_connections must be between 1 and 100")
        self.webhook_connections = max_connections
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        if secret_token is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret_token):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url, self.webhook_secret = url, secret_token
        if drop_pending_updates:
            self.updates.clear()
        self.webhook_stopped = False
        if self.webhook_task is None or self.webhook_task.done():
            self.webhook_task = asyncio.get_running_loop().create_task(self._deliver_updates())
        self.update_event.set()
        return True

    async def _deleteWebhook(self, drop_pending_updates: bool = False) -> bool:
        self.webhook_url, self.webhook_secret = "", None
        if drop_pending_updates:
            self.updates.clear()
        self.update_event.set()
        return True

    async def _getWebhookInfo(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    async def stop_webhook_delivery(self) -> None:
        self.webhook_stopped = True  # a cancel that wait_for swallows still ends the loop
        if self.webhook_task is not None:
            self.webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.webhook_task
            self.webhook_task = None

    async def _deliver_updates(self) -> None:
        """While a webhook is set: POST the updates, oldest first, up to `max_connections`
        at once (as Telegram does: so a person's two updates may be in flight together), and
        drop each only once its answer is 200; otherwise try it again after a growing pause
        (those in flight go on; newer ones wait for it, so the queue stalls as Telegram's does)."""
        loop = asyncio.get_running_loop()
        in_flight: dict[int, asyncio.Task[tuple[int, str]]] = {}
        retry_at: dict[int, float] = {}
        pause = FIRST_RETRY
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            try:
                while self.webhook_url and not self.webhook_stopped:
                    now = loop.time()
                    room = self.webhook_connections - len(in_flight)
                    for update in self.updates:
                        number = update["update_id"]
                        if room <= 0:
                            break
                        if retry_at.get(number, 0.0) > now:
                            break  # a failed update holds back the newer ones, as in Telegram
                        if number in in_flight:
                            continue
                        in_flight[number] = loop.create_task(self._post(http, update))
                        room -= 1
                    event = self.update_event
                    waiter = loop.create_task(event.wait())
                    soonest = min(retry_at.values(), default=now + 1.0)
                    await asyncio.wait(
                        [waiter, *in_flight.values()],
                        timeout=max(0.01, min(1.0, soonest - now)),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    waiter.cancel()
                    if event.is_set() and event is self.update_event:
                        self.update_event = asyncio.Event()
                    for number, task in list(in_flight.items()):
                        if not task.done():
                            continue
                        del in_flight[number]
                        status, what = task.result()
                        if status == 200:
                            retry_at.pop(number, None)
                            self.updates = [u for u in self.updates if u["update_id"] != number]
                            waiting = [u["update_id"] for u in self.updates]
                            done = min(waiting) - 1 if waiting else number
                            self.delivered_up_to = max(self.delivered_up_to, done)
                            self.confirmed_up_to = self.delivered_up_to
                            pause = FIRST_RETRY
                        else:
                            self.webhook_error = (int(time.time()), what)
                            retry_at[number] = loop.time() + pause
                            pause = min(pause * 2, MAX_RETRY)
            finally:
                for task in in_flight.values():
                    task.cancel()

    async def _run_answer(self, answer: aiohttp.ClientResponse) -> None:
        """A webhook may answer with a Bot API method to run (JSON with "method"), as
        Telegram allows; its result is not reported back, as in Telegram."""
        if answer.content_type != "application/json":
            return
        try:
            body = await answer.json()
        except (ValueError, aiohttp.ContentTypeError):
            return
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            params = {k: v for k, v in body.items() if k != "method"}
            self.webhook_answers += 1
            await self.call(self.token, body["method"], params, form=False)

    async def _post(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> tuple[int, str]:
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        self.webhook_posts += 1
        try:
            async with http.post(self.webhook_url, json=update, headers=headers) as answer:
                if answer.status == 200:
                    await self._run_answer(answer)
                    return 200, ""
                reason = f"{answer.status} {answer.reason or ''}".strip()
                return answer.status, f"Wrong response from the webhook: {reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return 0, f"Connection refused ({type(error).__name__})"

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
