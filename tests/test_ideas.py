"""💡 Ideas through the emulator: proposed in Bengali, moderated by an Italian-speaking youth
worker from the group (the reasons reaching the proposer in Bengali), backed in three
languages, fifty taps at once counting once, the milestones, a report, refusals, forged
buttons, erasure, and the whole way to the board in all nine languages."""

from __future__ import annotations

import asyncio
import csv
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Backing, Idea, Signup
from bot.db.session import SessionFactory
from bot.i18n import SUPPORTED_LOCALES, Translator
from bot.ideas_cli import register
from bot.printed.report import build
from bot.sandbox.client import SandboxClient, SandboxUser
from bot.sandbox.people import Emulator
from bot.services import ideas
from handlers.callbacks import pack
from handlers.common import ALREADY_SAVED, TOO_LONG
from handlers.ideas import GUARDIAN_FIRST, QUESTIONS, SENT
from handlers.ideas_board import REACHED, REPORTED
from handlers.ideas_staff import APPROVED, ASK_CHANGES, CHANGES, TRANSLATE_USAGE, TRANSLATED
from handlers.labels import AGE_LABELS, MENU_LABELS, NEED_LABELS, TIMING_LABELS, label
from tests.casework import eventually, in_topic, new_from_bot, team, topic_of
from tests.commands import porta as run_porta
from tests.factories import hub, person
from tests.flows import ROME, onboard, translator

REFERENCE = re.compile(r"I-\d{4}-\d{4}")


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).replace("\u200f", "")


async def propose(
    user: SandboxUser, t: Translator, title: str, body: str = "Every week, at the hub."
) -> str:
    """The whole form, by tapping and typing; the reference it gets."""
    await user.tap(label(t, MENU_LABELS["ideas"]))
    await user.tap(t.pgettext("button", "💡 Propose an idea"))
    assert plain((await user.last())["text"]) == plain(t(QUESTIONS["title"]))
    await user.send(title)
    await user.send(body)
    await user.tap(label(t, AGE_LABELS["14_17"]))
    assert "✅ " + label(t, AGE_LABELS["14_17"]) in user.labels(await user.last())
    await user.tap(label(t, AGE_LABELS["18_24"]))
    await user.tap(t.pgettext("button", "Done"))
    await user.tap("San Vito")
    await user.tap(label(t, TIMING_LABELS["month"]))
    await user.tap(label(t, NEED_LABELS["room"]))
    await user.tap(t.pgettext("button", "Done"))
    await user.tap(t.pgettext("button", "🙋 Yes, I would lead it"))
    await user.tap(t.pgettext("button", "🙈 Just “a young person”"))
    assert title in (await user.last())["text"]
    await user.tap(t.pgettext("button", "✅ Send"))
    sent = (await user.last())["text"]
    reference = REFERENCE.search(sent)
    assert reference is not None
    assert plain(sent) == plain(t(SENT).format(reference=reference.group()))
    return reference.group()


async def open_card(user: SandboxUser, t: Translator, title: str) -> dict[str, object]:
    await user.tap(label(t, MENU_LABELS["ideas"]))
    await user.tap(next(b for b in user.labels(await user.last()) if title in b))
    return await user.last()


async def test_an_idea_from_bengali_to_the_board_backed_in_three_languages(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    await hub(db, "San Vito")
    youth, worker = await team(client, db, "youth")
    bn, it = translator("bn"), translator("it")
    rumi = await onboard(client, "bn")
    title = "সাপ্তাহিক ফুটবল টুর্নামেন্ট"
    await rumi.tap(label(bn, MENU_LABELS["ideas"]))
    await rumi.tap(bn.pgettext("button", "💡 Propose an idea"))
    await rumi.send("ক" * 81)  # over the 80 characters of a title
    assert plain((await rumi.last())["text"]) == plain(bn(TOO_LONG).format(count=81, limit=80))
    await rumi.tap(bn.pgettext("button", "✖️ Stop"))
    reference = await propose(rumi, bn, title)

    thread = await topic_of(client, youth, reference)
    [card] = await in_topic(client, youth, thread, 1)
    assert title in card["text"] and label(it, AGE_LABELS["14_17"]) in card["text"]
    async with db() as session:
        idea = await session.scalar(select(Idea))
    assert idea is not None and (idea.status, idea.language, idea.lead) == ("pending", "bn", True)

    # Nothing is on the board before a youth worker approves it.
    other = await onboard(client, "it")
    await other.tap(label(it, MENU_LABELS["ideas"]))
    assert not [b for b in other.labels(await other.last()) if title in b]

    # Ask for changes: the reason reaches Rumi in Bengali, with a button to change it.
    mark = (await rumi.last())["message_id"]
    await worker.tap(it.pgettext("button", "✏️ Ask for changes"), chat_id=youth)
    await worker.tap(it.pgettext(*CHANGES["more"]), chat_id=youth)
    asked = await new_from_bot(rumi, mark)
    reason = bn.pgettext(*CHANGES["more"])
    assert plain(asked["text"]) == plain(bn(ASK_CHANGES).format(title=title, reason=reason))
    await rumi.tap(bn.pgettext("button", "✏️ Change my idea"))
    assert title in (await rumi.last())["text"]  # the summary, answers kept
    await rumi.tap(bn.pgettext("button", "✅ Send"))
    assert REFERENCE.search((await rumi.last())["text"]).group() == reference  # type: ignore[union-attr]

    async def approvable() -> bool:
        card = (await client.topic_messages(youth, thread))[1]
        return it.pgettext("button", "✅ Approve") in worker.labels(card)

    await eventually(approvable)
    mark = (await rumi.last())["message_id"]
    await worker.tap(it.pgettext("button", "✅ Approve"), chat_id=youth)
    approved = await new_from_bot(rumi, mark)
    assert plain(approved["text"]) == plain(bn(APPROVED).format(title=title))

    # Three people in three languages back it; one changes their mind.
    backers = []
    for locale in ("it", "ar", "uk"):
        t = translator(locale)
        person = await onboard(client, locale)
        shown = await open_card(person, t, title)
        assert "🌐" in str(shown["text"])  # written in another language: said so
        await person.tap(t.pgettext("button", "👍 I'd join"))
        backers.append((person, t))
    uk_user, uk = backers[2]
    joined = uk.ngettext("👍 {count} person would join.", "👍 {count} people would join.", 3)
    assert joined.format(count=3) in plain((await uk_user.last())["text"])
    await uk_user.tap(uk.pgettext("button", "↩️ I won't join after all"))
    assert uk.pgettext("button", "👍 I'd join") in uk_user.labels(await uk_user.last())

    # Fifty taps at once from one person count once.
    shown = await open_card(uk_user, uk, title)
    data = pack("ib", "in", idea.id, 0, 0)
    await asyncio.gather(*(uk_user.tap_data(shown["message_id"], data) for _ in range(50)))  # type: ignore[arg-type]
    async with db() as session:
        count = len((await session.scalars(select(Backing))).all())
    assert count == 3

    # The fifth backer: Rumi hears it once, in Bengali.
    mark = (await rumi.last())["message_id"]
    for locale in ("fr", "sq"):
        t = translator(locale)
        person = await onboard(client, locale)
        await open_card(person, t, title)
        await person.tap(t.pgettext("button", "👍 I'd join"))
    told = await new_from_bot(rumi, mark)
    assert plain(told["text"]) == plain(bn.ngettext(*REACHED, 5).format(count=5, title=title))

    # A report reaches the topic, without saying who.
    await other.tap(label(it, MENU_LABELS["ideas"]))
    await other.tap(next(b for b in other.labels(await other.last()) if title in b))
    await other.tap(it.pgettext("button", "🚩 Report"))

    async def reported() -> bool:
        texts = [m.get("text", "") for m in await client.topic_messages(youth, thread)]
        return any(it(REPORTED) in text for text in texts)

    await eventually(reported)

    # A youth worker gives the title and a summary in Italian: Italian readers see those.
    await worker.send("/translate de Fußball", chat_id=youth, thread_id=thread)
    await worker.send("/translate it Torneo di calcio | Ogni settimana al centro San Vito",
                      chat_id=youth, thread_id=thread)  # fmt: skip

    async def replies() -> list[str] | None:
        texts = [m.get("text", "") for m in await client.topic_messages(youth, thread)]
        found = [text for text in texts if text.startswith(("✅ ", "Scrivi", "Write it"))]
        return found if len(found) >= 2 else None

    refused, saved = await eventually(replies)
    assert refused == it(TRANSLATE_USAGE)
    assert saved == it(TRANSLATED).format(language="Italiano")
    shown = await open_card(other, it, "Torneo di calcio")
    assert "Ogni settimana al centro San Vito" in str(shown["text"])
    assert "🌐" not in str(shown["text"])
    assert emulator.unanswered_queries() == []


async def test_refusals_forged_buttons_strangers_and_erasure(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    await hub(db, "San Vito")
    youth, worker = await team(client, db, "youth")
    _, housing_worker = await team(client, db, "housing")
    en, it = translator("en"), translator("it")
    child = await onboard(client, "en", age="u14")
    await child.send(label(en, MENU_LABELS["ideas"]))
    await child.tap(en.pgettext("button", "💡 Propose an idea"))
    assert (await child.last())["text"] == en(GUARDIAN_FIRST)

    ana = await onboard(client, "en")
    reference = await propose(ana, en, "Film nights")
    thread = await topic_of(client, youth, reference)
    [card] = await in_topic(client, youth, thread, 1)

    # Housing staff (in the youth group too) may not decide; forged ids change nothing.
    await client.add_member(youth, housing_worker.id)
    await housing_worker.tap(it.pgettext("button", "✅ Approve"), chat_id=youth)
    member = await client.add_user("Paolo", "it")  # in the group, but no role at all
    await client.add_member(youth, member.id)
    await member.tap(it.pgettext("button", "✅ Approve"), chat_id=youth)
    await worker.tap_data(card["message_id"], pack("is", 9999, "ok"), chat_id=youth)
    await worker.tap_data(card["message_id"], pack("is", "x", "ok"), chat_id=youth)
    alerts = [q for q in await housing_worker.toasts() if q["show_alert"]]
    alerts += [q for q in await worker.toasts() if q["show_alert"]]
    alerts += [q for q in await member.toasts() if q["show_alert"]]
    assert len(alerts) == 4 and all(q["text"] for q in alerts)
    async with db() as session:
        idea = await session.scalar(select(Idea))
    assert idea is not None and idea.status == "pending"
    stale = await ana.last()
    await ana.tap_data(stale["message_id"], pack("ia", "title", "x"))
    await ana.tap_data(stale["message_id"], pack("ib", "card", idea.id, 0, 0))
    assert (await ana.last())["text"] == "This idea is not on the board any more."
    assert [q["text"] for q in await ana.toasts()][-2] == en(ALREADY_SAVED)

    await worker.tap(it.pgettext("button", "✅ Approve"), chat_id=youth)
    backer = await onboard(client, "en")
    await open_card(backer, en, "Film nights")
    await backer.tap(en.pgettext("button", "👍 I'd join"))
    await ana.send("/mydata")
    data = json.loads(await client.file((await ana.last())["document"]["file_id"]))
    assert [i["title"] for i in data["ideas"]] == ["Film nights"]
    await backer.send("/mydata")
    data = json.loads(await client.file((await backer.last())["document"]["file_id"]))
    assert data["ideas_backed"] == [idea.id]

    # Erased: the proposer's idea leaves the board; the backer's backing goes with them.
    await backer.send("/deleteme")
    await backer.tap(en.pgettext("button", "🗑 Yes, delete everything"))
    async with db() as session:
        assert (await session.scalars(select(Backing))).all() == []
    await ana.send("/deleteme")
    await ana.tap(en.pgettext("button", "🗑 Yes, delete everything"))
    async with db() as session:
        assert (await session.scalars(select(Idea))).all() == []
    viewer = await onboard(client, "en")
    await viewer.tap(label(en, MENU_LABELS["ideas"]))
    assert not [b for b in viewer.labels(await viewer.last()) if "Film nights" in b]
    assert emulator.unanswered_queries() == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_in_every_language_an_idea_reaches_the_board(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    await hub(db, "San Vito")
    youth, worker = await team(client, db, "youth")
    t, it = translator(locale), translator("it")
    for text in QUESTIONS.values():
        assert locale == "en" or t(text) != text  # translated
    person = await onboard(client, locale)
    reference = await propose(person, t, f"Idea {locale}")
    await topic_of(client, youth, reference)
    await in_topic(client, youth, await topic_of(client, youth, reference), 1)
    await worker.tap(it.pgettext("button", "✅ Approve"), chat_id=youth)
    viewer = await onboard(client, locale)
    shown = await open_card(viewer, t, f"Idea {locale}")
    assert f"Idea {locale}" in str(shown["text"])


async def test_staff_make_an_idea_an_activity_and_every_backer_is_told_once(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    await hub(db, "San Vito")
    youth, worker = await team(client, db, "youth")
    it, ar, en = translator("it"), translator("ar"), translator("en")
    await worker.send("/start")  # staff write to Porta first, as Telegram requires
    proposer = await onboard(client, "ar")
    reference = await propose(proposer, ar, "Rap workshop")
    thread = await topic_of(client, youth, reference)
    await in_topic(client, youth, thread, 1)
    await worker.tap(it.pgettext("button", "✅ Approve"), chat_id=youth)
    backers = []
    for locale in ("en", "uk"):
        t = translator(locale)
        person = await onboard(client, locale)
        await open_card(person, t, "Rap workshop")
        await person.tap(t.pgettext("button", "👍 I'd join"))
        backers.append((person, t))

    async def makeable() -> bool:
        card = (await client.topic_messages(youth, thread))[1]
        return it.pgettext("button", "💡 Make it an activity") in worker.labels(card)

    await eventually(makeable)
    mark = max([m["message_id"] for m in await worker.bot_messages()], default=0)
    await worker.tap(it.pgettext("button", "💡 Make it an activity"), chat_id=youth)
    question = await new_from_bot(worker, mark)
    assert question["text"] == it("Which kind of activity?")
    await worker.tap(worker.labels(question)[1])
    await worker.send("24/12/2030 17:30")
    await worker.send("90")
    await worker.send("12")
    await worker.tap(it.pgettext("button", "Skip"))  # the idea's own description stays
    await worker.tap(it.pgettext("button", "✅ Save the activity"))
    async with db() as session:
        idea = await session.scalar(select(Idea))
    assert idea is not None and idea.status == "activity" and idea.activity_id is not None

    for person, t in [*backers, (proposer, ar)]:
        told = await eventually(lambda p=person, t=t: invitation(p, t))  # type: ignore[misc]
    uk_user, uk = backers[1]
    told = await invitation(uk_user, uk)
    assert told is not None
    await uk_user.tap(uk.pgettext("button", "✅ Sign up"), message_id=told["message_id"])
    assert "Rap workshop" in (await uk_user.last())["text"]
    await asyncio.sleep(1)  # nothing more comes: each was told once
    async with db() as session:
        signed = await session.scalar(select(Signup).where(Signup.user_id == uk_user.id))
    assert signed is not None and signed.activity_id == idea.activity_id
    for person, t in [backers[0], (proposer, ar)]:  # (the sign-up took the place of uk's)
        sign_up = t.pgettext("button", "✅ Sign up")
        made = [m for m in await person.bot_messages() if sign_up in person.labels(m)]
        assert len(made) == 1
    en_user, _ = backers[0]
    card = await open_card(en_user, en, "Rap workshop")
    assert en.pgettext("button", "🗓 See the activity") in en_user.labels(card)
    assert emulator.unanswered_queries() == []


async def invitation(person: SandboxUser, t: Translator) -> dict[str, Any] | None:
    """The message that an idea became an activity, with its one-tap sign-up, if it came."""
    for message in await person.bot_messages():
        if "Rap workshop" in message.get("text", "") and t.pgettext(
            "button", "✅ Sign up"
        ) in person.labels(message):
            return message
    return None


async def test_exports_report_figures_and_declined_ideas_lose_their_words(
    db: SessionFactory, settings: Settings, tmp_path: Path
) -> None:
    place = await hub(db, "San Vito")
    users = [await person(db) for _ in range(7)]
    now = datetime.now(UTC)
    async with db.begin() as session:
        ideas_made = [
            Idea(user_id=users[n].id, language="it", title=f"Idea {n}", body="…",
                 hub_id=place.id if n < 6 else None, status=status, created_at=now,
                 approved_at=now if status == "approved" else None,
                 decided_at=now - timedelta(days=400) if status == "declined" else None)
            for n, status in enumerate(["approved"] * 5 + ["declined", "pending"])
        ]  # fmt: skip
        session.add_all(ideas_made)
        await session.flush()
        for user in users[:6]:
            session.add(Backing(idea_id=ideas_made[0].id, user_id=user.id, created_at=now))
    today = now.astimezone(ROME).date()
    async with db() as session:
        made = await build(session, today, today, ROME, now=now)
    assert made.table("ideas_hubs").rows == [("San Vito", 6, 5, 0, 6), (None, "< 5", 0, 0, 0)]

    out = tmp_path / "ideas.csv"
    code, output = await asyncio.to_thread(porta, settings, "ideas", "export", "--out", str(out))
    assert (code, output) == (0, f"7 ideas written to {out}\n")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["id", "status", "language"] and len(rows) == 8
    assert rows[1][8] == "6" and rows[1][3] == "San Vito"
    code, output = await asyncio.to_thread(porta, settings, "ideas", "list")
    assert (
        code == 0 and output.splitlines()[0] == f"{ideas_made[0].id}\tapproved\tSan Vito\t6\tIdea 0"
    )

    async with db.begin() as session:
        assert await ideas.purge(session, 365) == 1
    async with db() as session:
        declined = await session.get(Idea, ideas_made[5].id)
    assert declined is not None and (declined.title, declined.body) == ("", "")


def porta(settings: Settings, *args: str) -> tuple[int, str]:
    return run_porta(settings, register, *args)
