"""🤝 Offer help, through the emulator: hosting reaches the housing team's group as a case,
mentoring and volunteering the youth workers'; bad input, minors, forged buttons, erasure,
and the form in all nine languages."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from bot.db.models import Case, Form
from bot.db.session import SessionFactory
from bot.i18n import SUPPORTED_LOCALES
from bot.sandbox.client import SandboxClient
from bot.sandbox.people import Emulator
from handlers.callbacks import pack
from handlers.casecard import AVAILABLE, OFFERS, SIGNATURE, SUBJECTS
from handlers.common import ALREADY_SAVED, NOT_A_PHONE, TOO_LONG
from handlers.labels import MENU_LABELS, label
from handlers.offers import HOSTING, NOT_YET, QUESTIONS, SENT, TOO_YOUNG
from tests.casework import in_topic, new_from_bot, only_case, team, topic_of
from tests.flows import onboard, translator

REFERENCE = re.compile(r"O-\d{4}-\d{4}")


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).replace("\u200f", "")


async def test_an_offer_to_host_reaches_the_housing_team_as_a_case(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    housing, worker = await team(client, db, "housing")
    youth, _ = await team(client, db, "youth")
    it = translator("it")
    marta = await onboard(client, "it", age="25_35")
    await marta.tap(label(it, MENU_LABELS["offer"]))
    assert plain((await marta.last())["text"]) == plain(it(QUESTIONS["what"]))
    await marta.tap(it.pgettext(*OFFERS["host"]))
    asked = await marta.last()
    assert plain(asked["text"]).startswith(plain(it(HOSTING)))  # said plainly, before anything
    await marta.tap(it.pgettext(*AVAILABLE["weekends"]))
    await marta.send("San Concordio")
    await marta.tap(it.pgettext("button", "📞 By phone"))
    await marta.send("my number")
    assert (await marta.last())["text"] == it(NOT_A_PHONE)
    await marta.send("+39 333 1234567")
    summary = plain((await marta.last())["text"])
    for line in (it.pgettext(*OFFERS["host"]), it.pgettext(*AVAILABLE["weekends"]), "San Concordio",
                 "+39 333 1234567", plain(it(HOSTING))):  # fmt: skip
        assert line in summary
    await marta.tap(it.pgettext("button", "✅ Send"))
    sent = (await marta.last())["text"]
    reference = REFERENCE.search(sent)
    assert reference is not None and plain(sent).startswith("✅ Grazie!")

    thread = await topic_of(client, housing, reference.group())
    [card] = await in_topic(client, housing, thread, 1)
    assert it.pgettext(*OFFERS["host"]) in card["text"] and "+39 333 1234567" in card["text"]
    assert it.pgettext("button", "🙋 I take it") in worker.labels(card)
    assert [t for t in await client.topics(youth) if t["name"].startswith("O-")] == []
    case = await only_case(db)
    assert (case.kind, case.team, case.status) == ("offer", "housing", "new")
    assert case.fields == {"offer": "host", "available": "weekends",
                           "neighbourhood": "San Concordio", "contact": "phone",
                           "phone": "+39 333 1234567"}  # fmt: skip

    # The team answers in the topic; Marta gets it from Porta, and her answer goes back.
    mark = (await marta.last())["message_id"]
    await worker.send("Buongiorno Marta, ci vediamo giovedì al centro?", chat_id=housing,
                      thread_id=thread)  # fmt: skip
    answer = await new_from_bot(marta, mark)
    assert "ci vediamo giovedì" in answer["text"] and it(SIGNATURE) in answer["text"]
    await marta.send("Sì, va bene")
    copied = await in_topic(client, housing, thread, 3)
    assert copied[-1]["text"] == "Sì, va bene"
    assert emulator.unanswered_queries() == []


async def test_mentoring_in_arabic_goes_to_the_youth_workers_and_long_input_is_refused(
    client: SandboxClient, db: SessionFactory
) -> None:
    youth, _ = await team(client, db, "youth")
    ar, it = translator("ar"), translator("it")
    omar = await onboard(client, "ar", age="18_24")
    await omar.send("/offer")
    await omar.tap(ar.pgettext(*OFFERS["mentor"]))
    assert plain((await omar.last())["text"]) == plain(ar(QUESTIONS["subject"]))
    await omar.tap(ar.pgettext(*SUBJECTS["italian"]))
    await omar.tap(ar.pgettext(*AVAILABLE["flexible"]))
    await omar.send("ح" * 81)
    assert plain((await omar.last())["text"]) == plain(ar(TOO_LONG).format(count=81, limit=80))
    await omar.tap(ar.pgettext("button", "Skip ▶"))
    await omar.tap(ar.pgettext("button", "💬 Through this chat"))
    await omar.tap(ar.pgettext("button", "✅ Send"))
    reference = REFERENCE.search((await omar.last())["text"])
    assert reference is not None
    thread = await topic_of(client, youth, reference.group())
    [card] = await in_topic(client, youth, thread, 1)
    # The card is in the team's language (Italian), whatever the person speaks.
    assert it.pgettext(*OFFERS["mentor"]) in card["text"]
    assert it.pgettext(*SUBJECTS["italian"]) in card["text"]
    case = await only_case(db)
    assert (case.team, case.language, case.fields.get("neighbourhood")) == ("youth", "ar", None)


async def test_minors_strangers_forged_buttons_stopping_and_erasure(
    client: SandboxClient, db: SessionFactory, emulator: Emulator
) -> None:
    en = translator("en")
    stranger = await client.add_user("Nobody", "en")
    await stranger.send("/offer")
    assert (await stranger.last())["text"] == en(NOT_YET)
    child = await onboard(client, "en", age="u14")
    await child.send("/offer")
    assert (await child.last())["text"] == en(TOO_YOUNG)

    teen = await onboard(client, "en", age="14_17")
    await teen.send("/offer")
    question = await teen.last()
    assert en.pgettext(*OFFERS["host"]) not in teen.labels(question)  # hosting: adults only
    assert en.pgettext(*OFFERS["volunteer"]) in teen.labels(question)
    await teen.tap_data(question["message_id"], pack("oh", "what", "host"))
    await teen.tap_data(question["message_id"], pack("oh", "what", "nonsense"))
    await teen.tap_data(question["message_id"], pack("oh", "send", "1"))
    assert [toast["text"] for toast in await teen.toasts()][-3:] == [en(ALREADY_SAVED)] * 3
    async with db() as session:
        form = await session.get(Form, teen.id)
    assert form is not None and (form.step, form.data) == ("what", {})
    await teen.tap(en.pgettext("button", "✖️ Stop"))
    assert (await teen.last())["text"] == "OK, I deleted this offer. Nothing was sent."
    async with db() as session:
        assert await session.get(Form, teen.id) is None

    adult = await onboard(client, "en", age="25_35")
    await adult.send("/offer")
    await adult.tap(en.pgettext(*OFFERS["volunteer"]))
    await adult.tap(en.pgettext(*AVAILABLE["evenings"]))
    await adult.send("Sant'Anna")
    await adult.tap(en.pgettext("button", "💬 Through this chat"))
    await adult.tap(en.pgettext("button", "✅ Send"))  # no youth group linked yet: it waits
    assert REFERENCE.search((await adult.last())["text"]) is not None
    await adult.send("/mydata")
    data = json.loads(await client.file((await adult.last())["document"]["file_id"]))
    [offer] = [c for c in data["requests"] if c["kind"] == "offer"]
    assert offer["answers"]["neighbourhood"] == "Sant'Anna"
    await adult.send("/deleteme")
    await adult.tap(en.pgettext("button", "🗑 Yes, delete everything"))
    async with db() as session:
        [case] = (await session.scalars(select(Case).where(Case.kind == "offer"))).all()
    assert case.fields == {} and case.user_id is None
    assert emulator.unanswered_queries() == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_an_offer_to_volunteer_in_every_language(
    client: SandboxClient, db: SessionFactory, locale: str
) -> None:
    t = translator(locale)
    person = await onboard(client, locale, age="o35")
    await person.tap(label(t, MENU_LABELS["offer"]))
    for step in ("what", "available", "neighbourhood", "contact"):
        assert plain((await person.last())["text"]).endswith(plain(t(QUESTIONS[step])))
        if locale != "en":
            assert t(QUESTIONS[step]) != QUESTIONS[step]  # translated
        tap = {
            "what": t.pgettext(*OFFERS["volunteer"]),
            "available": t.pgettext(*AVAILABLE["weekdays"]),
            "neighbourhood": t.pgettext("button", "Skip ▶"),
            "contact": t.pgettext("button", "💬 Through this chat"),
        }[step]
        await person.tap(tap)
    await person.tap(t.pgettext("button", "✅ Send"))
    sent = (await person.last())["text"]
    reference = REFERENCE.search(sent)
    assert reference is not None
    assert plain(sent) == plain(t(SENT).format(reference=reference.group()))
