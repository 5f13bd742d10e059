"""The users and operators services, against the real test database."""

from __future__ import annotations

import pytest

from bot.db.models import User
from bot.db.session import SessionFactory
from bot.services import operators, users


async def test_ensure_creates_once_and_clears_a_block(db: SessionFactory) -> None:
    async with db.begin() as session:
        created = await users.ensure(session, 7, 7, "ar")
        assert (created.step, created.telegram_language, created.interests) == ("welcome", "ar", [])
    async with db.begin() as session:
        again = await users.ensure(session, 7, 7, "en")
        assert again.telegram_language == "ar"  # kept; the locale gate updates it
        await users.mark_blocked(session, 7)
    async with db.begin() as session:
        assert (await users.get(session, 7)).blocked_at is not None  # type: ignore[union-attr]
        await users.ensure(session, 7, 7)
    async with db() as session:
        assert (await users.get(session, 7)).blocked_at is None  # type: ignore[union-attr]


async def test_onboarding_steps_in_order(db: SessionFactory) -> None:
    async with db.begin() as session:
        user = await users.ensure(session, 1, 1)
        user.step = "age"
        users.set_age_band(user, "14_17")
        assert user.step == "consent" and not users.may_store_personal_data(user)
        users.record_consent(user)
        assert user.step == "neighbourhood" and users.may_store_personal_data(user)
        users.set_neighbourhood(user, "  San   Concordio ")
        assert (user.step, user.neighbourhood) == ("interests", "San Concordio")
        users.toggle_interest(user, "sport")
        users.toggle_interest(user, "culture")
        users.toggle_interest(user, "sport")
        user.pending_link = "a12"
        assert users.finish_onboarding(user) == "a12"
        assert (user.step, user.pending_link, user.interests) == ("done", None, ["culture"])
    with pytest.raises(ValueError):
        users.set_age_band(user, "ancient")
    with pytest.raises(ValueError):
        users.toggle_interest(user, "chess")


async def test_an_under_14_keeps_nothing_personal_until_a_guardian_consents(
    db: SessionFactory,
) -> None:
    async with db.begin() as session:
        user = await users.ensure(session, 2, 2)
        user.step, user.neighbourhood, user.interests = "done", "San Vito", ["sport"]
        users.record_consent(user)
        users.set_age_band(user, "u14")  # changed from settings
        code = user.guardian_code
        assert code and len(code) == 6
        assert (user.step, user.age_band, user.neighbourhood, user.interests, user.consent_at) == (
            users.GUARDIAN,
            None,
            None,
            [],
            None,
        )
        assert not users.may_store_personal_data(user)
    async with db.begin() as session:
        assert await users.record_guardian_consent(session, "NOPE42", 99) is None
        child = await users.record_guardian_consent(session, f" {code.lower()} ", 99)
        assert child is not None
        assert (child.step, child.age_band, child.guardian_code, child.guardian_recorded_by) == (
            "done",
            "u14",
            None,
            99,
        )
        assert users.may_store_personal_data(child)


async def test_export_holds_every_column(db: SessionFactory) -> None:
    async with db.begin() as session:
        user = await users.ensure(session, 3, 3, "uk")
        users.record_consent(user)
    exported = users.export(user)
    assert exported["telegram_id"] == 3 and exported["telegram_language"] == "uk"
    flat = str(exported)
    for column in User.__table__.columns:
        if column.name not in ("id", "chat_id", "step", "consent_at", "notice_version"):
            key = column.name.removeprefix("notify_").removeprefix("guardian_")
            assert key.split("_")[0] in flat, column.name


async def test_erase_deletes_the_row(db: SessionFactory) -> None:
    async with db.begin() as session:
        await users.ensure(session, 4, 4)
    async with db.begin() as session:
        assert await users.erase(session, 4) is True
    async with db.begin() as session:
        assert await users.erase(session, 4) is False
        assert await users.get(session, 4) is None


async def test_operators_roles_and_figures(db: SessionFactory) -> None:
    async with db.begin() as session:
        await operators.add(session, 10, "operator")
        await operators.add(session, 10, "admin")
        await operators.add(session, 11, "operator")
        with pytest.raises(ValueError):
            await operators.add(session, 12, "boss")
        for user_id, band in ((20, "18_24"), (21, "18_24"), (22, None)):
            user = await users.ensure(session, user_id, user_id)
            user.age_band = band
    async with db.begin() as session:
        assert await operators.role_of(session, 10) == "admin"
        assert await operators.remove(session, 11) is True
        assert [o.telegram_id for o in await operators.all_operators(session)] == [10]
        figures = await operators.user_figures(session)
    assert figures["age_band"] == {"18_24": 2, "-": 1}
