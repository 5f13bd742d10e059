"""Gettext catalogs through Babel, locale negotiation and locale-aware formatting.

Catalogs are compiled in memory from locales/<lang>/LC_MESSAGES/messages.po when first used,
so a fresh clone needs no compile step.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

# Order shown in the language picker.
SUPPORTED_LOCALES = ("it", "en", "ar", "uk", "fr", "bn", "ur", "sq", "ro")

# Right-to-left paragraphs take their direction from their first strong character; a leading
# RIGHT-TO-LEFT MARK keeps a message that starts with a number or a Latin name right-to-left.
RLM = "\u200f"


@cache
def translations(locale: str) -> Translations:
    """Return the catalog of `locale`, compiled in memory from its .po file."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def fingerprint(locale: str) -> str:
    """A short digest of the locale's texts: it changes when any of them does (and not when
    only the catalog's header, such as its date, does)."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain=DOMAIN)
    digest = hashlib.sha256()
    for message in sorted(catalog, key=lambda m: (str(m.context or ""), str(m.id))):
        if message.id and not message.fuzzy:
            digest.update(repr((message.context, message.id, message.string)).encode())
    return digest.hexdigest()[:16]


def negotiate(language_code: str | None, default: str) -> str:
    """Map Telegram's IETF language_code (pt-br, zh-CN, uk) to a supported locale."""
    if not language_code:
        return default
    try:
        parsed = Locale.parse(language_code.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return default
    candidates = [parsed.language]
    if parsed.script:
        candidates.insert(0, f"{parsed.language}_{parsed.script}")
    return next((c for c in candidates if c in SUPPORTED_LOCALES), default)


def native_name(locale: str) -> str:
    """The language's own name for itself, capitalised (العربية, Українська)."""
    name: str = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


class Translator:
    """The user's language for one update: gettext, plurals and dates, all in one locale."""

    def __init__(self, locale: str, zone: ZoneInfo) -> None:
        self.locale = locale
        self.zone = zone
        self._catalog = translations(locale)
        self.rtl = Locale.parse(locale).character_order == "right-to-left"

    def __call__(self, message: str) -> str:
        return str(self._catalog.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(self._catalog.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        return str(self._catalog.pgettext(context, message))

    def format_datetime(self, moment: datetime, format: str = "medium") -> str:
        return str(dates.format_datetime(moment, format, tzinfo=self.zone, locale=self.locale))

    def format_date(self, moment: datetime, skeleton: str = "yMMMEd") -> str:
        local = moment.astimezone(self.zone)
        return str(dates.format_skeleton(skeleton, local, locale=self.locale))

    def format_decimal(self, number: float) -> str:
        """4.2 as people write it in the locale (4,2 in Italian)."""
        return str(numbers.format_decimal(number, locale=self.locale))

    def directed(self, text: str) -> str:
        """Prefix right-to-left text with a RIGHT-TO-LEFT MARK so Telegram lays it out RTL."""
        if self.rtl and not text.startswith(RLM):
            return RLM + text
        return text


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


def pN_(context: str, message: str) -> tuple[str, str]:
    """Mark a short label with its context for extraction; translated with pgettext later."""
    return context, message


def nN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a sentence with a number in it for extraction, in its singular and plural;
    translated with ngettext once the number is known."""
    return singular, plural
