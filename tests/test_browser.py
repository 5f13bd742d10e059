"""The web sandbox in a real browser: Debian's Chromium, headless, driven by Playwright, the way
a person clicks. Screenshots are kept in data/test-artifacts/browser/ (PORTA_TEST_ARTIFACTS to
change it); PORTA_README_SCREENSHOT=1 also writes the README's docs/sandbox.png.

They need the `chromium` package (`apt-get install chromium`; .ci/run installs it) and
Playwright for Python (in the dev extras); elsewhere they are skipped, saying so."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import icalendar
import pytest

from bot.sandbox.web.world import World
from handlers.casecard import NEEDS, SITUATIONS, WHEN
from handlers.labels import AGE_LABELS, INTEREST_LABELS, MENU_LABELS, label
from handlers.quick_replies import LABELS, REPLIES
from tests.flows import translator
from tests.web import settled

CHROMIUM = os.environ.get("PORTA_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("PORTA_TEST_ARTIFACTS", ROOT / "data" / "test-artifacts"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LUCA, AMIRA, GIULIA = 10001, 10002, 10004
REFERENCE = re.compile(r"H-\d{4}-\d{4}")

try:
    from playwright.async_api import Page, async_playwright, expect
except ImportError:  # pragma: no cover - the dev extras bring it
    async_playwright = None

# .ci/run sets PORTA_BROWSER_TESTS=required: there a missing browser fails instead of skipping.
REQUIRED = os.environ.get("PORTA_BROWSER_TESTS") == "required"
pytestmark = pytest.mark.skipif(
    not REQUIRED and (async_playwright is None or not Path(CHROMIUM).exists()),
    reason=(
        f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set "
        "PORTA_CHROMIUM) and Playwright for Python (pip install -e '.[dev]')"
    ),
)


@pytest.fixture
async def page(world: World) -> AsyncIterator[Page]:
    assert async_playwright is not None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(
            viewport={"width": 390, "height": 844}, accept_downloads=True
        )
        shown = await context.new_page()
        errors: list[str] = []
        shown.on("pageerror", lambda error: errors.append(str(error)))
        yield shown
        await browser.close()
        assert errors == [], errors  # no JavaScript error on the page


def folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


class Phone:
    """One browser tab on the sandbox page, as a person uses it."""

    def __init__(self, page: Page, world: World) -> None:
        self.page, self.world = page, world

    async def open(self, user_id: int, chat_id: int | None = None, thread_id: int | None = None):
        view = f"u={user_id}"
        if chat_id is not None:
            view += f"&c={chat_id}" + (f"&t={thread_id}" if thread_id is not None else "")
        await self.page.goto(f"{self.world.url}#{view}")
        await self.settle()

    async def settle(self) -> None:
        """Porta has handled what was done, and the page shows the newest state."""
        await settled(self.world)
        version = self.world.emulator.version
        await self.page.wait_for_function(
            "v => Number(document.body.dataset.version) >= v", arg=version
        )

    async def tap(self, text: str, exact: bool = True) -> None:
        """Click the button labelled `text` (or, not `exact`, with `text` in its label) on the
        newest message that has it, else on the reply keyboard."""
        shown = re.compile(rf"^\s*{re.escape(text)}\s*$") if exact else re.compile(re.escape(text))
        inline = self.page.locator("#chat article.msg .inline-btn", has_text=shown)
        if await inline.count():
            target = inline.last
        else:
            target = self.page.locator("#reply-keyboard button", has_text=shown).first
        await target.click()
        await self.settle()

    async def write(self, text: str) -> None:
        await self.page.locator("#composer").fill(text)
        await self.page.keyboard.press("Enter")
        await self.settle()

    async def last_text(self) -> str:
        return str(await self.page.locator("#chat article.msg .body").last.inner_text())

    async def shot(self, name: str) -> Path:
        path = folder(ARTIFACTS) / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path


async def test_onboarding_in_italian_then_signing_up_and_the_calendar_file(
    page: Page, world: World
) -> None:
    it = translator("it")
    phone = Phone(page, world)
    await phone.open(LUCA)
    await expect(page.locator("#chat-title")).to_have_text("Porta")
    await page.locator("#start").click()
    await phone.settle()
    await expect(page.locator("#chat")).to_have_attribute("dir", "ltr")
    await phone.shot("it-1-welcome")
    await phone.tap(it.pgettext("button", "Continue ▶"))
    await phone.tap(label(it, AGE_LABELS["18_24"]))
    await phone.tap(it.pgettext("button", "✅ I agree"))
    await phone.tap("San Vito")
    await phone.tap(label(it, INTEREST_LABELS["sport"]))
    await phone.tap(it.pgettext("button", "Done"))
    keyboard = page.locator("#reply-keyboard button")
    await expect(keyboard.first).to_be_visible()
    await phone.tap(label(it, MENU_LABELS["activities"]))
    await phone.tap(it.pgettext("button", "🗓 This week"))
    await phone.shot("it-2-this-week")
    listing = page.locator("#chat article.msg").last.locator(".inline-btn").first
    title = (await listing.inner_text()).strip()
    await listing.click()
    await phone.settle()
    await phone.tap(it.pgettext("button", "✅ Sign up"))
    card = page.locator("#chat article.msg").last
    await expect(
        card.locator(".inline-btn", has_text=it.pgettext("button", "📅 Add to calendar"))
    ).to_be_visible()
    await phone.shot("it-3-signed-up")
    if os.environ.get("PORTA_README_SCREENSHOT"):
        docs = folder(ROOT / "docs")
        await page.set_viewport_size({"width": 1100, "height": 760})
        await phone.settle()
        shutil.copy(await phone.shot("readme"), docs / "sandbox.png")
        await page.set_viewport_size({"width": 390, "height": 844})

    await phone.tap(it.pgettext("button", "📅 Add to calendar"))
    link = page.locator("#chat a.doc-download").last
    await expect(link).to_be_visible()
    async with page.expect_download() as waiting:
        await link.click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".ics")
    saved = await download.path()
    calendar = icalendar.Calendar.from_ical(await asyncio.to_thread(saved.read_bytes))
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]).split()[0] in title
    await phone.shot("it-4-calendar")
    assert world.emulator.unanswered_queries() == []


async def test_arabic_right_to_left_and_a_housing_request_answered_by_staff(
    page: Page, world: World
) -> None:
    ar, it = translator("ar"), translator("it")
    phone = Phone(page, world)
    await phone.open(AMIRA)
    await page.locator("#start").click()
    await phone.settle()
    await phone.tap(ar.pgettext("button", "Continue ▶"))
    await phone.tap(label(ar, AGE_LABELS["18_24"]))
    await phone.tap(ar.pgettext("button", "✅ I agree"))
    await phone.tap("San Vito")
    await phone.tap(label(ar, INTEREST_LABELS["sport"]))
    await phone.tap(ar.pgettext("button", "Done"))
    chat = page.locator("#chat")
    await expect(chat).to_have_attribute("dir", "rtl")
    direction = await chat.evaluate("element => getComputedStyle(element).direction")
    assert direction == "rtl"
    # The young person's bubbles sit on the left in Arabic, Porta's on the right.
    box = await chat.bounding_box()
    bot_bubble = await page.locator('#chat article.msg[data-from="bot"]').last.bounding_box()
    assert box is not None and bot_bubble is not None
    assert bot_bubble["x"] + bot_bubble["width"] > box["x"] + box["width"] * 0.6
    await phone.shot("ar-1-menu")

    await phone.tap(label(ar, MENU_LABELS["housing"]))
    await phone.tap("CO-MIX", exact=False)
    await phone.tap(ar.pgettext("button", "✉️ Ask about this"))
    await phone.tap(ar.pgettext("button", "👥 With others"))
    await phone.tap("3")
    await phone.tap("1")
    await phone.tap(ar.pgettext(*SITUATIONS["street"]))
    await phone.tap(ar.pgettext(*WHEN["today"]))
    await phone.tap(ar.pgettext("button", "📞 By phone"))
    await phone.write("+39 333 1234567")
    await phone.tap(ar.pgettext("button", "Yes"))
    await phone.tap(ar.pgettext("button", "✅ I agree"))
    await phone.tap(ar.pgettext(*NEEDS["home"]))
    await phone.tap(ar.pgettext("button", "Skip ▶"))
    await phone.write("أحتاج غرفة قريبة من المدرسة")
    await phone.tap(ar.pgettext("button", "✅ Send"))
    found = REFERENCE.search(await phone.last_text())
    assert found is not None
    reference = found.group()
    await phone.shot("ar-2-request-sent")

    # Giulia, housing staff, opens the topic of the case in the group view.
    await phone.open(GIULIA)
    topic = page.locator("#groups .topic", has_text=reference)
    await expect(topic).to_be_visible(timeout=60_000)  # the outbox paces group messages
    await topic.click()
    await expect(page.locator("#chat-title")).to_contain_text(reference)
    card = page.locator("#chat article.msg", has_text="+39 333 1234567")
    await expect(card).to_be_visible(timeout=60_000)
    await phone.shot("staff-1-topic")
    await phone.tap(it.pgettext("button", "↩️ Quick replies"))
    await phone.tap(it(LABELS["docs"]))
    await phone.shot("staff-2-quick-reply")

    # Amira reads the answer in Arabic.
    await phone.open(AMIRA)
    answer = ar(REPLIES["docs"]).replace("\u200f", "")[:30]
    bubble = page.locator('#chat article.msg[data-from="bot"] .body', has_text=answer)
    await expect(bubble).to_be_visible(timeout=60_000)
    await phone.shot("ar-3-answer")
    assert world.emulator.unanswered_queries() == []
