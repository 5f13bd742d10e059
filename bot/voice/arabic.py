"""Arabic with its short vowels written in: eSpeak NG reads only fully vowelled Arabic. The
diacritizer (mishkal) runs in the speech process, where its dictionaries are loaded once."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

CLAUSE = re.compile(r"([^\s\w\u0600-\u06ff]+|\n)")
LETTER = re.compile(r"[\u0621-\u064a]")


@cache
def _vocalizer() -> Any:
    try:
        import mishkal.tashkeel
    except ImportError:
        return None
    return mishkal.tashkeel.TashkeelClass()


def prepare() -> None:
    """Load the diacritizer's dictionaries (a second or two), before the first Arabic note."""
    _vocalizer()


def diacritize(text: str) -> str:
    """`text` vowelled clause by clause (punctuation is kept where it was: the diacritizer
    would drop it and run two clauses together)."""
    vocalizer = _vocalizer()
    if vocalizer is None:
        return text
    pieces = []
    for piece in CLAUSE.split(text):
        if LETTER.search(piece):
            pieces.append(str(vocalizer.tashkeel(piece.strip())))
            pieces.append(" ")
        else:
            pieces.append(piece)
    return "".join(pieces).strip()
