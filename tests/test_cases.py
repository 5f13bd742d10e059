"""Housing requests and "talk to a person", end to end: young people on their phones, staff
in their team's forum group, everything relayed through the emulator."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.db.models import Case, CaseEvent
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from handlers.casecard import NEEDS, SIGNATURE, SITUATIONS, STATUS_TO_PERSON, WHEN
from handlers.labels import MENU_LABELS, label
from handlers.person import SENT
from handlers.quick_replies import LABELS, REPLIES
from tests.casework import (
    eventually,
    in_topic,
    new_from_bot,
    only_case,
    programmes,
    team,
    topic_of,
)
from tests.factories import hub
from tests.flows import onboard, staff, translator

REFERENCE = re.compile(r"[HP]-\d{4}-\d{4}")
RLM = "\u200f"


def plain(text: str) -> str:
    return text.replace(RLM, "")


async def test_a_housing_request_from_the_form_to_its_closing(
    client: SandboxClient, db: SessionFactory
) -> None:
    found = await programmes(db)
    chat, worker = await team(client, db, "housing")
    ar, it = translator("ar"), translator("it")
    user = await onboard(client, "ar")
    await user.tap(label(ar, MENU_LABELS["housing"]))
    title = found["co-housing"].texts["ar"]["title"]
    await user.tap(next(b for b in user.labels(await user.last()) if title in b))
    page = await user.last()
    assert title in page["text"] and found["co-housing"].texts["ar"]["documents"] in page["text"]
    await user.tap(ar.pgettext("button", "✉️ Ask about this"))
    await user.tap(ar.pgettext("button", "👥 With others"))
    await user.tap("3")
    await user.tap("1")
    await user.tap(ar.pgettext(*SITUATIONS["street"]))
    await user.tap(ar.pgettext(*WHEN["today"]))
    await user.tap(ar.pgettext("button", "📞 By phone"))
    await user.send("+39 333 1234567")
    await user.tap(ar.pgettext("button", "Yes"))
    await user.tap(ar.pgettext("button", "✅ I agree"))
    await user.tap(ar.pgettext(*NEEDS["home"]))
    await user.tap(ar.pgettext("button", "Skip ▶"))
    await user.send("x" * 1001)
    refused = await user.last()
    assert "1001" in refused["text"] and "1000" in refused["text"]
    await user.send("أحتاج غرفة قريبة من المدرسة")
    summary = await user.last()
    assert "+39 333 1234567" in summary["text"] and "أحتاج غرفة" in summary["text"]
    await user.tap(ar.pgettext("button", "✅ Send"))
    reference = REFERENCE.search((await user.last())["text"])
    assert reference is not None
    ref = reference.group()

    thread = await topic_of(client, chat, ref)
    [topic] = [t for t in await client.topics(chat) if t["message_thread_id"] == thread]
    assert topic["name"] == f"{ref} · co-housing · 🔴 · ar"
    [card] = await in_topic(client, chat, thread, 1)
    assert ref in card["text"] and "+39 333 1234567" in card["text"]
    assert "أحتاج غرفة" in card["text"] and it.pgettext(*NEEDS["home"]) in card["text"]

    # What the young person sends reaches the topic, as copies from Porta.
    before = (await user.last())["message_id"]
    await user.send_kind("voice")
    await user.send_kind("photo", "الوثيقة")
    messages = await in_topic(client, chat, thread, 3)
    assert "voice" in messages[1] and "photo" in messages[2]
    assert {m["from"] for m in messages} == {"bot"}
    acks = [m for m in await user.bot_messages() if m["message_id"] > before]
    assert len(acks) == 1 and ref in acks[0]["text"]

    # Staff answer in the topic: words, a photo and a voice note reach the person, signed.
    signature = ar(SIGNATURE)
    mark = (await user.last())["message_id"]
    await worker.send("Ciao! Abbiamo letto la richiesta.", chat_id=chat, thread_id=thread)
    text = await new_from_bot(user, mark)
    assert "Abbiamo letto la richiesta." in text["text"] and signature in text["text"]
    await worker.send("! nota interna: chiamare il comune", chat_id=chat, thread_id=thread)
    await worker.send_kind("photo", "modulo da firmare", chat_id=chat, thread_id=thread)
    photo = await new_from_bot(user, text["message_id"])
    assert "photo" in photo and "modulo da firmare" in photo["text"] and signature in photo["text"]
    await worker.send_kind("voice", chat_id=chat, thread_id=thread)
    voice = await new_from_bot(user, photo["message_id"])
    assert "voice" in voice
    assert not any("nota interna" in m["text"] for m in await user.bot_messages())

    # A quick reply, tapped by an Italian speaker, arrives in Arabic.
    await worker.tap(it.pgettext("button", "↩️ Quick replies"), chat_id=chat)
    await worker.tap(it(LABELS["docs"]), chat_id=chat)
    docs = await new_from_bot(user, voice["message_id"])
    assert plain(docs["text"]) == plain(ar(REPLIES["docs"]))

    # The status: claimed, then closed; the person hears each in Arabic; the topic closes.
    await worker.tap(it.pgettext("button", "🙋 I take it"), chat_id=chat)
    claimed = await new_from_bot(user, docs["message_id"])
    assert plain(claimed["text"]) == plain(ar(STATUS_TO_PERSON["claimed"]).format(reference=ref))
    await worker.tap(it.pgettext("button", "🔒 Close"), chat_id=chat)
    closed = await new_from_bot(user, claimed["message_id"])
    assert ref in closed["text"]

    async def topic_closed() -> bool:
        return any(t["closed"] for t in await client.topics(chat))

    await eventually(topic_closed, 60)
    case = await only_case(db)
    assert (case.status, case.urgency, case.fields["phone"]) == (
        "closed",
        "high",
        "+39 333 1234567",
    )
    assert case.health is not None and case.health["needs"] == ["home"]
    assert case.health_consent_at is not None
    async with db() as session:
        events = (await session.scalars(select(CaseEvent).order_by(CaseEvent.id))).all()
    actions = [(e.action, e.detail) for e in events]
    assert actions[0] == ("opened", "housing")
    assert ("note", "") in actions and ("quick reply", "docs") in actions
    assert ("status", "claimed") in actions and ("closed", "closed") in actions
    assert {e.actor_id for e in events if e.action != "opened"} == {worker.id}
    assert (await client.bot_state())["unanswered_callback_queries"] == []


async def test_talking_to_a_person_and_writing_again_after_closing(
    client: SandboxClient, db: SessionFactory
) -> None:
    await hub(db, "San Vito")
    chat, worker = await team(client, db, "youth")
    uk, it = translator("uk"), translator("it")
    user = await onboard(client, "uk")
    await user.tap(label(uk, MENU_LABELS["person"]))
    await user.send("Привіт, мені потрібна допомога зі школою")
    ack = await user.last()
    reference = REFERENCE.search(ack["text"])
    assert reference is not None and reference.group().startswith("P-")
    ref = reference.group()
    assert plain(ack["text"]).startswith(plain(uk(SENT).split("(")[0]))
    thread = await topic_of(client, chat, ref)
    card, copied = await in_topic(client, chat, thread, 2)
    assert ref in card["text"] and copied["text"] == "Привіт, мені потрібна допомога зі школою"
    await user.send_kind("document", "dovidka.pdf")
    await user.send_kind("location", (43.85, 10.52))
    _, _, document, location = await in_topic(client, chat, thread, 4, seconds=60)
    assert document["document"]["file_name"] == "dovidka.pdf"
    assert location["location"]["latitude"] == 43.85

    mark = (await user.last())["message_id"]
    await worker.send_kind("voice", chat_id=chat, thread_id=thread)
    voice = await new_from_bot(user, mark)
    assert "voice" in voice and uk(SIGNATURE) in voice["text"]

    # Come to the hub: staff pick the hub, a day and a time.
    await worker.tap(it.pgettext("button", "↩️ Quick replies"), chat_id=chat)
    await worker.tap(it(LABELS["meet"]), chat_id=chat)
    await worker.tap("San Vito", chat_id=chat)
    card_now = (await client.topic_messages(chat, thread))[1]
    first_day = card_now["buttons"][0][0]["text"]
    await worker.tap(first_day, chat_id=chat)
    await worker.tap("16:00", chat_id=chat)
    meeting = await new_from_bot(user, voice["message_id"])
    assert "San Vito" in meeting["text"] and "16:00" in meeting["text"]

    await worker.tap(it.pgettext("button", "↩️ Quick replies"), chat_id=chat)
    await worker.tap(it(LABELS["close"]), chat_id=chat)
    closing = await new_from_bot(user, meeting["message_id"])
    assert plain(closing["text"]) == plain(uk(REPLIES["close"]))

    async def topic_is(closed: bool) -> bool:
        return any(t["closed"] == closed for t in await client.topics(chat))

    await eventually(lambda: topic_is(True), 60)
    await user.send("Ще одне питання")
    again = await user.last()
    assert ref in again["text"]
    await eventually(lambda: topic_is(False), 60)

    async def copied_again() -> bool:
        messages = await client.topic_messages(chat, thread)
        return messages[-1]["text"] == "Ще одне питання"

    await eventually(copied_again, 60)
    case = await only_case(db)
    assert case.status == "new" and case.reference == ref

    async def card_usable() -> bool:  # the card came back to life with the case
        card = (await client.topic_messages(chat, thread))[1]
        return it.pgettext("button", "🙋 I take it") in worker.labels(card)

    await eventually(card_usable, 60)

    # Long after a closing, writing again is a new conversation.
    await worker.tap(it.pgettext("button", "🔒 Close"), chat_id=chat)
    async with db.begin() as session:
        await session.execute(update(Case).values(closed_at=datetime.now(UTC) - timedelta(days=30)))
    await user.send("Я знову тут")
    fresh = REFERENCE.search((await user.last())["text"])
    assert fresh is not None and fresh.group() != ref and fresh.group().startswith("P-")
    new_thread = await topic_of(client, chat, fresh.group())
    assert (await in_topic(client, chat, new_thread, 2, seconds=60))[1]["text"] == "Я знову тут"


async def test_only_the_team_acts_on_its_cards_and_forged_buttons_change_nothing(
    client: SandboxClient, db: SessionFactory
) -> None:
    await programmes(db)
    chat, worker = await team(client, db, "housing")
    en, it = translator("en"), translator("it")
    user = await onboard(client, "en")
    await user.tap(label(en, MENU_LABELS["person"]))
    await user.send("hello")  # a youth case: no youth group is linked yet
    await user.tap(label(en, MENU_LABELS["housing"]))
    await user.tap(next(b for b in user.labels(await user.last()) if "Co-housing" in b))
    await user.tap(en.pgettext("button", "✉️ Ask about this"))
    await user.tap(en.pgettext("button", "👤 Alone"))
    await user.tap(en.pgettext(*SITUATIONS["crowded"]))
    await user.tap(en.pgettext(*WHEN["month"]))
    await user.tap(en.pgettext("button", "💬 Through this chat"))
    await user.tap(en.pgettext("button", "No"))
    await user.tap(en.pgettext("button", "Skip ▶"))
    await user.tap(en.pgettext("button", "✅ Send"))
    ref = REFERENCE.search((await user.last())["text"])
    assert ref is not None
    thread = await topic_of(client, chat, ref.group())
    [card] = await in_topic(client, chat, thread, 1)

    operator = await staff(client, db, role="operator", locale="en")
    await client.add_member(chat, operator.id)
    youth = await staff(client, db, role="youth", locale="en")
    await client.add_member(chat, youth.id)
    for stranger in (operator, youth):
        await stranger.tap(it.pgettext("button", "🙋 I take it"), chat_id=chat)
        [toast] = await stranger.toasts()
        assert toast["show_alert"] and "housing" in toast["text"]
    mine_before = len(await user.bot_messages())
    await operator.send("Ciao, sono dell'attività di calcio", chat_id=chat, thread_id=thread)
    [_, _, refused] = await in_topic(client, chat, thread, 3, seconds=60)
    assert refused["from"] == "bot" and refused["text"].startswith("⚠️")
    assert len(await user.bot_messages()) == mine_before  # nothing reached the young person
    await worker.tap_data(card["message_id"], "cs:1:999999:claim", chat_id=chat)
    await worker.tap_data(card["message_id"], "cs:1:99999999999999:claim", chat_id=chat)
    await worker.tap_data(card["message_id"], "qr:1:abc:close", chat_id=chat)
    await worker.tap_data(card["message_id"], f"qr:1:{card_id(card)}:try:999999", chat_id=chat)
    outsider = await client.add_user("Nobody", "en")
    try:
        await outsider.tap(it.pgettext("button", "🙋 I take it"), chat_id=chat)
    except AssertionError as refused:  # the emulator: a non-member sees no group message
        assert "member" in str(refused)
    else:
        raise AssertionError("a non-member tapped a staff card")
    mine = (await user.last())["message_id"]
    await user.tap_data(mine, f"cs:1:{card_id(card)}:close")
    await user.tap_data(mine, f"qr:1:{card_id(card)}:close")
    await asyncio.sleep(0.5)
    async with db() as session:
        statuses = {c.kind: c.status for c in (await session.scalars(select(Case))).all()}
    assert statuses == {"housing": "new", "person": "new"}
    assert all(t["answered"] for t in await worker.toasts())
    assert (await client.bot_state())["unanswered_callback_queries"] == []


def card_id(card: dict[str, object]) -> int:
    buttons = card["buttons"]
    assert isinstance(buttons, list)
    return int(buttons[0][0]["callback_data"].split(":")[2])
