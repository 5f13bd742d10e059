"""Lists of activities are paged and filtered in SQL: pages hold what the person may join, in
order, and "next" appears exactly when there is more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.session import SessionFactory
from bot.services import catalog
from bot.services.catalog import PAGE_SIZE, Filter
from tests.factories import activity, hub, person

ROME = ZoneInfo("Europe/Rome")


async def test_for_me_pages_only_what_fits_the_age_and_interests_in_order(
    db: SessionFactory,
) -> None:
    place = await hub(db)
    start = datetime.now(UTC) + timedelta(days=1)
    fitting, others = [], []
    for n in range(2 * PAGE_SIZE + 3):  # 19 for teenagers who like sport, in time order
        made = await activity(
            db, place.id, starts=start + timedelta(hours=n), min_age=14, max_age=17
        )
        fitting.append(made.id)
    for n in range(6):  # for adults, or not sport: never shown
        made = await activity(db, place.id, starts=start + timedelta(minutes=n), min_age=18)
        others.append(made.id)
        made = await activity(
            db, place.id, starts=start + timedelta(minutes=n), category="culture", max_age=17
        )
        others.append(made.id)
    teen = await person(db, "14_17")
    seen: list[int] = []
    async with db() as session:
        teen.interests = ["sport"]
        for number in range(3):
            page = await catalog.find(
                session, Filter("mine"), user=teen, locale="en", default="it", zone=ROME,
                now=datetime.now(UTC), page=number,
            )  # fmt: skip
            seen += [a.id for a in page.activities]
            assert page.has_next == (number < 2)
            assert len(page.activities) == (PAGE_SIZE if number < 2 else 3)
    assert seen == fitting and not set(seen) & set(others)


async def test_the_week_list_is_paged_with_a_next_only_when_there_is_more(
    db: SessionFactory,
) -> None:
    place = await hub(db)
    start = datetime.now(UTC) + timedelta(hours=3)
    for n in range(PAGE_SIZE):
        await activity(db, place.id, starts=start + timedelta(hours=n))
    await activity(db, place.id, starts=start + timedelta(days=8))  # after this week
    async with db() as session:
        first = await catalog.find(
            session, Filter("week"), user=None, locale="en", default="it", zone=ROME,
            now=datetime.now(UTC),
        )  # fmt: skip
    assert len(first.activities) == PAGE_SIZE and not first.has_next
