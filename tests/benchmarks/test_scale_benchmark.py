"""`make bench`: Porta's figures at scale, printed and written to data/bench-scale.json.

- flows: updates a second for three flows through the real Application (Bot API in memory),
  as a ratio to a bare python-telegram-bot echo bot measured in the same run; p50/p99 at 200
  updates a second; where the time of a card goes (a profile);
- catalogue: the list flow with the demo's activities and with 10,000 (and 100,000 people,
  10,000 sign-ups), in the same run;
- three processes behind one webhook: 10,000 outbox messages and 2,000 taps at once;
- 1,000 people tapping sign-up on 20 places within 10 s, over three processes;
- memory and start-up of one process with 100,000 people, 10,000 activities, 50,000 sign-ups.
On SQLite (one process) the tests of several processes are skipped.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Signup
from bot.db.session import SessionFactory
from bot.demo import load_demo
from bot.services.signups import WAITLIST_ORDER
from tests.benchmarks import seeding, throughput
from tests.benchmarks.fleet import Fleet, busiest_second

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "data" / "bench-scale.json"


def record(name: str, figures: dict[str, Any]) -> None:
    OUT.parent.mkdir(exist_ok=True)
    existing = json.loads(OUT.read_text()) if OUT.exists() else {}
    existing[name] = figures
    OUT.write_text(json.dumps(existing, indent=2, ensure_ascii=False))
    shown = {k: v for k, v in figures.items() if k != "signup_cancel_profile"}
    print(f"\n{name}: {json.dumps(shown, indent=1, ensure_ascii=False)}")
    if "signup_cancel_profile" in figures:
        print(figures["signup_cancel_profile"])


async def test_flows_beside_a_bare_echo_bot(settings: Settings, db: SessionFactory) -> None:
    async with db.begin() as session:
        await load_demo(session, settings.zone)
    figures = await throughput.ratios(settings, db)
    figures["database"] = settings.database_url.split(":")[0]
    record("flows", figures)


async def test_list_cost_does_not_grow_with_the_catalogue(
    settings: Settings, db: SessionFactory
) -> None:
    async with db.begin() as session:
        await load_demo(session, settings.zone)
    people = await seeding.people(db, 20_000, throughput.PEOPLE)
    small = await throughput.list_rates(settings, people)
    activities = await seeding.catalogue(db, 10_000)
    crowd = await seeding.people(db, 100_000, 100_000)
    await seeding.signups(db, crowd, activities, 10_000)
    await seeding.analyze(db)
    large = await throughput.list_rates(settings, people)
    ratios = {kind: round(large[kind] / small[kind], 2) for kind in small}
    record(
        "catalogue",
        {
            "database": settings.database_url.split(":")[0],
            "demo_activities_per_second": small,
            "10000_activities_per_second": large,
            "ratio": ratios,
            "every_list_within_20_percent": all(r >= 0.8 for r in ratios.values()),
        },
    )


OUTBOX_TEXT = "📣 The hubs are open late on Friday."
LIST = "ac:1:l:week::0"


async def test_three_processes_share_one_budget(
    settings: Settings, db: SessionFactory, tmp_path: Path
) -> None:
    """10,000 outbox messages and 2,000 people tapping at once, three processes."""
    several_processes(settings)
    messages, tapping = int(os.environ.get("BENCH_OUTBOX", "10000")), 2000
    async with db.begin() as session:
        await load_demo(session, settings.zone)
    fleet = Fleet(settings, 3, tmp_path)
    recipients = await seeding.people(db, 100_000, messages)
    people = await seeding.people(db, 300_000, tapping)
    for person in [*recipients, *people]:
        fleet.emulator.add_user("P", "en", user_id=person)
    for person in people:
        fleet.plant(person, "🗓 Activities", [("🗓 This week", LIST)])
    await seeding.outbox(db, recipients, OUTBOX_TEXT)
    await fleet.start()
    for person in people:  # everyone taps at once
        chat = fleet.emulator.chats[person]
        shown = next(reversed(chat.records.values()))
        fleet.emulator.press(person, chat, shown, LIST)
    await eventually(lambda: len(fleet.sent(OUTBOX_TEXT)) >= messages, messages / 20)
    await asyncio.sleep(2)
    sent = fleet.sent(OUTBOX_TEXT)
    per_chat = Counter(int(c.params["chat_id"]) for c in sent)
    moments = sorted(c.at for c in fleet.emulator.calls if c.ok and c.method == "sendMessage")
    queries = fleet.emulator.callback_queries.values()
    figures = {
        "processes": 3,
        "outbox_messages": messages,
        "updates": tapping,
        "started_in_s": round(fleet.started_in, 1),
        "429s": fleet.too_many(),
        "lost": sum(1 for r in recipients if per_chat[r] == 0),
        "sent_twice": sum(1 for r in recipients if per_chat[r] > 1),
        "send_rate_per_second": round(len(moments) / max(moments[-1] - moments[0], 1e-3), 2),
        "busiest_second": busiest_second(moments),
        "callbacks_unanswered": sum(1 for q in queries if not q.answered),
        "callbacks_late": len(fleet.emulator.expired_queries()),
        "callback_answer_p99_s": round(quantile(answer_times(queries), 0.99), 3),
        "tracebacks": fleet.tracebacks(),
        "webhook_posts": fleet.emulator.webhook_posts,
        "webhook_answers": fleet.emulator.webhook_answers,
        "webhook_last_error": (fleet.emulator.webhook_error or (0, ""))[1],
    }
    await fleet.stop()
    record("three_processes", figures)
    assert figures["429s"] == 0 and figures["lost"] == 0 and figures["sent_twice"] == 0
    assert figures["callbacks_unanswered"] == 0


async def test_a_thousand_taps_on_twenty_places(
    settings: Settings, db: SessionFactory, tmp_path: Path
) -> None:
    """1,000 people tap sign-up on one activity with 20 places within 10 s, three processes."""
    several_processes(settings)
    activity = (await seeding.catalogue(db, 1))[0]
    people = await seeding.people(db, 400_000, 1000)
    fleet = Fleet(settings, 3, tmp_path)
    data = f"sg:1:j:{activity}:week..0"
    for person in people:
        fleet.emulator.add_user("P", "en", user_id=person)
        fleet.plant(person, "Card", [("✅ Sign up", data)])
    await fleet.start()
    order: list[int] = []
    began = time.monotonic()
    for n, person in enumerate(people):
        await asyncio.sleep(max(0.0, began + n / 100 - time.monotonic()))
        chat = fleet.emulator.chats[person]
        fleet.emulator.press(person, chat, next(reversed(chat.records.values())), data)
        order.append(person)
    queries = fleet.emulator.callback_queries.values()
    await eventually(lambda: all(q.answered for q in queries), 60)
    for _ in range(120):  # every tap handled to the end (an answer may come first)
        async with db() as session:
            count = await session.scalar(select(func.count()).select_from(Signup).where(Signup.activity_id == activity))  # fmt: skip
        if count == len(people):
            break
        await asyncio.sleep(0.5)
    handled_in = time.monotonic() - began
    async with db() as session:
        rows = (await session.execute(select(Signup.user_id, Signup.status, Signup.queue_number).where(Signup.activity_id == activity).order_by(*WAITLIST_ORDER))).all()  # fmt: skip
    # The waitlist as it is served, against the order people tapped in.
    rank = {user: n for n, (user, status, _) in enumerate(rows) if status == "waitlisted"}
    waiting = [person for person in order if person in rank]
    in_order = sum(1 for a, b in itertools.pairwise(waiting) if rank[a] < rank[b])
    answers = answer_times(queries)
    figures = {
        "taps": len(people),
        "all_handled_in_s": round(handled_in, 1),
        "confirmed": sum(1 for _, status, _ in rows if status == "confirmed"),
        "waitlisted": sum(1 for _, status, _ in rows if status == "waitlisted"),
        "queue_numbers_distinct": len({n for *_, n in rows}) == len(rows),
        "waitlist_in_tap_order_share": round(in_order / max(len(waiting) - 1, 1), 3),
        "callbacks_unanswered": sum(1 for q in queries if not q.answered),
        "callback_answer_p50_s": round(quantile(answers, 0.5), 3),
        "callback_answer_p99_s": round(quantile(answers, 0.99), 3),
        "tracebacks": fleet.tracebacks(),
    }
    await fleet.stop()
    record("thousand_taps", figures)
    assert figures["confirmed"] == 20 and figures["waitlisted"] == 980
    assert figures["callbacks_unanswered"] == 0


async def test_memory_and_start_up_with_a_city_in_the_database(
    settings: Settings, db: SessionFactory, tmp_path: Path
) -> None:
    """One process, 100,000 people, 10,000 activities and 50,000 sign-ups."""
    async with db.begin() as session:
        await load_demo(session, settings.zone)
    activities = await seeding.catalogue(db, 10_000)
    crowd = await seeding.people(db, 100_000, 100_000)
    await seeding.signups(db, crowd, activities, 50_000)
    await seeding.analyze(db)
    fleet = Fleet(settings, 1, tmp_path)
    tapping = crowd[:200]
    for person in tapping:
        fleet.emulator.add_user("P", "en", user_id=person)
        fleet.plant(person, "🗓 Activities", [("🗓 This week", LIST)])
    await fleet.start()
    rss_idle = resident_mb(fleet.processes[0].pid)
    for person in tapping:
        chat = fleet.emulator.chats[person]
        fleet.emulator.press(person, chat, next(reversed(chat.records.values())), LIST)
    queries = fleet.emulator.callback_queries.values()
    await eventually(lambda: all(q.answered for q in queries), 60)
    await asyncio.sleep(2)
    figures = {
        "started_in_s": round(fleet.started_in, 2),
        "resident_mb_idle": rss_idle,
        "resident_mb_after_200_lists": resident_mb(fleet.processes[0].pid),
        "target_mb": 150,
    }
    await fleet.stop()
    record("memory", figures)
    assert figures["resident_mb_after_200_lists"] <= 150


def answer_times(queries: Iterable[Any]) -> list[float]:
    return [q.answered_at - q.asked_at for q in queries if q.answered_at is not None]


async def eventually(done: Callable[[], bool], seconds: float) -> None:
    """Wait until `done` (or `seconds`: the figures then show what is missing)."""
    deadline = time.monotonic() + seconds
    while True:
        if done() or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.5)


def several_processes(settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL; on SQLite one process runs")


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]
