"""Reminders: their local times (daylight saving, quiet hours), opting out, the buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.db.models import OutboxMessage, Signup, User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.services.reminders import due_at
from tests.factories import activity, hub
from tests.flows import onboard

ROME = ZoneInfo("Europe/Rome")


def local(moment: datetime) -> str:
    return moment.astimezone(ROME).strftime("%a %d %b %H:%M")


def test_the_day_before_at_the_same_local_time_across_the_clock_change() -> None:
    sunday = datetime(2026, 3, 29, 10, 0, tzinfo=ROME)  # summer time began at 02:00 that day
    assert local(due_at(sunday, 24, ROME)) == "Sat 28 Mar 10:00"
    assert local(due_at(sunday, 2, ROME)) == "Sun 29 Mar 08:00"
    autumn = datetime(2026, 10, 25, 18, 30, tzinfo=ROME)  # winter time began at 03:00
    assert local(due_at(autumn, 24, ROME)) == "Sat 24 Oct 18:30"
    assert due_at(autumn, 2, ROME) == autumn - timedelta(hours=2)


def test_quiet_hours_hold_reminders_until_eight() -> None:
    morning = datetime(2026, 12, 3, 9, 30, tzinfo=ROME)
    assert local(due_at(morning, 2, ROME)) == "Thu 03 Dec 08:00"  # 07:30 waits for 08:00
    late = datetime(2026, 12, 3, 23, 0, tzinfo=ROME)
    assert local(due_at(late, 24, ROME)) == "Thu 03 Dec 08:00"  # not Wed 23:00
    assert local(due_at(late, 2, ROME)) == "Thu 03 Dec 21:00"


def test_an_activity_that_early_is_reminded_at_night() -> None:
    dawn = datetime(2026, 12, 3, 7, 0, tzinfo=ROME)
    assert local(due_at(dawn, 2, ROME)) == "Thu 03 Dec 05:00"
    night = datetime(2026, 12, 3, 8, 5, tzinfo=ROME)
    assert local(due_at(night, 2, ROME)) == "Thu 03 Dec 06:05"  # 08:00 would be too late


async def sign_up_days_ago(
    db: SessionFactory, user_id: int, activity_id: int, status: str = "confirmed"
) -> None:
    async with db.begin() as session:
        last = await session.scalar(
            select(Signup.queue_number)
            .where(Signup.activity_id == activity_id)
            .order_by(Signup.queue_number.desc())
            .limit(1)
        )
        session.add(
            Signup(
                user_id=user_id,
                activity_id=activity_id,
                status=status,
                queue_number=(last or 0) + 1,
                display_name="Sam",
                checkin_code=f"{user_id % 10000:04d}",
                created_at=datetime.now(UTC) - timedelta(days=3),
                updated_at=datetime.now(UTC) - timedelta(days=3),
            )
        )


async def test_a_reminder_comes_once_with_buttons_and_i_cant_come_frees_the_place(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    soon = datetime.now(UTC) + timedelta(hours=1, minutes=50)
    if (soon - timedelta(hours=2)).astimezone(ROME).hour >= 22 or (
        soon - timedelta(hours=2)
    ).astimezone(ROME).hour < 8:
        soon = datetime.now(UTC) + timedelta(
            minutes=20
        )  # quiet hours: the activity is "that early"
    chess = await activity(
        db, place.id, capacity=1, titles={"en": "Chess club", "fr": "Club d'échecs"}, starts=soon
    )
    ana = await onboard(client, "fr")
    ben = await onboard(client, "en")
    await sign_up_days_ago(db, ana.id, chess.id)
    await sign_up_days_ago(db, ben.id, chess.id, status="waitlisted")

    reminder = await ana.wait_message("Rappel")
    assert "Club d'échecs" in reminder["text"] and "Via San Vito 1, Lucca" in reminder["text"]
    assert ana.labels(reminder) == ["👍 Je serai là", "❌ Je ne peux pas venir"]
    await ana.tap("❌ Je ne peux pas venir", reminder["message_id"])
    assert (await ana.toasts())[-1]["text"] == "Ta place est annulée."
    await ben.wait_message("Good news! A place is free for you: Chess club")
    async with db() as session:
        statuses = dict((await session.execute(select(Signup.user_id, Signup.status))).all())
        keys = (
            await session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "reminder")
            )
        ).all()
    assert statuses == {ana.id: "cancelled", ben.id: "confirmed"}
    assert len(keys) == 1  # ben moved up after the reminder fell due: no reminder for him


async def test_no_reminders_for_those_who_turned_them_off(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    soon = datetime.now(UTC) + timedelta(minutes=20)
    chess = await activity(db, place.id, titles={"en": "Chess club"}, starts=soon)
    quiet = await onboard(client, "en")
    await quiet.tap("⚙️ Settings")
    await quiet.tap("⏰ Reminders on/off")
    loud = await onboard(client, "en")
    await sign_up_days_ago(db, quiet.id, chess.id)
    await sign_up_days_ago(db, loud.id, chess.id)
    await loud.wait_message("⏰ Reminder")
    await loud.tap("👍 I'll be there")
    assert (await loud.toasts())[-1]["text"] == "Great, see you there!"
    async with db() as session:
        chats = (
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.kind == "reminder")
            )
        ).all()
    assert chats == [loud.id]


async def test_a_cancelled_activity_sends_no_reminder(
    client: SandboxClient, db: SessionFactory
) -> None:
    from bot.db.models import Activity

    place = await hub(db)
    chess = await activity(
        db, place.id, titles={"en": "Chess club"}, starts=datetime.now(UTC) + timedelta(minutes=20)
    )
    async with db.begin() as session:
        await session.execute(update(Activity).values(status="cancelled"))
    user = await onboard(client, "en")
    await sign_up_days_ago(db, user.id, chess.id)
    await user.send("/help")  # time for a scan or two
    await user.send("/menu")
    async with db() as session:
        assert (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
        ).all() == []
        assert (await session.get(User, user.id)).notify_reminders is True  # type: ignore[union-attr]
