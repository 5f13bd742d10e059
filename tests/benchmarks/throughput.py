"""Updates a second through the real Application with the Bot API in memory (canned.py),
beside a bare python-telegram-bot echo bot measured the same way in the same run.

Three flows, each a tap of 200 onboarded people: open the week's list, open a card, sign up
and cancel. A bare echo bot and each flow alternate for ROUNDS rounds; the figure is the
median ratio of the flow's rate to the echo's. Also: p50/p99 from an update's arrival to
its answer with the list flow offered at 200 updates a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import io
import itertools
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, update
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bot.app import PortaApplication, build_application
from bot.config import Settings
from bot.db.models import Activity, User
from bot.db.session import SessionFactory
from bot.services.users import NOTICE_VERSION
from handlers.callbacks import pack
from tests.benchmarks.canned import CannedRequest, message_update, tap_update

ROUNDS = 5
PEOPLE = 200
ECHOES = 3000
ids = itertools.count(1)


async def onboarded(db: SessionFactory, first: int, count: int) -> list[int]:
    people = list(range(first, first + count))
    now = datetime.now(UTC)
    async with db.begin() as session:
        await session.execute(
            insert(User),
            [
                {
                    "id": p, "chat_id": p, "language": "en", "telegram_language": "en",
                    "age_band": "18_24", "step": "done", "consent_at": now,
                    "notice_version": NOTICE_VERSION, "interests": ["sport"],
                }
                for p in people
            ],
        )  # fmt: skip
    return people


async def feed(app: Application, canned: CannedRequest, updates: list[dict[str, Any]]) -> float:  # type: ignore[type-arg]
    """Put the updates on the queue at once; the seconds until every one has its answer."""
    began = time.perf_counter()
    for data in updates:
        await app.update_queue.put(Update.de_json(data, app.bot))
    if isinstance(app, PortaApplication):  # handled to the end, not only answered
        await asyncio.wait_for(app.wait_processed(updates[-1]["update_id"]), 300)
    else:
        await until(canned, lambda: canned.calls["sendMessage"] >= canned.expected)
    return time.perf_counter() - began


async def until(canned: CannedRequest, done: Callable[[], bool], seconds: float = 300) -> None:
    deadline = time.perf_counter() + seconds
    while not done():
        canned.changed.clear()
        if time.perf_counter() > deadline:
            raise AssertionError("updates left unanswered")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(canned.changed.wait(), 1)


class Echo:
    """The bare echo bot: python-telegram-bot as its documentation shows it."""

    def __init__(self) -> None:
        self.canned = CannedRequest()
        self.app = ApplicationBuilder().token("1:ECHO").request(self.canned).updater(None).build()

        async def echo(update: Update, context: Any) -> None:
            assert update.message is not None
            await update.message.reply_text(update.message.text or "")

        self.app.add_handler(MessageHandler(filters.TEXT, echo))

    async def rate(self) -> float:
        updates = [message_update(next(ids), 5, "hello") for _ in range(ECHOES)]
        self.canned.expected += ECHOES
        return ECHOES / await feed(self.app, self.canned, updates)


class Porta:
    """Porta's Application on the benchmark's database, the Bot API in memory."""

    def __init__(self, settings: Settings) -> None:
        self.canned = CannedRequest()
        # The reminder scan at its production pace, not the tests' quick one.
        settings = settings.model_copy(update={"reminder_scan_seconds": 30.0})
        self.app: PortaApplication = build_application(
            settings, token="1:BENCH", request=self.canned
        )
        self.people: list[int] = []

    async def start(self, people: list[int]) -> None:
        self.people = people
        await self.app.initialize()
        await self.app.start()

    async def stop(self) -> None:
        await self.app.stop()
        await self.app.shutdown()
        await self.app.bot_data["engine"].dispose()

    async def tap_all(self, data_for: Callable[[int], str]) -> float:
        updates = [tap_update(next(ids), p, data_for(p)) for p in self.people]
        return len(updates) / await feed(self.app, self.canned, updates)

    def first_card(self, person: int) -> str:
        rows = self.canned.markups[person]["inline_keyboard"]
        return str(rows[0][0]["callback_data"])

    def button(self, person: int, starts: str) -> str:
        rows = self.canned.markups[person]["inline_keyboard"]
        found = [b["callback_data"] for row in rows for b in row if b.get("callback_data", "").startswith(starts)]  # fmt: skip
        assert found, f"no {starts} button for {person}: {self.canned.calls}"
        return str(found[0])

    async def flows(self) -> dict[str, Callable[[], Awaitable[float]]]:
        listing = pack("ac", "l", "week", "", 0)
        await self.tap_all(lambda p: listing)  # each person now has the list on screen
        card = self.first_card(self.people[0])
        async with self.app.bot_data["db"].begin() as session:  # room for everyone
            activity = int(card.split(":")[3])
            await session.execute(
                update(Activity).where(Activity.id == activity).values(capacity=10 * PEOPLE)
            )

        async def open_list() -> float:
            return await self.tap_all(lambda p: listing)

        async def open_card() -> float:
            return await self.tap_all(lambda p: card)

        async def sign_up_and_cancel() -> float:
            await self.tap_all(lambda p: card)
            joining = await self.tap_all(lambda p: self.button(p, "sg:1:j"))
            cancelling = await self.tap_all(lambda p: self.button(p, "sg:1:x"))
            confirm = [p for p in self.people if has(self.canned, p, "sg:1:x")]
            if confirm:  # a second tap says "yes, cancel"
                cancelling = 1 / (1 / cancelling + 1 / await self.tap_all(lambda p: self.button(p, "sg:1:x")))  # fmt: skip
            return 2 / (1 / joining + 1 / cancelling)

        return {"list": open_list, "card": open_card, "signup_cancel": sign_up_and_cancel}

    async def latency(self, per_second: float, seconds: float) -> dict[str, float]:
        """The list flow offered at `per_second`: from each tap's arrival to the list shown."""
        listing = pack("ac", "l", "week", "", 0)
        sent: list[tuple[int, float]] = []
        last = 0
        people = itertools.cycle(self.people)
        began = time.perf_counter()
        for n in range(int(per_second * seconds)):
            await asyncio.sleep(max(0.0, began + n / per_second - time.perf_counter()))
            person = next(people)
            data = tap_update(next(ids), person, listing)
            sent.append((person, time.perf_counter()))
            last = data["update_id"]
            await self.app.update_queue.put(Update.de_json(data, self.app.bot))
        await asyncio.wait_for(self.app.wait_processed(last), 300)
        waits = sorted(self.canned.shown_after(chat, at) - at for chat, at in sent)
        cuts = statistics.quantiles(waits, n=100, method="inclusive")
        return {"p50_ms": round(cuts[49] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1)}


def has(canned: CannedRequest, person: int, starts: str) -> bool:
    rows = canned.markups.get(person, {}).get("inline_keyboard", [])
    return any(b.get("callback_data", "").startswith(starts) for row in rows for b in row)


async def ratios(settings: Settings, db: SessionFactory) -> dict[str, Any]:
    """Echo and each flow alternate for ROUNDS rounds; the median ratio per flow."""
    echo = Echo()
    await echo.app.initialize()
    await echo.app.start()
    porta = Porta(settings)
    await porta.start(await onboarded(db, 20_000, PEOPLE))
    flows = await porta.flows()
    rates: dict[str, list[float]] = {name: [] for name in flows}
    echoes: dict[str, list[float]] = {name: [] for name in flows}
    for _ in range(ROUNDS):
        for name, flow in flows.items():
            echoes[name].append(await echo.rate())
            rates[name].append(await flow())
    profile = await profiled(flows["signup_cancel"])  # the flow furthest from its target
    latency = await porta.latency(200, 10)
    await echo.app.stop()
    await echo.app.shutdown()
    await porta.stop()
    result: dict[str, Any] = {
        "echo_per_second": round(statistics.median(e for each in echoes.values() for e in each))
    }
    for name in flows:
        ratio = statistics.median(r / e for r, e in zip(rates[name], echoes[name], strict=True))
        result[name] = {
            "per_second": round(statistics.median(rates[name]), 1),
            "ratio_to_echo": round(ratio, 4),
        }
    result["latency_at_200_per_second"] = latency
    result["signup_cancel_profile"] = profile
    return result


async def profiled(flow: Callable[[], Awaitable[float]]) -> str:
    """Where the time of one round of a flow goes: the top of cProfile's cumulative list."""
    profiler = cProfile.Profile()
    profiler.enable()
    await flow()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"(bot|handlers)/", 40)
    return out.getvalue()


LISTS = ("today", "week", "mine", "acc")


async def list_rates(settings: Settings, people: list[int], rounds: int = 3) -> dict[str, float]:
    """Updates a second of each list flow (median of `rounds`), for the catalogue as it is."""
    porta = Porta(settings)
    await porta.start(people)
    rates = {}
    for kind in LISTS:
        data = pack("ac", "l", kind, "", 0)
        await porta.tap_all(lambda p, data=data: data)  # type: ignore[misc]
        rates[kind] = round(
            statistics.median(
                [await porta.tap_all(lambda p, data=data: data) for _ in range(rounds)]
            ),  # type: ignore[misc]
            1,
        )
    await porta.stop()
    return rates
