"""Hub staff run an activity from creation to check-in without leaving Telegram."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Activity, Signup
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from tests.factories import activity, hub
from tests.flows import onboard, staff


async def test_create_an_activity_step_by_step_with_a_second_language(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db, "Centro San Vito")
    worker = await staff(client, db)
    await worker.send("/newactivity")
    await worker.tap("Centro San Vito")
    await worker.send("Board games night")
    await worker.tap("⚽ Sport")
    await worker.send("yesterday at five")
    assert (await worker.last())["text"].startswith("That does not look right.")
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%d/%m/%Y 18:00")
    await worker.send(start)
    await worker.send("120")
    await worker.send("lots")
    assert (await worker.last())["text"].startswith("That does not look right.")
    await worker.send("12")
    await worker.send("Bring a friend.")
    await worker.tap("العربية")
    await worker.send("ليلة ألعاب")
    await worker.send("أحضر صديقًا.")
    await worker.tap("✅ Save the activity")
    view = (await worker.last())["text"]
    assert view.startswith("🛠 Board games night") and "Places taken: 0 of 12" in view
    async with db() as session:
        made = await session.scalar(select(Activity).where(Activity.hub_id == place.id))
    assert made is not None and made.capacity == 12 and made.category == "sport"
    assert {t.language: t.title for t in made.texts} == {
        "ar": "ليلة ألعاب",
        "en": "Board games night",
    }
    assert f"?start=a{made.id}" in view


async def test_people_check_in_csv_figures_and_cancel(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    place = await hub(db)
    soon = datetime.now(UTC) + timedelta(days=1)
    chess = await activity(
        db, place.id, capacity=1, titles={"en": "Chess club", "ar": "نادي الشطرنج"}, starts=soon
    )
    ana = await onboard(client, "en", start=f"/start a{chess.id}")
    await ana.tap("✅ Sign up")
    code = (await ana.last())["text"].split("check-in code: ")[1].strip()
    omar = await onboard(client, "ar", start=f"/start a{chess.id}")
    await omar.tap("✅ سجّلني")

    worker = await staff(client, db)
    await worker.send("/manage")
    await worker.tap((await worker.last())["buttons"][0][0]["text"])
    assert "Places taken: 1 of 1. Waitlist: 1." in (await worker.last())["text"]
    await worker.tap("👥 People")
    people = await worker.last()
    assert worker.labels(people)[0] == f"⬜ Sam · {code}" and "1. Sam" in people["text"]

    await worker.tap("⬅ Back")
    await worker.tap("✅ Check in by code")
    await worker.send("0000" if code != "0000" else "9999")
    assert (await worker.last())["text"].startswith("No one with a place has the code")
    await worker.send(code)
    assert (await worker.last())[
        "text"
    ] == "✅ Sam is checked in. Write the next code, or tap Done."
    await worker.tap("Done")
    assert "Came: 1." in (await worker.last())["text"]

    await worker.tap("📄 List as CSV")
    document = (await worker.last())["document"]
    rows = list(
        csv.reader(io.StringIO((await client.file(document["file_id"])).decode("utf-8-sig")))
    )
    assert rows[0] == ["order", "first_name", "status", "checkin_code", "signed_up_at"]
    assert [r[2] for r in rows[1:]] == ["attended", "waitlisted"]

    await worker.tap("❌ Cancel activity")
    await worker.tap("❌ Yes, cancel it")
    assert any("Status: cancelled" in m["text"] for m in await worker.bot_messages())
    assert (await omar.wait_message("❌ عذرًا، نادي الشطرنج"))["text"].startswith("\u200f❌")
    async with db() as session:
        assert (await session.get(Activity, chess.id)).status == "cancelled"  # type: ignore[union-attr]
    assert emulator.unanswered_queries() == []


async def test_tapping_a_name_checks_in_and_again_undoes(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    chess = await activity(
        db, place.id, titles={"en": "Chess club"}, starts=datetime.now(UTC) + timedelta(days=1)
    )
    ana = await onboard(client, "en", start=f"/start a{chess.id}")
    await ana.tap("✅ Sign up")
    worker = await staff(client, db)
    await worker.send("/manage")
    await worker.tap((await worker.last())["buttons"][0][0]["text"])
    await worker.tap("👥 People")
    name = worker.labels(await worker.last())[0]
    await worker.tap(name)
    assert worker.labels(await worker.last())[0].startswith("✅ Sam")
    await worker.tap(worker.labels(await worker.last())[0])
    assert worker.labels(await worker.last())[0].startswith("⬜ Sam")


async def test_editing_capacity_promotes_and_a_new_time_is_announced(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    chess = await activity(
        db,
        place.id,
        capacity=1,
        titles={"en": "Chess club"},
        starts=datetime.now(UTC) + timedelta(days=1),
    )
    ana = await onboard(client, "en", start=f"/start a{chess.id}")
    await ana.tap("✅ Sign up")
    ben = await onboard(client, "uk", start=f"/start a{chess.id}")
    await ben.tap("✅ Записатися")
    worker = await staff(client, db)
    await worker.send("/manage")
    await worker.tap((await worker.last())["buttons"][0][0]["text"])
    await worker.tap("✏️ Edit")
    await worker.tap("Places")
    await worker.send("2")
    assert "Places taken: 2 of 2. Waitlist: 0." in (await worker.last())["text"]
    await ben.wait_message("🎉")
    await worker.tap("✏️ Edit")
    await worker.tap("Date and time")
    later = (datetime.now(UTC) + timedelta(days=5)).astimezone().strftime("%d/%m/%Y 19:30")
    await worker.send(later)
    await ana.wait_message("🕒 New time for Chess club:")
    assert "19:30" in (await ben.wait_message("🕒"))["text"]
    async with db() as session:
        statuses = sorted((await session.scalars(select(Signup.status))).all())
    assert statuses == ["confirmed", "confirmed"]


@pytest.mark.parametrize(
    "data", ["op:1:v:1", "op:1:xx:1", "op:1:ci:1:1", "op:1:csv:1", "op:1:nf:0"]
)
async def test_staff_buttons_refuse_everyone_else(
    client: SandboxClient, db: SessionFactory, data: str
) -> None:
    place = await hub(db)
    chess = await activity(
        db, place.id, titles={"en": "Chess club"}, starts=datetime.now(UTC) + timedelta(days=1)
    )
    user = await onboard(client, "en")
    menu = (await user.bot_messages())[-1]
    await user.tap_data(
        menu["message_id"], data.replace(":1:1", f":{chess.id}:1").replace("v:1", f"v:{chess.id}")
    )
    assert (await user.toasts())[-1]["text"] == "Sorry, this command is only for hub staff."
    async with db() as session:
        assert (await session.get(Activity, chess.id)).status == "scheduled"  # type: ignore[union-attr]


async def test_the_people_screen_is_paged_for_a_big_activity(
    client: SandboxClient, db: SessionFactory
) -> None:
    from tests.factories import person

    place = await hub(db)
    party = await activity(
        db,
        place.id,
        capacity=120,
        titles={"en": "Party"},
        starts=datetime.now(UTC) + timedelta(days=1),
    )
    async with db.begin() as session:
        for n in range(110):
            user = await person(db)
            session.add(
                Signup(
                    user_id=user.id,
                    activity_id=party.id,
                    status="confirmed",
                    queue_number=n + 1,
                    display_name=f"P{n}",
                    checkin_code=f"{n:04d}",
                )
            )
    worker = await staff(client, db)
    await worker.send("/manage")
    await worker.tap((await worker.last())["buttons"][0][0]["text"])
    await worker.tap("👥 People")
    first = worker.labels(await worker.last())
    assert len(first) == 40 + 2 and first[-2:] == ["Next ▶", "⬅ Back"]
    await worker.tap("Next ▶")
    await worker.tap("Next ▶")
    last = worker.labels(await worker.last())
    assert len(last) == 30 + 2 and last[-2] == "◀ Previous" and last[0] == "⬜ P80 · 0080"
    await worker.tap(last[0])
    assert worker.labels(await worker.last())[0] == "✅ P80 · 0080"  # still on the third page
