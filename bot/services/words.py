"""Free words a young person types outside a form: whether they hold an emergency word in any
of the nine languages, and which words are worth a search.

The emergency words are kept in the catalogs (msgctxt "emergency words"), one list per
language with its variants and common misspellings, separated by "|", so that translators keep
them. Text and words are compared folded: lower case, no accents, Arabic without its vowel
marks and with one form of alef, ya and ta marbuta.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bot.i18n import SUPPORTED_LOCALES, pN_, translations

EMERGENCY_WORDS = pN_(
    "emergency words",
    "sleep outside|sleeping outside|sleep in the street|sleeping in the street|on the street|"
    "nowhere to sleep|no place to sleep|a place to sleep|place to sleep tonight|homeless|"
    "no home|no house|kicked out|thrown out|danger|in danger|unsafe|not safe|violence|violent|"
    "beaten|beat me|beats me|hit me|hits me|abuse|abused|police|hospital|ambulance|hurt|"
    "injured|bleeding|emergency|suicide|kill myself|sos",
)
ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # vowel marks, dagger alef, tatweel
ARABIC_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
SPACES = re.compile(r"[\s\u200c\u200d\u200e\u200f.,;:!?¿¡\"'“”«»()\-]+")
STOP = {"the", "and", "for", "with", "che", "per", "con", "una", "des", "les", "pour", "avec"}


def fold(text: str) -> str:
    """Lower case, accents dropped (Latin), Arabic letters in one form, one space between
    words, with a space at each end."""
    text = ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(ARABIC_FORMS)
    decomposed = unicodedata.normalize("NFD", text.casefold())
    kept = "".join(
        c
        for c in decomposed
        if not (unicodedata.combining(c) and "LATIN" in unicodedata.name(base(decomposed, c), ""))
    )
    return " " + SPACES.sub(" ", unicodedata.normalize("NFC", kept)).strip() + " "


def base(text: str, mark: str) -> str:
    """The letter a combining mark belongs to (its name says whether it is Latin)."""
    index = text.index(mark)
    while index > 0 and unicodedata.combining(text[index]):
        index -= 1
    return text[index]


@cache
def emergency_phrases() -> tuple[str, ...]:
    """Every language's emergency words, folded, longest first."""
    found: set[str] = set()
    for locale in SUPPORTED_LOCALES:
        listed = translations(locale).pgettext(*EMERGENCY_WORDS)
        found |= {fold(phrase).strip() for phrase in str(listed).split("|") if phrase.strip()}
    return tuple(sorted(found, key=len, reverse=True))


def is_emergency(text: str) -> bool:
    """Whether `text` holds an emergency word in any of the nine languages. A Latin or
    Cyrillic word must start where a word starts ("police" in "policeman", not in
    "apolice"); other scripts are matched anywhere."""
    folded = fold(text)
    for phrase in emergency_phrases():
        if phrase[:1].isascii() or "CYRILLIC" in unicodedata.name(phrase[0], ""):
            if f" {phrase}" in folded:
                return True
        elif phrase in folded:
            return True
    return False


def search_words(text: str, most: int = 4) -> list[str]:
    """The longest words of `text` worth a search (four letters or more, as written: the
    catalogue's titles keep their accents), at most `most`."""
    plain = SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold())
    words = {w for w in plain.split() if len(w) >= 4 and w not in STOP}
    return sorted(words, key=len, reverse=True)[:most]
