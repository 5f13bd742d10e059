"""What a screen says when it is read aloud: its title, its text, then its choices ("You
can: 1, sign up; 2, ..."), without emoji, markup or web addresses ("a link"). Phone numbers
are said digit by digit; every script's digits become ASCII digits (the Urdu voice skips
۰–۹); Arabic is diacritized before eSpeak reads it (it reads only fully vowelled Arabic)."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from bot.i18n import N_, SUPPORTED_LOCALES, Translator, native_name

A_LINK = N_("a link")
YOU_CAN = N_("You can: {choices}.")
CHOICE = N_("{number}, {label}")
# NOTE: read aloud on the first screen, in each language's own voice, before anything is read.
FOR_LANGUAGE = N_("For {language}, tap the button {language}.")

TAG = re.compile(r"<[^>]+>")
LINK = re.compile(r"(https?://|www\.|t\.me/)\S+", re.IGNORECASE)
# A phone number: at least six digits, maybe after +, in groups split by spaces or dashes.
PHONE = re.compile(r"\+?\d(?:[ \-./]?\d){5,}")
SENTENCE_END = tuple(".!?:;…؟۔।")
DROPPED = {"So", "Sk", "Cs", "Co", "Cn"}  # emoji and other symbols, which no voice reads
KEPT = set("+%&§")
JOINERS = {"\u200d", "\u200e", "\u200f", "\ufe0f", "\ufe0e", "\u20e3"}


def plain(markup: str) -> str:
    """Telegram HTML as the words a reader sees: tags gone, entities read."""
    return html.unescape(TAG.sub("", markup))


def ascii_digits(text: str) -> str:
    """۱۲ → 12, ১২ → 12: every script's decimal digits as ASCII."""
    return "".join(
        str(unicodedata.digit(char)) if char.isdigit() and not char.isascii() else char
        for char in text
    )


def without_symbols(text: str) -> str:
    kept = []
    for char in text:
        if char in JOINERS:
            continue
        if unicodedata.category(char) in DROPPED and char not in KEPT:
            kept.append(" ")
            continue
        kept.append("·" if char == "•" else char)
    return "".join(kept)


def digit_by_digit(match: re.Match[str]) -> str:
    groups = re.split(r"[ \-./]", match.group().lstrip("+"))
    return ", ".join(" ".join(group) for group in groups if group)


def sentences(text: str, phones: Iterable[str] = ()) -> str:
    """One line per sentence, each ending as a sentence ends, ready for the voice."""
    text = ascii_digits(plain(text))
    for number in phones:  # short numbers Porta knows to be phone numbers (112)
        if number:
            spaced = " ".join(number)
            text = re.sub(rf"(?<!\d){re.escape(number)}(?!\d)", spaced, text)
    text = PHONE.sub(digit_by_digit, text)
    lines = []
    for raw in without_symbols(text).splitlines():
        line = " ".join(raw.replace("·", " ").split()).strip(" -–—")
        if not line:
            continue
        lines.append(line if line.endswith(SENTENCE_END) else f"{line}.")
    return "\n".join(lines)


def screen_text(
    t: Translator, text: str, choices: Sequence[str], phones: Iterable[str] = ()
) -> str:
    """The words of a screen to read: its text (the title is its first line), then the
    choices its buttons give."""
    phones = list(phones)
    body = LINK.sub(f" {t(A_LINK)} ", text)
    spoken = sentences(body, phones)
    labels = [sentences(label, phones).rstrip(".") for label in choices]
    labels = [label for label in labels if label]
    if labels:
        listed = "; ".join(
            t(CHOICE).format(number=index, label=label) for index, label in enumerate(labels, 1)
        )
        spoken += "\n" + t(YOU_CAN).format(choices=listed)
    return spoken


def title_of(text: str) -> str:
    """The screen's title, for the voice note's caption: its first line, without symbols."""
    first = next((line for line in plain(text).splitlines() if line.strip()), "")
    words = " ".join(without_symbols(first).split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"


def languages_intro(zone: ZoneInfo) -> list[tuple[str, str]]:
    """ "For Arabic, tap العربية" in each of the nine languages, in its own voice."""
    parts = []
    for code in SUPPORTED_LOCALES:
        t = Translator(code, zone)
        parts.append((code, t(FOR_LANGUAGE).format(language=native_name(code))))
    return parts


def key(parts: Sequence[tuple[str, str]], voice: str, rate: int) -> str:
    """The cache key of a voice note: the same words, voices, engine and rate, the same note."""
    digest = hashlib.sha256(f"{voice}|{rate}".encode())
    for language, text in parts:
        digest.update(f"\x1e{language}\x1f{text}".encode())
    return digest.hexdigest()
