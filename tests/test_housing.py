"""🏠 Housing for the young person: the emergency screen for anyone, programme pages, the
request form's rules (under-14s, a form left half way), and what /mydata, /deleteme and the
retention purge do with cases."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Case, CaseEvent, CaseMessage, Form, User
from bot.db.session import SessionFactory
from bot.i18n import SUPPORTED_LOCALES
from bot.sandbox.client import SandboxClient, SandboxUser
from bot.sandbox.runner import Sandbox
from bot.services import casedata
from handlers.casecard import SITUATIONS
from handlers.labels import MENU_LABELS, label
from handlers.request_form import UNDER_14
from tests.casework import in_topic, programmes, team, topic_of
from tests.flows import onboard, translator

SOS = ("button", "🆘 Nowhere to sleep tonight")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_the_emergency_screen_in_every_language_before_onboarding(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    found = await programmes(db)
    t = translator(locale)
    user = await client.add_user("Amira", locale)
    await user.send("/start")
    await user.tap(t.pgettext(*SOS))
    screen, venue = (await user.bot_messages())[-2:]
    assert "112" in screen["text"]
    assert found["street-unit"].contact in screen["text"]
    assert found["street-unit"].texts[locale]["title"] in screen["text"]
    assert t.pgettext("button", "💬 Talk to a person now") in user.labels(screen)
    assert venue["venue"]["title"].endswith(
        tuple(found[k].texts[locale]["title"] for k in ("canteen", "night-shelter", "day-centre"))
    )
    if locale in ("ar", "ur"):
        assert screen["text"].startswith("\u200f")
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 0
        assert await session.scalar(select(func.count()).select_from(Form)) == 0
        stored = await session.get(User, user.id)
    assert stored is not None and stored.step == "welcome"  # nothing more than /start saved


async def test_sos_for_someone_who_never_started_stores_nothing(
    client: SandboxClient, db: SessionFactory
) -> None:
    await programmes(db)
    user = await client.add_user("Omar", "ar")
    await user.send("/sos")
    assert "112" in (await user.bot_messages())[-2]["text"]
    await user.send_kind("location", (43.8435, 10.5040))
    near = (await user.bot_messages())[-1]
    assert "venue" in near
    async with db() as session:
        assert await session.get(User, user.id) is None


async def test_two_taps_from_the_main_menu_and_a_programme_page(
    client: SandboxClient, db: SessionFactory
) -> None:
    found = await programmes(db)
    fr = translator("fr")
    user = await onboard(client, "fr")
    await user.tap(label(fr, MENU_LABELS["housing"]))
    listing = await user.last()
    for key in ("collaborative-housing", "dopo-di-noi", "housing-first", "host-families"):
        assert any(found[key].texts["fr"]["title"] in b for b in user.labels(listing))
    canteen = found["canteen"].texts["fr"]["title"]
    await user.tap(next(b for b in user.labels(listing) if canteen in b))
    page = await user.last()
    assert found["canteen"].address and found["canteen"].address in page["text"]
    assert len(page["text"]) < 1500
    await user.tap(fr.pgettext("button", "📍 Map"))
    assert (await user.last())["venue"]["address"] == found["canteen"].address
    await user.tap(fr.pgettext("button", "⬅️ Back"))
    await user.tap(fr.pgettext(*SOS))
    assert "112" in (await user.bot_messages())[-2]["text"]


async def test_under_14s_get_help_but_no_form(client: SandboxClient, db: SessionFactory) -> None:
    found = await programmes(db)
    uk = translator("uk")
    child = await onboard(client, "uk", age="u14")
    await child.tap(label(uk, MENU_LABELS["housing"]))
    title = found["housing-first"].texts["uk"]["title"]
    await child.tap(next(b for b in child.labels(await child.last()) if title in b))
    await child.tap(uk.pgettext("button", "✉️ Ask about this"))
    refused = await child.last()
    assert refused["text"].startswith(uk(UNDER_14).split("(")[0].strip()[:20])
    assert uk.pgettext(*SOS) in child.labels(refused)
    await child.tap(uk.pgettext("button", "💬 Talk to a person now"))
    await child.send("Мені страшно вдома")
    async with db() as session:
        [case] = (await session.scalars(select(Case))).all()
        assert await session.scalar(select(func.count()).select_from(Form)) == 0
    assert (case.kind, case.urgency, case.fields) == ("person", "normal", {})


async def test_a_form_left_half_way_is_kept_and_can_be_continued_or_stopped(
    sandbox: Sandbox, client: SandboxClient, db: SessionFactory
) -> None:
    await programmes(db)
    en = translator("en")
    user = await onboard(client, "en")
    await user.tap(label(en, MENU_LABELS["housing"]))
    await user.tap(next(b for b in user.labels(await user.last()) if "Housing First" in b))
    await user.tap(en.pgettext("button", "✉️ Ask about this"))
    await user.tap(en.pgettext("button", "👤 Alone"))
    await user.tap(en.pgettext(*SITUATIONS["shelter"]))
    async with db() as session:
        form = await session.get(Form, user.id)
    assert form is not None and form.step == "when" and form.data["situation"] == "shelter"
    user = SandboxUser(await sandbox.restart_bot(), user.id)  # Porta restarts meanwhile
    await user.send("/menu")
    await user.tap(label(en, MENU_LABELS["housing"]))
    await user.tap(en.pgettext("button", "▶️ Continue your request"))
    assert (await user.last())["text"] == "When do you need a home?"
    await user.tap(label(en, MENU_LABELS["housing"]))
    await user.tap(next(b for b in user.labels(await user.last()) if "Housing First" in b))
    await user.tap(en.pgettext("button", "✉️ Ask about this"))
    assert "did not finish" in (await user.last())["text"]
    await user.tap(en.pgettext("button", "▶️ Continue"))
    assert (await user.last())["text"] == "When do you need a home?"
    again = (await user.last())["message_id"]
    await user.tap_data(again, "rq:1:situation:street")  # an old button: nothing changes
    assert any(t["text"] == "Already saved." for t in await user.toasts())
    await user.tap(en.pgettext("button", "✖️ Stop"))
    assert "Nothing was sent" in (await user.last())["text"]
    async with db() as session:
        assert await session.get(Form, user.id) is None


async def test_mydata_deleteme_and_the_retention_purge(
    client: SandboxClient, db: SessionFactory
) -> None:
    await programmes(db)
    chat, _ = await team(client, db, "youth")
    en = translator("en")
    user = await onboard(client, "en")
    await user.tap(label(en, MENU_LABELS["person"]))
    await user.send("I need to talk")
    async with db() as session:
        [case] = (await session.scalars(select(Case))).all()
    thread = await topic_of(client, chat, case.reference)
    await in_topic(client, chat, thread, 2)

    await user.send("/mydata")
    exported = json.loads(await client.file((await user.last())["document"]["file_id"]))
    assert [r["reference"] for r in exported["requests"]] == [case.reference]

    await user.send("/deleteme")
    await user.tap(en.pgettext("button", "🗑 Yes, delete everything"))
    messages = await in_topic(client, chat, thread, 3, seconds=60)
    withdrawn = translator("it")("🗑 The young person deleted their data. Case withdrawn.")
    assert messages[-1]["text"] == withdrawn
    for _ in range(100):
        if any(t["closed"] for t in await client.topics(chat)):
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("the topic of a withdrawn case stayed open")
    erased = translator("it")("🗑 {reference}: the details were deleted.")
    for _ in range(100):  # the card in the topic keeps nothing about the person either
        if (await client.topic_messages(chat, thread))[1]["text"] == erased.format(
            reference=case.reference
        ):
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("the card kept the person's details")
    async with db() as session:
        [kept] = (await session.scalars(select(Case))).all()
        assert await session.scalar(select(func.count()).select_from(CaseMessage)) == 0
        events = (await session.scalars(select(CaseEvent))).all()
    assert (kept.reference, kept.status, kept.user_id, kept.chat_id) == (
        case.reference, "withdrawn", None, None,
    )  # fmt: skip
    assert kept.fields == {} and kept.purged_at is not None
    assert {e.action for e in events} >= {"opened", "erased"}
    assert all(e.actor_id is None for e in events)


async def test_closed_cases_lose_their_personal_fields_after_the_retention_period(
    db: SessionFactory,
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=200)
    async with db.begin() as session:
        session.add(User(id=70_001, chat_id=70_001, step="done", interests=[]))
        await session.flush()
        for number, closed in enumerate((long_ago, datetime.now(UTC) - timedelta(days=3)), 1):
            session.add(
                Case(
                    reference=f"H-2026-{number:04d}",
                    kind="housing",
                    team="housing",
                    user_id=70_001,
                    chat_id=70_001,
                    language="ar",
                    status="closed",
                    closed_at=closed,
                    fields={"phone": "+39 333"},
                    urgency="high",
                    health={"needs": ["home"], "note": ""},
                    health_consent_at=long_ago,
                )
            )
    async with db.begin() as session:
        assert len(await casedata.purge(session, 180)) == 1
    async with db() as session:
        old, recent = (await session.scalars(select(Case).order_by(Case.reference))).all()
    gone = (old.user_id, old.chat_id, old.fields, old.health, old.purged_at is not None)
    assert gone == (None, None, {}, None, True)
    kept = (old.reference, old.kind, old.status, old.urgency)
    assert kept == ("H-2026-0001", "housing", "closed", "high")
    assert recent.fields == {"phone": "+39 333"} and recent.user_id == 70_001
