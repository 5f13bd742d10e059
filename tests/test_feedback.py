"""After an activity: the people who came are asked once how it was, in their language; the
hub team sees the average, the count and the words, never who wrote them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.db.models import Feedback, OutboxMessage, Signup
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.services.feedback import MAX_COMMENT
from tests.factories import activity, hub
from tests.flows import onboard, staff

ROME = ZoneInfo("Europe/Rome")


async def came(db: SessionFactory, user_id: int, activity_id: int, status: str) -> None:
    """A sign-up made before the activity, and what the check-in left of it."""
    async with db.begin() as session:
        last = await session.scalar(
            select(func.max(Signup.queue_number)).where(Signup.activity_id == activity_id)
        )
        session.add(
            Signup(
                user_id=user_id, activity_id=activity_id, status=status,
                queue_number=(last or 0) + 1, display_name="Sam", checkin_code=f"{user_id % 9999:04d}",
            )
        )  # fmt: skip


async def questions(db: SessionFactory, count: int) -> list[OutboxMessage]:
    """The questions queued, once the scan has run; at night they wait for 08:00 (they are
    then let go, as the morning would)."""
    for _ in range(100):
        async with db() as session:
            rows = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback"))
            ).all()
        if len(rows) >= count:
            break
        await asyncio.sleep(0.1)
    for row in rows:
        due = row.due_at.replace(tzinfo=row.due_at.tzinfo or UTC)
        if due > datetime.now(UTC):
            assert due.astimezone(ROME).strftime("%H:%M") == "08:00"
    async with db.begin() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "feedback")
            .values(due_at=datetime.now(UTC), expires_at=datetime.now(UTC) + timedelta(hours=1))
        )
    return list(rows)


async def test_asked_once_in_their_language_and_staff_see_no_names(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    ended = datetime.now(UTC) - timedelta(hours=3)  # two hours long: over an hour ago
    chess = await activity(db, place.id, titles={"en": "Chess club", "it": "Scacchi"}, starts=ended)
    ana = await onboard(client, "en")
    luca = await onboard(client, "it")
    absent = await onboard(client, "en")  # had a place, did not come
    silent = await onboard(client, "en")  # came, but turned messages about activities off
    await silent.tap("⚙️ Settings")
    await silent.tap("⏰ Reminders on/off")
    for person, status in ((ana, "attended"), (luca, "attended"), (absent, "confirmed"), (silent, "attended")):  # fmt: skip
        await came(db, person.id, chess.id, status)

    assert len(await questions(db, 2)) == 2
    asked = await ana.wait_message("How was Chess club?")
    assert ana.labels(asked) == ["😞", "🙁", "😐", "🙂", "😄"]
    await ana.tap("🙂", asked["message_id"])
    assert (await ana.toasts())[-1]["text"] == "Thank you! 💚"
    edited = await ana.last()
    assert "Do you want to add a few words?" in edited["text"] and ana.labels(edited) == ["Skip"]
    await ana.send("x" * (MAX_COMMENT + 1))
    assert f"at most {MAX_COMMENT} characters" in (await ana.last())["text"]
    await ana.send("Great   teacher, more  evenings please")
    assert (await ana.last())["text"] == "Thank you! The hub team will read it. 💚"

    italian = await luca.wait_message("Com'è andato Scacchi?")
    await luca.tap("😞", italian["message_id"])
    await luca.tap("Salta")
    assert (await luca.last())["text"] == "Grazie! 💚"

    await asyncio.sleep(1.5)  # a few more scans: nobody is asked twice
    async with db() as session:
        answers = (await session.execute(select(Feedback.user_id, Feedback.score, Feedback.comment))).all()  # fmt: skip
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "feedback"))  # fmt: skip
    assert sorted(answers) == sorted(
        [(ana.id, 4, "Great teacher, more evenings please"), (luca.id, 1, None)]
    )
    assert queued == 2
    assert not [m for m in await absent.messages() if "How was" in m.get("text", "")]
    assert not [m for m in await silent.messages() if "How was" in m.get("text", "")]

    worker = await staff(client, db)
    await worker.send("/manage")
    await worker.tap((await worker.last())["buttons"][0][0]["text"])
    view = await worker.last()
    assert "How it was: 2.5 of 5, from 2 people." in view["text"]
    await worker.tap("💬 What people said")
    said = (await worker.last())["text"]
    assert "• Great teacher, more evenings please" in said
    assert "Sam" not in said and str(ana.id) not in said


async def test_the_words_are_exported_and_erased_with_the_person(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    chess = await activity(db, place.id, starts=datetime.now(UTC) - timedelta(hours=3))
    ana = await onboard(client, "en")
    await came(db, ana.id, chess.id, "attended")
    await questions(db, 1)
    asked = await ana.wait_message("How was")
    await ana.tap("😄", asked["message_id"])
    await ana.send("Loved it")
    await ana.send("/mydata")
    data = json.loads(await client.file((await ana.last())["document"]["file_id"]))
    assert data["feedback"][0]["score"] == 5 and data["feedback"][0]["comment"] == "Loved it"
    await ana.send("/deleteme")
    await ana.tap("🗑 Yes, delete everything", (await ana.last())["message_id"])
    assert (await ana.last())["text"].startswith("Done. I deleted all your data.")
    async with db() as session:
        left = await session.scalar(select(func.count()).select_from(Feedback))
    assert left == 0
