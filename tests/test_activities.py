"""Finding and joining activities end to end, as people tap them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from bot.db.models import Activity, Signup
from bot.db.session import SessionFactory
from bot.demo import load_demo
from bot.i18n import SUPPORTED_LOCALES
from bot.sandbox.client import SandboxClient, SandboxUser
from bot.sandbox.people import Emulator
from tests.factories import activity, hub
from tests.flows import ROME, onboard, translator
from tests.test_onboarding import assert_only_language, shown_texts


async def demo(db: SessionFactory) -> None:
    async with db.begin() as session:
        await load_demo(session, ROME)


async def first_card(user: SandboxUser, locale: str = "en") -> dict:
    t = translator(locale)
    await user.tap(t.pgettext("menu", "🗓 Activities"))
    await user.tap(t.pgettext("button", "🗓 This week"))
    listing = await user.last()
    await user.tap(listing["buttons"][0][0]["text"])
    return await user.last()


async def test_a_new_user_joins_an_activity_in_four_taps(
    client: SandboxClient, db: SessionFactory
) -> None:
    await demo(db)
    user = await onboard(client, "en")
    card = await first_card(user)  # 🗓 Activities, 🗓 This week, the activity: three taps
    assert "📍 Centro San" in card["text"] and "places left" in card["text"]
    await user.tap("✅ Sign up")  # the fourth
    assert (await user.toasts())[-1]["text"] == "You have a place! See you there."
    card = await user.last()
    assert "✅ You have a place. Your check-in code:" in card["text"]
    assert "❌ Cancel my place" in user.labels(card)
    async with db() as session:
        signup = await session.scalar(select(Signup).where(Signup.user_id == user.id))
    assert (
        signup is not None and signup.status == "confirmed" and signup.checkin_code in card["text"]
    )


async def test_browse_card_calendar_cancel_and_waitlist_promotion_in_three_languages(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    place = await hub(db)
    start = datetime.now(UTC) + timedelta(days=2)
    small = await activity(
        db,
        place.id,
        capacity=1,
        starts=start,
        titles={"en": "Chess club", "ar": "نادي الشطرنج", "uk": "Шаховий клуб"},
    )
    first = await onboard(client, "ar")
    second = await onboard(client, "uk")
    third = await onboard(client, "en")

    card = await first_card(first, "ar")
    assert card["text"].startswith("\u200f") and "نادي الشطرنج" in card["text"]
    await first.tap(translator("ar").pgettext("button", "✅ Sign up"))

    card = await first_card(second, "uk")
    assert "Шаховий клуб" in card["text"]
    await second.tap(translator("uk").pgettext("button", "✅ Sign up"))
    assert (await second.toasts())[-1]["text"] == "Заходів повно." or "1" in (
        await second.toasts()
    )[-1]["text"]
    assert "⏳" in (await second.last())["text"]

    await first_card(third, "en")
    await third.tap("✅ Sign up")
    assert (await third.toasts())[-1][
        "text"
    ] == "The activity is full. You are number 2 on the waitlist."

    await first.tap(translator("ar").pgettext("button", "📅 Add to calendar"))
    document = (await first.last())["document"]
    calendar = icalendar.Calendar.from_ical(await client.file(document["file_id"]))
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["uid"]) == f"activity-{small.id}@porta_sandbox_bot"
    assert str(event["summary"]) == "نادي الشطرنج"
    assert event["dtstart"].dt.tzinfo.key == "Europe/Rome"
    assert "Via San Vito 1, Lucca" in str(event["location"])
    assert calendar.walk("VTIMEZONE")

    await first.tap(translator("ar").pgettext("button", "❌ Cancel my place"))
    assert (await first.toasts())[-1]["text"]
    promoted = await second.wait_message("🎉 Гарна новина!")
    assert "Шаховий клуб" in promoted["text"] and second.labels(promoted) == ["Переглянути захід"]
    async with db() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Signup.user_id, Signup.status).where(Signup.activity_id == small.id)
                )
            ).all()
        )
    assert statuses == {first.id: "cancelled", second.id: "confirmed", third.id: "waitlisted"}
    assert emulator.unanswered_queries() == []


async def test_where_sends_the_hub_as_a_venue(client: SandboxClient, db: SessionFactory) -> None:
    await demo(db)
    user = await onboard(client, "en")
    await first_card(user)
    await user.tap("📍 Where")
    venue = (await user.last())["venue"]
    assert venue["title"].startswith("Centro San") and "Lucca" in venue["address"]


async def test_lists_are_paged_by_eight(client: SandboxClient, db: SessionFactory) -> None:
    place = await hub(db)
    start = datetime.now(UTC) + timedelta(days=1)
    for n in range(10):
        await activity(
            db, place.id, starts=start + timedelta(hours=n), titles={"en": f"Session {n}"}
        )
    user = await onboard(client, "en")
    await user.tap("🗓 Activities")
    await user.tap("🗓 This week")
    page = await user.last()
    assert [len(row) for row in page["buttons"]] == [1] * 8 + [1, 1]
    assert user.labels(page)[-2:] == ["Next ▶", "⬅ Back"]
    await user.tap("Next ▶")
    page = await user.last()
    assert [b.split(" · ")[-1] for b in user.labels(page)[:2]] == ["Session 8", "Session 9"]
    assert user.labels(page)[-2:] == ["◀ Previous", "⬅ Back"]


async def test_search_by_a_word_in_the_users_language(
    client: SandboxClient, db: SessionFactory
) -> None:
    await demo(db)
    user = await onboard(client, "it")
    await user.tap("🗓 Attività")
    await user.tap("🔎 Cerca")
    await user.send("calcetto")
    found = await user.last()
    assert found["buttons"] and all("Calcetto" in b for b in user.labels(found)[:-1])
    await user.send("/menu")
    await user.tap("🗓 Attività")
    await user.tap("🔎 Cerca")
    await user.send("scacchi")
    assert (await user.last())["text"] == "Per ora qui non c'è niente. Prova un'altra scelta."


async def test_search_ignores_capitals_in_every_script(
    client: SandboxClient, db: SessionFactory
) -> None:
    await demo(db)
    user = await onboard(client, "uk")
    await user.tap("🗓 Заходи")
    await user.tap("🔎 Пошук")
    await user.send("міні")  # the title is "Міні-футбол"
    found = await user.last()
    assert found["buttons"] and all("Міні-футбол" in b for b in user.labels(found)[:-1])


async def test_cancelled_and_past_activities_are_not_offered(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    gone = await activity(db, place.id, starts=datetime.now(UTC) - timedelta(days=1))
    off = await activity(db, place.id, starts=datetime.now(UTC) + timedelta(days=1))
    async with db.begin() as session:
        (await session.get(Activity, off.id)).status = "cancelled"  # type: ignore[union-attr]
    user = await onboard(client, "en")
    await user.send(f"/start a{off.id}")
    card = await user.last()
    assert "❌ This activity is cancelled." in card["text"] and "✅ Sign up" not in user.labels(
        card
    )
    await user.tap_data(card["message_id"], f"sg:1:j:{off.id}:none..0")
    assert (await user.toasts())[-1]["text"] == "Sign-up is closed for this activity."
    await user.send(f"/start a{gone.id}")
    assert "This activity is over." in (await user.last())["text"]


async def test_age_range_and_under_14s(client: SandboxClient, db: SessionFactory) -> None:
    place = await hub(db)
    adults = await activity(
        db, place.id, min_age=18, max_age=35, starts=datetime.now(UTC) + timedelta(days=1)
    )
    teen = await onboard(client, "en", age="14_17")
    await teen.send(f"/start a{adults.id}")
    await teen.tap("✅ Sign up")
    assert (await teen.toasts())[-1]["text"] == "This activity is for ages 18 to 35."
    child = await onboard(client, "en", age="u14")
    await child.send(f"/start a{adults.id}")
    await child.tap("✅ Sign up")
    assert (await child.toasts())[-1]["text"].startswith("You are under 14: a parent or guardian")
    async with db() as session:
        assert (await session.scalars(select(Signup))).all() == []


async def test_deep_links_open_an_activity_or_a_hub(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db, "Centro Test")
    chess = await activity(
        db, place.id, titles={"en": "Chess club"}, starts=datetime.now(UTC) + timedelta(days=1)
    )
    user = await onboard(client, "en", start=f"/start a{chess.id}")
    assert (await user.last())["text"].startswith("Chess club")
    await user.send(f"/start h{place.id}")
    hub_page = await user.last()
    assert (
        hub_page["text"].startswith("🏠 Centro Test") and "Chess club" in user.labels(hub_page)[0]
    )
    await user.send("/start a999999")
    assert (await user.last())["text"].startswith("I can't find this page")


async def test_double_taps_and_forged_data_never_duplicate_or_touch_others(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    chess = await activity(
        db, place.id, titles={"en": "Chess club"}, starts=datetime.now(UTC) + timedelta(days=1)
    )
    owner = await onboard(client, "en", start=f"/start a{chess.id}")
    card = await owner.last()
    await owner.tap("✅ Sign up", card["message_id"])
    await owner.tap_data(card["message_id"], f"sg:1:j:{chess.id}:none..0")
    intruder = await onboard(client, "en", start=f"/start a{chess.id}")
    other_card = await intruder.last()
    await intruder.tap_data(other_card["message_id"], f"sg:1:x:{chess.id}:none..0")
    assert (await intruder.toasts())[-1]["text"] == "You are not signed up."
    await intruder.tap_data(other_card["message_id"], "sg:1:x:notanumber:none..0")
    assert (await intruder.toasts())[-1]["text"] == "This button is old. Please use the menu below."
    async with db() as session:
        rows = (await session.scalars(select(Signup))).all()
    assert [(r.user_id, r.status) for r in rows] == [(owner.id, "confirmed")]


async def test_my_things_lists_sign_ups_with_their_status(
    client: SandboxClient, db: SessionFactory
) -> None:
    place = await hub(db)
    soon = datetime.now(UTC) + timedelta(days=1)
    full = await activity(db, place.id, capacity=1, titles={"en": "Chess club"}, starts=soon)
    open_ = await activity(
        db, place.id, titles={"en": "Book club"}, starts=soon + timedelta(days=1)
    )
    someone = await onboard(client, "en", start=f"/start a{full.id}")
    await someone.tap("✅ Sign up")
    user = await onboard(client, "en", start=f"/start a{full.id}")
    await user.tap("✅ Sign up")
    await user.send(f"/start a{open_.id}")
    await user.tap("✅ Sign up")
    await user.tap("⭐ My things")
    mine = await user.last()
    labels = user.labels(mine)
    assert labels[0].startswith("⏳ 1 ") and labels[0].endswith("Chess club")
    assert labels[1].startswith("✅ ") and labels[1].endswith("Book club")
    await user.tap(labels[1])
    await user.tap("❌ Cancel my place")
    await user.tap("⬅ Back")
    assert user.labels(await user.last()) == [labels[0]]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_in_every_language_a_demo_activity_is_joined_in_four_taps(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    await demo(db)
    t = translator(locale)
    user = await onboard(client, locale)
    card = await first_card(user, locale)
    await user.tap(t.pgettext("button", "✅ Sign up"))
    assert (await user.toasts())[-1]["text"] == t("You have a place! See you there.")
    screen = await user.screen()
    assert_only_language(locale, shown_texts(screen["messages"], screen["keyboard"]))
    assert card["text"]
    async with db() as session:
        assert (await session.scalars(select(Signup.status))).all() == ["confirmed"]


async def test_for_me_by_hub_by_kind_and_accessible(
    client: SandboxClient, db: SessionFactory
) -> None:
    north, south = await hub(db, "Centro Nord"), await hub(db, "Centro Sud")
    soon = datetime.now(UTC) + timedelta(days=1)
    await activity(db, north.id, titles={"en": "Football"}, category="sport", starts=soon)
    await activity(
        db, south.id, titles={"en": "Painting"}, category="culture", starts=soon, accessible=True
    )
    await activity(
        db, south.id, titles={"en": "Adults' football"}, category="sport", starts=soon, min_age=30
    )

    async def titles() -> list[str]:
        return [b.split(" · ")[-1] for b in user.labels(await user.last())[:-1]]

    user = await onboard(client, "en", interests=("sport",))
    await user.tap("🗓 Activities")
    await user.tap("✨ For me")
    assert await titles() == ["Football"]  # sport, and for 18–24
    await user.tap("⬅ Back")
    await user.tap("♿ Accessible")
    assert await titles() == ["Painting"]
    await user.tap("⬅ Back")
    await user.tap("🏠 By hub")
    await user.tap("Centro Sud")
    assert (await user.last())["text"].startswith("🏠 Centro Sud")
    assert await titles() == ["Painting", "Adults' football"]
    await user.tap("⬅ Back")
    await user.tap("🏷 By kind")
    await user.tap("🎭 Culture and art")
    assert await titles() == ["Painting"]
