"""On-demand load benchmark (`make bench-load`): N young people through the real `porta run`
and the emulator over HTTP, enforcing Telegram's limits and its 10-second callback deadline.

People arrive spread over one round and each taps once a round (N/rate seconds): /start,
the onboarding, 🗓 Activities, this week, the first card, sign up. Per step: p50/p95/p99 from
the tap to the first visible answer (a message, an edit or the button's answer), people who
did not finish, expired callbacks, 429s and tracebacks, beside a bare python-telegram-bot
bot of the same shape measured in the same run. Figures are printed and written as JSON to
data/bench-load-<database>.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.sandbox.emulator import Call
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parent.parent.parent
# What each step does: send a text, tap a button by its label, or ("", first) tap the first
# button of the newest message.
STEPS = [
    ("send", "/start"),
    ("tap", "Continue ▶"),
    ("tap", "18–24"),
    ("tap", "✅ I agree"),
    ("tap", "Skip"),
    ("tap", "Done"),
    ("tap", "🗓 Activities"),
    ("tap", "🗓 This week"),
    ("first", ""),
    ("tap", "✅ Sign up"),
]
STEP_NAMES = [label or "first card" for _, label in STEPS]
GIVE_UP = 120.0  # seconds a person waits for an answer (or the next button) before leaving


@dataclass
class Person:
    id: int
    waiting: asyncio.Event = field(default_factory=asyncio.Event)
    asked: float = 0.0
    latencies: list[float] = field(default_factory=list)
    finished: bool = False


@dataclass
class Run:
    people: list[Person]
    calls: list[Call]
    expired: int
    slowest_answer: float
    tracebacks: int
    seconds: float

    def figures(self) -> dict[str, Any]:
        steps = {}
        for n, name in enumerate(STEP_NAMES):
            values = sorted(p.latencies[n] for p in self.people if len(p.latencies) > n)
            steps[name] = quantiles(values)
        every = sorted(v for p in self.people for v in p.latencies)
        return {
            "people": len(self.people),
            "unfinished": sum(not p.finished for p in self.people),
            "taps": quantiles(every),
            "steps": steps,
            "expired_callbacks": self.expired,
            "slowest_callback_answer_s": round(self.slowest_answer, 3),
            "429s": sum(1 for c in self.calls if c.error and c.error.startswith("Too Many")),
            "tracebacks": self.tracebacks,
            "seconds": round(self.seconds, 1),
        }


def quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "n": 0}
    if len(values) == 1:
        values = values * 2
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 4), "p95": round(cuts[94], 4), "p99": round(cuts[98], 4), "n": len(values)}  # fmt: skip


async def drive(emulator: Emulator, people: int, rate: float, listing: str) -> list[Person]:
    crowd = [Person(emulator.add_user(f"P{n}", "en")["id"]) for n in range(people)]
    by_id = {p.id: p for p in crowd}

    def seen(call: Call) -> None:
        if call.method == "answerCallbackQuery":
            query = emulator.callback_queries.get(str(call.params.get("callback_query_id")))
            chat = query.user_id if query else None
        else:
            chat = int(call.params["chat_id"]) if "chat_id" in call.params else None
        person = by_id.get(chat) if chat is not None else None
        if person is not None and person.asked and not person.waiting.is_set():
            person.latencies.append(time.monotonic() - person.asked)
            person.waiting.set()

    emulator.watch = seen
    round_seconds = people / rate
    started = time.monotonic()

    async def walk(person: Person, offset: float) -> None:
        for n, (kind, label) in enumerate(STEPS):
            await asyncio.sleep(max(0.0, started + offset + n * round_seconds - time.monotonic()))
            if not await act(emulator, person, kind, label or listing):
                return
            try:
                await asyncio.wait_for(person.waiting.wait(), GIVE_UP)
            except TimeoutError:
                return
        person.finished = True

    await asyncio.gather(*(walk(p, n * round_seconds / people) for n, p in enumerate(crowd)))
    emulator.watch = None
    return crowd


async def act(emulator: Emulator, person: Person, kind: str, label: str) -> bool:
    """Do one step; False when the screen does not offer it (the person leaves). "first"
    taps the first button of the newest message once it shows `label` (the list)."""
    deadline = time.monotonic() + GIVE_UP
    while True:  # the screen may still be being drawn
        person.waiting.clear()
        person.asked = time.monotonic()
        try:
            if kind == "send":
                emulator.send(person.id, "text", label)
            elif kind == "tap":
                emulator.tap(person.id, label)
            else:
                chat = emulator.chats[person.id]
                record = next(r for r in reversed(chat.records.values()) if r.reply_markup)
                if label not in record.message.get("text", ""):
                    raise LookupError("the list is not on screen yet")
                button = record.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
                emulator.press(person.id, chat, record, button["callback_data"])
            return True
        except Exception:
            person.asked = 0.0
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.2)


async def measure(
    command: list[str], env: dict[str, str], people: int, rate: float, tmp_path: Path, listing: str
) -> Run:
    emulator = Emulator(limits=Limits())
    emulator.think_time = 0.0  # the people here tap in real time
    server = EmulatorServer(emulator)
    await server.start()
    log = tmp_path / f"bot-{time.monotonic_ns()}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *command,
            env={**os.environ, **env, "TELEGRAM_BOT_TOKEN": emulator.token,
                 "TELEGRAM_API_BASE_URL": server.bot_api_base, "PORTA_LOG_LEVEL": "WARNING"},
            cwd=tmp_path, stdout=output, stderr=output,
        )  # fmt: skip
        try:
            for _ in range(300):  # started: menus set, polling
                if any(c.method == "getUpdates" for c in emulator.calls):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            started = time.monotonic()
            crowd = await drive(emulator, people, rate, listing)
            seconds = time.monotonic() - started
        finally:
            process.terminate()
            await process.wait()
            await server.stop()
    answers = [
        q.answered_at - q.asked_at
        for q in emulator.callback_queries.values()
        if q.answered_at is not None
    ]
    return Run(
        crowd,
        list(emulator.calls),
        len(emulator.expired_queries()),
        max(answers, default=0.0),
        log.read_text(errors="replace").count("Traceback"),
        seconds,
    )


def porta(settings: Settings, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    env = {"DATABASE_URL": settings.database_url}
    python = [sys.executable, "-c", "from bot.cli import main; main()"]
    return [*python, "run"], env


# BENCH_LOAD="50@10,100@20" runs other sizes (people@taps per second).
SIZES = [
    (int(people), float(rate))
    for people, rate in (
        item.split("@") for item in os.environ.get("BENCH_LOAD", "200@20,400@40").split(",")
    )
]


@pytest.mark.parametrize(("people", "rate"), SIZES, ids=[f"{p}@{r:g}" for p, r in SIZES])
async def test_load(
    settings: Settings, db: object, tmp_path: Path, people: int, rate: float
) -> None:
    command, env = porta(settings, tmp_path)
    loading = await asyncio.create_subprocess_exec(
        *command[:-1], "demo", "load", env={**os.environ, **env}, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert await loading.wait() == 0
    ours = await measure(command, env, people, rate, tmp_path, "Tap an activity to see more.")
    bare_env = {"LABELS": json.dumps([label for _, label in STEPS])}
    bare = await measure([sys.executable, str(Path(__file__).parent / "bare_bot.py")], bare_env, people, rate, tmp_path, "Step 7")  # fmt: skip
    database = "postgresql" if settings.database_url.startswith("postgresql") else "sqlite"
    figures = {"porta": ours.figures(), "bare": bare.figures()}
    p95 = figures["porta"]["taps"]["p95"] / max(figures["bare"]["taps"]["p95"], 1e-3)
    figures["p95_ratio"] = round(p95, 2)
    out = ROOT / "data" / f"bench-load-{database}.json"
    out.parent.mkdir(exist_ok=True)
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing[f"{people}@{rate:g}"] = figures
    out.write_text(json.dumps(existing, indent=2, ensure_ascii=False))
    print(
        f"\n{database}, {people} people, {rate:g} taps/s: {json.dumps(figures, indent=1, ensure_ascii=False)}"
    )
    porta_figures = figures["porta"]
    assert porta_figures["unfinished"] == 0
    assert porta_figures["expired_callbacks"] == 0
    assert porta_figures["tracebacks"] == 0
    if rate <= 30:
        assert p95 <= 5
    else:
        assert porta_figures["slowest_callback_answer_s"] <= 3
