"""The web sandbox in a real browser: Debian's Chromium, headless, driven by Playwright, the way
a person clicks. Screenshots are kept in data/test-artifacts/browser/ (PORTA_TEST_ARTIFACTS to
change it); PORTA_README_SCREENSHOT=1 also writes the README's docs/sandbox.png.

They need the `chromium` package (`apt-get install chromium`; .ci/run installs it) and
Playwright for Python (in the dev extras); elsewhere they are skipped, saying so."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import icalendar
import pytest

from bot.i18n import Translator
from bot.sandbox.web.world import World
from handlers.casecard import NEEDS, SIGNATURE, SITUATIONS, WHEN
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
README_SCREENSHOT = bool(os.environ.get("PORTA_README_SCREENSHOT"))  # read before the fixtures
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

    @contextlib.asynccontextmanager
    async def acting(self) -> AsyncIterator[None]:
        """Around a click or a key that makes the page POST an action: wait for the server's
        answer (a click returns before the request is made), then for Porta and the page."""
        async with self.page.expect_response(
            lambda r: r.request.method == "POST" and "/web/users/" in r.url
        ):
            yield
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
        newest message that has it, else on the reply keyboard. What Porta sends to a group
        comes through the outbox, after Porta has handled the tap: wait for it to show."""
        shown = re.compile(rf"^\s*{re.escape(text)}\s*$") if exact else re.compile(re.escape(text))
        inline = self.page.locator("#chat article.msg .inline-btn", has_text=shown)
        anywhere = self.page.locator("#chat article.msg .inline-btn, #reply-keyboard button")
        await expect(anywhere.filter(has_text=shown).first).to_be_visible(timeout=60_000)
        if await inline.count():
            target = inline.last
        else:
            target = self.page.locator("#reply-keyboard button", has_text=shown).first
        async with self.acting():
            await target.click()

    async def onboard(self, t: Translator) -> None:
        """After Start: the language as Telegram says, 18–24, agree, San Vito, sport."""
        await self.tap(t.pgettext("button", "Continue ▶"))
        await self.tap(label(t, AGE_LABELS["18_24"]))
        await self.tap(t.pgettext("button", "✅ I agree"))
        await self.tap("San Vito")
        await self.tap(label(t, INTEREST_LABELS["sport"]))
        await self.tap(t.pgettext("button", "Done"))

    async def write(self, text: str) -> None:
        await self.page.locator("#composer").fill(text)
        async with self.acting():
            await self.page.keyboard.press("Enter")

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
    async with phone.acting():
        await page.locator("#start").click()
    await expect(page.locator("#chat")).to_have_attribute("dir", "ltr")
    await phone.shot("it-1-welcome")
    await phone.onboard(it)
    keyboard = page.locator("#reply-keyboard button")
    await expect(keyboard.first).to_be_visible()
    await phone.tap(label(it, MENU_LABELS["activities"]))
    await phone.tap(it.pgettext("button", "🗓 This week"))
    await phone.shot("it-2-this-week")
    listing = page.locator("#chat article.msg").last.locator(".inline-btn").first
    title = (await listing.inner_text()).strip()
    async with phone.acting():
        await listing.click()
    await phone.tap(it.pgettext("button", "✅ Sign up"))
    card = page.locator("#chat article.msg").last
    await expect(
        card.locator(".inline-btn", has_text=it.pgettext("button", "📅 Add to calendar"))
    ).to_be_visible()
    await phone.shot("it-3-signed-up")
    if README_SCREENSHOT:
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

    # Where it is: a venue with its address, coordinates and a map link.
    await phone.tap(it.pgettext("button", "📍 Where"))
    venue = page.locator("#chat .venue").last
    await expect(venue).to_be_visible()
    assert "Via" in await venue.inner_text() or "Piazza" in await venue.inner_text()
    osm = await venue.locator("a.osm").get_attribute("href")
    assert osm is not None and osm.startswith("https://www.openstreetmap.org/?mlat=43.8")
    assert world.emulator.unanswered_queries() == []


async def test_arabic_right_to_left_and_a_housing_request_answered_by_staff(
    page: Page, world: World
) -> None:
    ar, it = translator("ar"), translator("it")
    phone = Phone(page, world)
    await phone.open(AMIRA)
    async with phone.acting():
        await page.locator("#start").click()
    await phone.onboard(ar)
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
    await page.locator("#panel-toggle").click()  # on a phone the groups are behind ☰
    topic = page.locator("#groups .topic", has_text=reference)
    await expect(topic).to_be_visible(timeout=60_000)  # the outbox paces group messages
    await topic.click()
    await expect(page.locator("#chat-title")).to_contain_text(reference)
    card = page.locator("#chat article.msg", has_text="+39 333 1234567")
    await expect(card).to_be_visible(timeout=60_000)
    await phone.shot("staff-1-topic")
    await phone.tap(it.pgettext("button", "↩️ Quick replies"))
    await phone.tap(it(LABELS["docs"]))
    await phone.write("Ciao Amira, ti chiamiamo domani.")  # typed in the topic: to Amira
    await phone.write("! chiamare domani mattina")  # a note: stays in the topic
    await phone.shot("staff-2-quick-reply")

    # Amira reads the answer in Arabic.
    await phone.open(AMIRA)
    answer = ar(REPLIES["docs"]).replace("\u200f", "")[:30]
    bubble = page.locator('#chat article.msg[data-from="bot"] .body', has_text=answer)
    await expect(bubble).to_be_visible(timeout=60_000)
    written = page.locator(
        '#chat article.msg[data-from="bot"] .body', has_text="ti chiamiamo domani"
    )
    await expect(written).to_be_visible(timeout=60_000)
    signature = ar(SIGNATURE).replace("\u200f", "")
    assert signature in (await written.inner_text()).replace("\u200f", "")  # in Arabic
    await expect(page.locator("#chat", has_text="chiamare domani mattina")).to_have_count(0)
    await phone.shot("ar-3-answer")
    assert world.emulator.unanswered_queries() == []


CONTRAST = """() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const [r, g, b, a = 1] = parse(getComputedStyle(e).backgroundColor);
      if (a > 0.95) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const poor = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
    const [l1, l2] = [luminance(parse(style.color)), luminance(background(element))];
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) poor.push(`${element.tagName}.${element.className}: ${ratio.toFixed(2)}`);
  }
  return poor;
}"""

UNLABELLED = """() => [...document.querySelectorAll("button, a[href], input, select, textarea")]
  .filter((e) => e.getClientRects().length && e.type !== "hidden")
  .filter((e) => !(e.getAttribute("aria-label") || e.textContent.trim() || e.labels?.length
                   || e.getAttribute("aria-labelledby") || e.title))
  .map((e) => e.outerHTML.slice(0, 80))"""


async def test_the_page_at_360_pixels_with_the_keyboard_alone_and_in_two_tabs(
    page: Page, world: World
) -> None:
    phone = Phone(page, world)
    await page.set_viewport_size({"width": 360, "height": 740})
    await phone.open(LUCA)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert await page.evaluate(UNLABELLED) == []

    # The side panel is behind the ☰ button: open it and choose Olena with the keyboard.
    toggle = page.locator("#panel-toggle")
    await toggle.focus()
    outline = await toggle.evaluate(
        "e => { const s = getComputedStyle(e); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; }"
    )
    assert not outline.startswith("none") or "rgb" in outline  # a visible focus ring
    await page.keyboard.press("Enter")
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    olena = page.locator('#people .person[data-user-id="10003"]')
    await olena.focus()
    await page.keyboard.press("Enter")
    await expect(olena).to_have_attribute("aria-pressed", "true")
    await phone.settle()
    start = page.locator("#start")
    await start.focus()
    async with phone.acting():
        await page.keyboard.press("Enter")
    uk = translator("uk")
    await expect(page.locator("#chat article.msg .body").last).to_contain_text("Porta")
    continue_button = page.locator(
        "#chat .inline-btn", has_text=uk.pgettext("button", "Continue ▶")
    )
    await continue_button.focus()
    async with phone.acting():
        await page.keyboard.press("Space")
    assert await page.evaluate(CONTRAST) == []
    assert await page.evaluate(UNLABELLED) == []
    await phone.shot("a11y-360")

    # A second tab on the same view follows what the first does, live.
    other = await page.context.new_page()
    await other.goto(f"{world.url}#u=10003")
    await expect(other.locator("#chat article.msg").last).to_be_visible()
    await phone.tap(label(uk, AGE_LABELS["18_24"]))
    question = await phone.last_text()
    await expect(other.locator("#chat article.msg .body").last).to_have_text(question)
    # Typing in the composer and pressing Enter sends; the tab that did not type sees it.
    await phone.tap(uk.pgettext("button", "✅ I agree"))
    await phone.write("Sant'Anna")
    await expect(
        other.locator('#chat article.msg[data-from="user"] .body', has_text="Sant'Anna")
    ).to_be_visible()
