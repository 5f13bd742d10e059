"""The walker of tests/test_walk.py: it acts as one person, taps every button it can reach
twice in a row (as a fast double tap does), answers the prompts that wait for typed text, and
records every fault it sees instead of stopping at the first.

A fault is a Bot API call about the person that the emulator refused, a callback query left
unanswered, a tap that changed nothing visible and whose answer has no text, or a text not in
the person's language: a message, button, menu button or toast holding three words or more
of a catalog string in another language (the English source strings of messages.pot, or
another catalog's translations) that the person's own catalog does not hold too, or an
Arabic or Urdu message that does not start right-to-left.

Screens are what one message shows, known by the callback data of its buttons. The walk goes
from the newest message back, trying each button not tried yet; buttons are deduplicated by
callback data (so the walk ends) and bounded (a few cards per list, two pages, a few
activities looked at in depth) so that nine languages fit in two minutes. When no button on
screen is left to try, the walker goes back to a screen that has some, tapping buttons whose
outcome it has seen (⬅ Back, or a button that opened that screen before), and stops when
there is no such way.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polib

from bot.i18n import RLM, SUPPORTED_LOCALES, Translator
from bot.sandbox.client import SandboxClient, SandboxUser
from bot.updates import ANSWER_WITHIN

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"<[^>]+>")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
RTL_LOCALES = ("ar", "ur")
MEDIA = ("document", "venue", "location", "photo", "sticker", "voice")
ROME = ZoneInfo("Europe/Rome")
BAD_ANSWER = "That does not look right. Please try again."
SOURCE = "source"  # the English source strings of messages.pot
LATE = ANSWER_WITHIN * 0.9  # seconds: an empty answer this late is Porta's stop to the spinner

Screen = tuple[str, ...]  # the callback data of a message's buttons, in order
Answer = Callable[[], Awaitable[str]]
Button = tuple[int, str, str]  # message id, callback data, label


# -- the language check ----------------------------------------------------------------------


def plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


def fragments_of(source: str) -> Iterator[str]:
    """The pieces of a text (tags stripped, split on lines and placeholders) long enough to
    give away a text in the wrong language: three words or more."""
    for line in plain(source).split("\n"):
        for piece in PLACEHOLDER.split(line):
            piece = piece.strip()
            if len(piece.split()) >= 3:
                yield piece


@cache
def catalog(locale: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(context, msgid) -> its translations in `locale`, as plain text."""
    entries: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in polib.pofile(str(LOCALES / locale / "LC_MESSAGES" / "messages.po")):
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        entries[(entry.msgctxt or "", entry.msgid)] = tuple(plain(t) for t in texts)
    return entries


@cache
def fragments(language: str) -> frozenset[str]:
    """The fragments of every message in one language: the English source strings of
    messages.pot for SOURCE, else the translations in that language's catalog."""
    if language == SOURCE:
        texts = [
            source
            for entry in polib.pofile(str(LOCALES / "messages.pot"))
            for source in (entry.msgid, entry.msgid_plural)
            if source
        ]
    else:
        texts = [text for translated in catalog(language).values() for text in translated]
    return frozenset(fragment for text in texts for fragment in fragments_of(text))


@cache
def everything_in(locale: str) -> str:
    """All of `locale`'s translations, to look a fragment up in."""
    return "\n".join(text for translated in catalog(locale).values() for text in translated)


def foreign_in(locale: str, text: str) -> list[tuple[str, str]]:
    """(language, fragment) for each message fragment of another language in `text` (the
    English source strings first) that `locale`'s own translations do not contain too."""
    own = everything_in(locale)
    found: list[tuple[str, str]] = []
    for language in (SOURCE, *SUPPORTED_LOCALES):
        if language == locale or (locale == "en" and language == SOURCE):
            continue
        for fragment in sorted(fragments(language)):
            if fragment in text and fragment not in own and fragment not in dict(found).values():
                found.append((language, fragment))
    return found


def english_in(locale: str, text: str) -> list[str]:
    """English source fragments in `text` that `locale`'s translations do not contain."""
    return [fragment for language, fragment in foreign_in(locale, text) if language == SOURCE]


def language_problems(locale: str, text: str, *, whole_message: bool) -> list[str]:
    problems = [
        f"{'English' if language == SOURCE else language} text {fragment!r} on a {locale} screen"
        for language, fragment in foreign_in(locale, text)
    ]
    rtl_start = text.startswith(RLM) or ARABIC_SCRIPT.match(text)
    if whole_message and locale in RTL_LOCALES and text and not rtl_start:
        problems.append(f"{locale} message does not start right-to-left: {text[:40]!r}")
    return problems


@cache
def translator(locale: str) -> Translator:
    return Translator(locale, ROME)


@cache
def prompt_pattern(locale: str, msgid: str) -> re.Pattern[str]:
    """A prompt as the bot shows it in `locale` (a placeholder matches anything)."""
    parts = PLACEHOLDER.split(plain(translator(locale)(msgid)))
    return re.compile(".+".join(re.escape(part) for part in parts), re.DOTALL)


# -- what the person sees --------------------------------------------------------------------


def labelled(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data) of a message's buttons, in order."""
    return [
        (b["text"], b["callback_data"])
        for row in message["buttons"]
        for b in row
        if "callback_data" in b
    ]


def screen_of(message: dict[str, Any] | None) -> Screen:
    return tuple(data for _, data in labelled(message)) if message else ()


@dataclass
class View:
    """One reading of the person's screen: the transcript, the reply keyboard, the toasts."""

    messages: dict[int, dict[str, Any]]
    keyboard: tuple[str, ...]
    toasts: list[dict[str, Any]]

    @classmethod
    def of(cls, screen: dict[str, Any]) -> View:
        messages = {m["message_id"]: m for m in screen["messages"]}
        return cls(messages, tuple(screen["keyboard"]), list(screen["toasts"]))

    def visible(self) -> tuple[Any, ...]:
        """What the person can tell apart: each message with its text, buttons and media,
        and the reply keyboard."""
        shown = tuple(
            (
                m["message_id"],
                m["from"],
                m["text"],
                tuple(
                    (b["text"], b.get("callback_data"), b.get("url"))
                    for row in m["buttons"]
                    for b in row
                ),
                tuple(kind for kind in MEDIA if kind in m),
            )
            for m in self.messages.values()
        )
        return shown, self.keyboard

    def last_id(self) -> int:
        return max(self.messages, default=0)

    def bot_messages(self, since: int = 0) -> list[dict[str, Any]]:
        return [m for i, m in self.messages.items() if i > since and m["from"] == "bot"]


# -- the rules of the walk -------------------------------------------------------------------

# The buttons of one activity (its card, its staff view), tried for a few activities only.
DEEP_BUTTONS: tuple[str, ...] = ("sg:1:j:", "sg:1:x:", "ac:1:ics:", "ac:1:map:", "op:1:p:")
DEEP_BUTTONS += ("op:1:csv:", "op:1:ci:", "of:1:code:", "of:1:e:", "of:1:ef:")
NUMBER = re.compile(r"\d+")


@dataclass
class Rules:
    """What the walk taps, in which order and phase, and how much of each list.

    Phase 0 is the walk; phase 1 gives places up and discards what was drafted; phase 2 is
    the destructive end (erasing one's data, cancelling an activity)."""

    locale: str  # the person's own language
    other_language: str  # the one they try in Settings before coming back to their own
    age_band: str = "18_24"
    cards_per_list: int = 2
    last_page: int = 1
    deep_activities: int = 2  # activities whose own buttons (sign up, people, edit…) are tried
    settings_interests: int = 2
    # Whatever the callback data look like, no more than this many buttons that differ only
    # in their numbers (so the walk stays bounded even if the data are renamed).
    per_pattern: int = 3
    # Families of buttons of which only the first on a message is tried, or one in the walk.
    one_per_screen: tuple[str, ...] = ("bc:1:a:", "nb:1:", "of:1:nh:", "of:1:nc:")
    one_per_walk: tuple[str, ...] = ("of:1:nl:", "bc:1:l:", "op:1:xx:")
    # Every screen is read aloud the same way: one 🔊 and one 🐢 in the walk (each note is
    # made by the speech engine, a second or so a page; tests/test_voice.py reads them all).
    one_per_walk += ("vo:1:s:n:", "vo:1:s:s:")
    # Reminders come by themselves; sending an announcement has a test of its own.
    skipped: tuple[str, ...] = ("rm:1:", "bc:1:now:", "bc:1:later:")
    # 🔊 on the first screen and the language choice turns on a voice note with every screen
    # (tests/test_voice.py has it); the walk stays a walk through the screens.
    skipped += tuple(f"vo:1:s:{speed}:{name}" for speed in "ns" for name in ("welcome", "language"))
    deep: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    def key(self, data: str) -> str:
        """Buttons that do the same thing share a key: a card, or ✅ Sign up, from any list."""
        parts = data.split(":")
        if data.startswith(("sg:1:j:", "sg:1:x:")) or (
            data.startswith("ac:1:c:") and parts[4:5] != ["my..0"]
        ):
            return ":".join(parts[:4])
        return data

    def phase(self, data: str) -> int:
        if data.startswith(("sg:1:x:", "bc:1:drop:")):
            return 1
        if data.startswith(("del:1:yes", "op:1:xx:")):
            return 2
        return 0

    def order(self, data: str) -> int:
        """Own language last, so that the walk goes on in it."""
        return 1 if data.startswith(f"lang:1:{self.locale}:") else 0

    def activity(self, data: str) -> str | None:
        """The activity that a card's or a staff view's own button acts on."""
        parts = data.split(":")
        return parts[3] if data.startswith(DEEP_BUTTONS) and len(parts) > 3 else None

    def allowed(self, data: str, earlier: Screen, tried: set[str]) -> bool:
        """May `data` be tried, given the buttons before it on the same message and the
        buttons tried so far?"""
        parts = data.split(":")
        if data.startswith(self.skipped):
            return False
        pattern = NUMBER.sub("#", data)
        if sum(NUMBER.sub("#", other) == pattern for other in tried) >= self.per_pattern:
            return False
        if data.startswith("lang:1:"):  # the welcome's are tapped by the test itself
            return parts[3:] == ["s"] and parts[2] in (self.locale, self.other_language)
        if data.startswith("age:1:"):
            return parts[2] == self.age_band
        if data.startswith("vr:1:r:"):  # the text to record is shown in its own language
            return parts[3:4] == [self.locale]
        # Lists carry their page last; the people screen, after the activity.
        page = parts[4:5] if data.startswith("op:1:p:") else parts[-1:]
        paged = data.startswith(("ac:1:l:", "op:1:l:", "op:1:p:"))
        if paged and page and page[0].isdigit() and int(page[0]) > self.last_page:
            return False
        if data.startswith("int:1:") and data.endswith(":s") and data != "int:1:done:s":
            # Settings shows the same interests as onboarding, where each is tried.
            return sum(d.startswith("int:1:") for d in earlier) < self.settings_interests
        for family, limit in (
            ("ac:1:c:", self.cards_per_list),
            ("op:1:v:", self.cards_per_list),
            ("op:1:ci:", 2),
        ):
            if data.startswith(family):
                return sum(d.startswith(family) for d in earlier) < limit
        for family in self.one_per_screen:
            if data.startswith(family) and any(d.startswith(family) for d in earlier):
                return False
        for family in self.one_per_walk:
            if data.startswith(family) and family in self.used:
                return False
        activity = self.activity(data)
        if activity is not None:
            return activity in self.deep or len(self.deep) < self.deep_activities
        return True

    def tapped(self, data: str) -> None:
        activity = self.activity(data)
        if activity is not None:
            self.deep.add(activity)
        self.used.update(f for f in self.one_per_walk if data.startswith(f))


# -- the walker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    locale: str  # the walk's language
    label: str
    data: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.locale}] {self.label!r} ({self.data}): {self.problem}"


class Walker:
    """One person walking the bot, and everything that went wrong on the way."""

    max_routes = 120  # taps towards untried buttons, per exploration
    route_depth = 5

    def __init__(
        self,
        client: SandboxClient,
        user: SandboxUser,
        rules: Rules,
        answers: dict[str, Answer] | None = None,
    ) -> None:
        self.client, self.user, self.rules = client, user, rules
        self.home = rules.locale
        self.locale = rules.locale  # the language the person reads now
        self.answers = answers or {}
        self.failures: list[Failure] = []
        self.visited: set[str] = set()  # keys of the buttons double-tapped
        self.tried: set[str] = set()  # their callback data
        self.edges: dict[str, Screen] = {}  # callback data -> the screen it opened last time
        self.checked: dict[int, tuple[str, tuple[str, ...]]] = {}  # text and labels checked
        self.checked_keyboard: tuple[str, ...] = ()
        self.calls_seen = 0
        self.queries: set[str] = set()
        self.unanswered: set[int] = set()  # taps, by their place in the toasts, found unanswered
        self.answered_prompts: set[int] = set()
        self.view = View({}, (), [])
        self.trace: list[str] = []  # every action, in order: what the walk did

    # -- reading and checking -----------------------------------------------------------------

    async def read(self) -> View:
        self.view = View.of(await self.user.screen())
        return self.view

    def fail(self, label: str, data: str, problem: str) -> None:
        self.failures.append(Failure(self.home, label, data, problem))

    def check_language(self, label: str, data: str, view: View) -> None:
        """New or changed texts must be in the language the person reads now."""
        for message_id, message in view.messages.items():
            if message["from"] != "bot":
                continue
            shown = (message["text"], tuple(text for text, _ in labelled(message)))
            before = self.checked.get(message_id)
            if shown == before:
                continue
            self.checked[message_id] = shown
            text, old = shown[0].lstrip(RLM), (before[0].lstrip(RLM) if before else None)
            if text != old:
                # A question closed with its answer keeps its words: check what is new.
                appended = old is not None and text.startswith(old)
                new = text[len(old) :] if old is not None and appended else shown[0]
                for problem in language_problems(self.locale, new, whole_message=not appended):
                    self.fail(label, data, problem)
            if before is None or shown[1] != before[1]:
                for button in shown[1]:
                    for problem in language_problems(self.locale, button, whole_message=False):
                        self.fail(label, data, f"button {button!r}: {problem}")
        if view.keyboard != self.checked_keyboard:
            self.checked_keyboard = view.keyboard
            for button in view.keyboard:
                for problem in language_problems(self.locale, button, whole_message=False):
                    self.fail(label, data, f"menu button {button!r}: {problem}")

    async def check_calls(self, label: str, data: str) -> None:
        """Every Bot API call about this person since the last check must have worked."""
        calls = await self.client.calls(self.calls_seen)
        self.calls_seen += len(calls)
        chat = str(self.user.id)
        for call in calls:
            params = call["params"]
            mine = (
                str(params.get("chat_id")) == chat
                or params.get("callback_query_id") in self.queries
            )
            if mine and not call["ok"]:
                self.fail(label, data, f"{call['method']} refused: {call['error']}")

    def check_answered(self, label: str, data: str, view: View) -> None:
        """Every tap must have had its answer (the toasts list each of this person's taps)."""
        for index, query in enumerate(view.toasts):
            if query["answered"] or index in self.unanswered:
                continue
            self.unanswered.add(index)
            if index == len(view.toasts) - 1:
                self.fail(label, data, "the callback query was never answered")
            else:
                self.fail(label, data, f"an earlier tap ({query['data']}) is still unanswered")

    # -- acting -------------------------------------------------------------------------------

    async def send(self, text: str) -> View:
        """Type a text (or tap a reply-keyboard button, which sends its label)."""
        await self.user.send(text)
        self.trace.append(f"send {text!r}")
        after = await self.read()
        await self.check_calls(text, "typed")
        self.check_language(text, "typed", after)
        return after

    async def press(self, message_id: int, data: str, label: str, again: bool = False) -> View:
        """One tap of a button, by its callback data, on the message that shows it."""
        if data.startswith("lang:1:"):
            self.locale = data.split(":")[2]
        before = self.view  # every action ends by reading the screen
        heard = data.startswith("vo:1:s:")  # a voice note: made and sent beside the tap
        notes = await self.notes() if heard else 0
        query = await self.user.tap_data(message_id, data)
        for _ in range(300 if heard else 0):  # the walk goes on once the note is there
            if await self.notes() > notes:
                break
            await asyncio.sleep(0.1)
        self.trace.append(f"tap {label!r} ({data}) on {message_id}")
        self.queries.add(query)
        self.rules.tapped(data)
        after = await self.read()
        await self.check_calls(label, data)
        self.check_answered(label, data, after)
        answer = after.toasts[-1] if len(after.toasts) > len(before.toasts) else {}
        if before.visible() == after.visible() and not answer.get("text"):
            if (answer.get("after") or 0) >= LATE and not again:
                # Porta stops the spinner of a tap it has not answered within 0.8 s (a busy
                # machine): that tap's own answer could not be shown. Once more, unhurried.
                self.trace.append(f"answered late ({answer['after']} s): tapped again")
                return await self.press(message_id, data, label, again=True)
            self.fail(label, data, "nothing visible changed and the callback answer has no text")
        for problem in language_problems(
            self.locale, answer.get("text") or "", whole_message=False
        ):
            self.fail(label, data, f"the answer {answer['text']!r}: {problem}")
        self.check_language(label, data, after)
        self.learn(data, message_id, before, after)
        return after

    async def notes(self) -> int:
        return sum("voice" in m for m in await self.user.bot_messages())

    async def double_tap(self, message_id: int, data: str, label: str) -> View:
        """Tap a button twice in a row on the same message, as a fast double tap does (the
        second tap may hit a button that the first one took away)."""
        self.visited.add(self.rules.key(data))
        self.tried.add(data)
        await self.press(message_id, data, label)
        return await self.press(message_id, data, label)

    def find(self, label: str) -> Button:
        """The newest button on screen with this label."""
        for message_id in sorted(self.view.messages, reverse=True):
            for text, data in labelled(self.view.messages[message_id]):
                if text == label:
                    return message_id, data, label
        raise AssertionError(f"no button {label!r} on screen")

    async def double_tap_label(self, label: str) -> View:
        await self.read()
        return await self.double_tap(*self.find(label))

    def learn(self, data: str, message_id: int, before: View, after: View) -> None:
        """Remember which screen `data` opens: the tapped message redrawn, or a new one."""
        tapped = screen_of(after.messages.get(message_id))
        if tapped and tapped != screen_of(before.messages.get(message_id)):
            self.edges[data] = tapped
            return
        opened = [screen_of(m) for m in after.bot_messages(before.last_id()) if m["buttons"]]
        if opened and opened[-1]:
            self.edges[data] = opened[-1]

    # -- walking ------------------------------------------------------------------------------

    def wanted(self, data: str) -> bool:
        """While the person reads another language, only the way back to their own."""
        return self.locale == self.home or data.startswith(f"lang:1:{self.home}:")

    def pending(self, screen: Screen, phase: int) -> list[int]:
        """Positions of the buttons still to try on a screen, in the order to try them."""
        found = [
            i
            for i, data in enumerate(screen)
            if self.rules.key(data) not in self.visited
            and self.rules.phase(data) <= phase
            and self.wanted(data)
            and self.rules.allowed(data, screen[:i], self.tried)
        ]
        return sorted(found, key=lambda i: self.rules.order(screen[i]))

    def next_button(self, since: int, phase: int) -> Button | None:
        """The first untried button of the newest message that has one (own language last)."""
        best: tuple[tuple[int, int], Button] | None = None
        for message in self.view.bot_messages(since):
            buttons = labelled(message)
            screen = tuple(data for _, data in buttons)
            for i in self.pending(screen, phase)[:1]:
                rank = (self.rules.order(screen[i]), -message["message_id"])
                if best is None or rank < best[0]:
                    best = (rank, (message["message_id"], screen[i], buttons[i][0]))
        return best[1] if best else None

    def route(
        self, since: int, phase: int, tried: dict[tuple[int, Screen, str], int]
    ) -> Button | None:
        """A tap, on a message on screen, on the way to a screen with buttons to try."""
        for message in reversed(self.view.bot_messages(since)):
            start = screen_of(message)
            labels = {data: text for text, data in labelled(message)}
            frontier: deque[tuple[Screen, str | None, int]] = deque([(start, None, 0)])
            seen = {start}
            while frontier:
                screen, first, depth = frontier.popleft()
                if first is not None and self.pending(screen, phase):
                    return message["message_id"], first, labels[first]
                if depth >= self.route_depth:
                    continue
                for data in screen:
                    target = self.edges.get(data)
                    if target is None or target in seen:
                        continue
                    if first is None and tried.get((message["message_id"], start, data), 0) >= 2:
                        continue
                    seen.add(target)
                    frontier.append((target, first or data, depth + 1))
        return None

    async def answer_prompt(self, since: int) -> bool:
        """Answer the newest question that waits for typed text (one without buttons)."""
        bots = self.view.bot_messages(since)
        for message in reversed(bots):
            if message["message_id"] in self.answered_prompts:
                return False
            if message["buttons"]:
                continue
            for msgid, answer in self.answers.items():
                if prompt_pattern(self.locale, msgid).fullmatch(message["text"].lstrip(RLM)):
                    self.answered_prompts.update(m["message_id"] for m in bots)
                    text = await answer()
                    after = await self.send(text)
                    refused = plain(translator(self.locale)(BAD_ANSWER))
                    if any(
                        m["text"].lstrip(RLM).startswith(refused)
                        for m in after.bot_messages(message["message_id"])
                    ):
                        self.fail(text, "typed", f"the answer to {msgid!r} was refused")
                    return True
        return False

    async def explore(self, since: int, phase: int = 0) -> None:
        """Try every button of the messages after `since` until none is left to try."""
        await self.read()
        tried: dict[tuple[int, Screen, str], int] = {}
        routes = 0
        while True:
            if await self.answer_prompt(since):
                continue
            button = self.next_button(since, phase)
            if button is not None:
                await self.double_tap(*button)
                continue
            step = self.route(since, phase, tried)
            if step is None or routes >= self.max_routes:
                return
            routes += 1
            message_id, data, label = step
            key = (message_id, screen_of(self.view.messages[message_id]), data)
            tried[key] = tried.get(key, 0) + 1
            await self.press(message_id, data, label)

    async def root(self, text: str, phase: int = 0, times: int = 1) -> None:
        """Send a command or tap a menu button (`times` in a row), then walk what it opens."""
        since = (await self.read()).last_id()
        for _ in range(times):
            await self.send(text)
        await self.explore(since, phase)
