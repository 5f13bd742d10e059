"""Walk every screen, in every language, tapping each button twice in a row as a fast double
tap does; fail on any refused call, any unanswered tap, any tap that changes nothing visible
without a notice, and any text not in the person's language. See tests/walk.py."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest
import yaml
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Activity, Draft, Signup
from bot.db.session import SessionFactory
from bot.demo import DEMO_FILE, load_demo
from bot.i18n import SUPPORTED_LOCALES, native_name
from bot.sandbox.client import SandboxClient
from handlers.labels import AGE_LABELS, INTEREST_LABELS, MENU_LABELS, label
from tests.flows import onboard, staff, translator
from tests.walk import Failure, Rules, Walker, english_in, foreign_in, language_problems

SEARCH = "🔎 Write a word to look for, for example: football."
LATER = "24/12/2027 17:30"  # a date in the future, written as the prompts show
TYPED = {  # what staff type, in their language
    "it": {
        "title": "Serata giochi",
        "description": "Porta un amico.",
        "announcement": "Il centro è chiuso venerdì",
        "other": "Games night",  # in English, the first other language offered
    },
    "ar": {
        "title": "أمسية ألعاب",
        "description": "أحضر صديقًا.",
        "announcement": "المركز مغلق يوم الجمعة",
        "other": "Serata giochi",  # in Italian, the first other language offered
    },
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The walks go with Porta's voice, as people meet it: 🔊 on the screens that inform."""
    return settings.model_copy(update={"voice": "on"})


async def load(db: SessionFactory, settings: Settings) -> None:
    """The demo set, with its dates counted from today so that everything is upcoming."""
    async with db.begin() as session:
        await load_demo(session, settings.zone, datetime.now(settings.zone).date())


def other_language(locale: str) -> str:
    """The language tried in Settings before coming back: the next one, not English."""
    others = [c for c in SUPPORTED_LOCALES if c not in (locale, "en")]
    return others[SUPPORTED_LOCALES.index(locale) % len(others)]


def search_word(locale: str) -> str:
    """A word of a demo title, as someone would type it."""
    rows = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))["activities"]
    words: list[str] = re.findall(r"\w+", str(rows[0]["title"][locale]))
    return max(words, key=len).lower()


def constant(text: str) -> Callable[[], Awaitable[str]]:
    async def answer() -> str:
        return text

    return answer


def report(failures: list[Failure]) -> str:
    return f"{len(failures)} faults:\n" + "\n".join(str(f) for f in failures)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_a_new_user_taps_every_screen_twice(
    client: SandboxClient, db: SessionFactory, settings: Settings, locale: str
) -> None:
    await load(db, settings)
    t = translator(locale)
    rules = Rules(locale, other_language(locale))
    walker = Walker(
        client,
        await client.add_user("Sam", locale),
        rules,
        answers={SEARCH: constant(search_word(locale))},
    )

    # The welcome: every language twice, the person's own last; then onboarding.
    await walker.send("/start")
    welcome = walker.view.bot_messages()[-1]["message_id"]
    for code in [*(c for c in SUPPORTED_LOCALES if c != locale), locale]:
        await walker.double_tap(welcome, f"lang:1:{code}:o", native_name(code))
    for step in (
        t.pgettext("button", "Continue ▶"),
        label(t, AGE_LABELS["18_24"]),
        t.pgettext("button", "📄 Read the full text"),
        t.pgettext("button", "✅ I agree"),
        "San Vito",
        *(label(t, entry) for entry in INTEREST_LABELS.values()),
        t.pgettext("button", "Done"),
    ):
        await walker.double_tap_label(step)

    # Every button of the main menu, and everything they open.
    for index in range(len(MENU_LABELS)):
        await walker.root(walker.view.keyboard[index], times=2)
    # Then give the places up, from ⭐ My things, and last erase everything from ⚙️ Settings.
    await walker.root(label(t, MENU_LABELS["mine"]), phase=1)
    await walker.root(label(t, MENU_LABELS["settings"]), phase=2)

    # The other ways through onboarding: under 14, and saying no to the privacy notice.
    child = Walker(client, await client.add_user("Mia", locale), Rules(locale, locale))
    await child.send("/start")
    await child.double_tap_label(t.pgettext("button", "Continue ▶"))
    await child.double_tap_label(label(t, AGE_LABELS["u14"]))
    declined = Walker(client, await client.add_user("Ali", locale), Rules(locale, locale))
    await declined.send("/start")
    for step in (
        t.pgettext("button", "Continue ▶"),
        label(t, AGE_LABELS["25_35"]),
        t.pgettext("button", "No, thanks"),
    ):
        await declined.double_tap_label(step)
    await declined.send(label(t, MENU_LABELS["settings"]))
    await declined.double_tap_label(t.pgettext("button", "📍 Neighbourhood"))
    await declined.double_tap_label(t.pgettext("button", "✅ I agree"))

    failures = walker.failures + child.failures + declined.failures
    print("\n".join(walker.trace))  # shown when the test fails: what the walk did, in order
    assert not failures, report(failures)


@pytest.mark.parametrize("locale", ["it", "ar"])
async def test_an_operator_taps_every_staff_screen_twice(
    client: SandboxClient, db: SessionFactory, settings: Settings, locale: str
) -> None:
    await load(db, settings)
    async with db() as session:
        first = await session.scalar(select(Activity).order_by(Activity.starts_at, Activity.id))
    assert first is not None
    for helper in ("en", "uk"):  # two people with a place, to check in
        person = await onboard(client, helper, start=f"/start a{first.id}")
        await person.tap(translator(helper).pgettext("button", "✅ Sign up"))

    t, typed = translator(locale), TYPED[locale]
    worker = await staff(client, db, role="admin", locale=locale)

    async def code() -> str:
        """The check-in code of someone with a place at the activity being checked in."""
        async with db() as session:
            draft = await session.get(Draft, worker.id)
            found = await session.scalar(
                select(Signup.checkin_code).where(
                    Signup.activity_id == (draft.activity_id if draft else 0),
                    Signup.status.in_(("confirmed", "attended")),
                )
            )
        return found or "0000"

    answers = {
        "Write the title.": constant(typed["title"]),
        "When does it start? Write the date and time, like 24/12/2026 17:30.": constant(LATER),
        "How long is it, in minutes? For example: 90.": constant("90"),
        "How many places are there? For example: 12.": constant("30"),
        "Write a short description.": constant(typed["description"]),
        "Write the check-in code from the person's card.": code,
        "Write the title in {language}.": constant(typed["other"]),
        "Write the description in {language}.": constant(typed["other"]),
        "📣 Write the announcement. You can also send a photo with a caption.": constant(
            typed["announcement"]
        ),
        "Write the announcement in {language}.": constant(typed["other"]),
    }
    walker = Walker(client, worker, Rules(locale, locale), answers)

    await walker.root("/manage")
    await walker.root("/newactivity")
    for _ in range(8):  # one announcement for each kind of audience, until none is left
        tried = len(walker.visited)
        await walker.root("/broadcast")
        if len(walker.visited) == tried:
            break
    await walker.root("/broadcast", phase=1)  # preview it again, and discard it

    # An announcement sent now, to the people of an activity (the two with a place).
    await walker.send("/broadcast")
    await walker.send(typed["announcement"])
    await walker.double_tap_label(t.pgettext("audience", "People of an activity"))
    choices = walker.view.bot_messages()[-1]
    choice = choices["buttons"][0][0]
    await walker.double_tap(choices["message_id"], choice["callback_data"], choice["text"])
    await walker.double_tap_label(t.pgettext("button", "👀 Preview"))
    await walker.double_tap_label(t.pgettext("button", "📣 Send now"))
    finished = t("✅ Finished.")
    for _ in range(100):  # the progress message says when it is done
        if any(finished in m["text"] for m in (await walker.read()).bot_messages()):
            break
        await asyncio.sleep(0.1)
    else:
        walker.fail("📣 Send now", "bc:1:now:0", "the announcement did not finish in 10 s")
    await walker.send("/broadcasts")

    await walker.root("/manage", phase=2)  # last, cancel one activity
    print("\n".join(walker.trace))  # shown when the test fails: what the walk did, in order
    assert not walker.failures, report(walker.failures)


def test_the_language_check_finds_other_languages_and_a_missing_right_to_left_mark() -> None:
    english = "Tap an activity to see more."
    italian, french = translator("it")(english), translator("fr")(english)
    assert english_in("fr", f"🗓 Activités\n{english}") == [english]
    assert foreign_in("fr", french) == [] and foreign_in("en", english) == []
    assert foreign_in("en", italian) == [("it", italian)]
    assert foreign_in("fr", f"{french}\n{italian}") == [("it", italian)]
    assert language_problems("ar", "Centro San Vito", whole_message=True)
    assert not language_problems("ar", "\u200fCentro San Vito", whole_message=True)
    assert not language_problems("ur", translator("ur")("Already saved."), whole_message=True)
