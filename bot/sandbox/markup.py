"""Telegram's HTML parse mode, checked the way Telegram checks it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityError(Exception):
    """Text that Telegram would refuse with "can't parse entities"."""


class _Parser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.text: list[str] = []
        self.open: list[str] = []

    def byte_offset(self) -> int:
        line, column = self.getpos()
        before = "".join(self.source.splitlines(keepends=True)[: line - 1])
        return len((before + self.source.splitlines(keepends=True)[line - 1][:column]).encode())

    def fail(self, reason: str) -> None:
        raise EntityError(f"Bad Request: can't parse entities: {reason}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset()}')
        for name, value in attrs:
            if name not in ALLOWED[tag]:
                self.fail(f'Unsupported attribute "{name}" at byte offset {self.byte_offset()}')
            if tag == "span" and value != "tg-spoiler":
                self.fail(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset()}'
                )
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.fail(f'Unsupported start tag "{tag}/" at byte offset {self.byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.fail(
                f'Unmatched end tag at byte offset {self.byte_offset()}, expected "</'
                f'{self.open[-1] if self.open else ""}>", found "</{tag}>"'
            )
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self.fail(f"Unsupported start tag at byte offset {self.byte_offset()}")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.fail(f'Unsupported HTML entity "&{name};" at byte offset {self.byte_offset()}')
        self.text.append(NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        number = int(name[1:], 16) if name[:1] in "xX" else int(name)
        self.text.append(chr(number))

    def handle_comment(self, data: str) -> None:
        self.fail(f"Unsupported start tag at byte offset {self.byte_offset()}")

    def unknown_decl(self, data: str) -> None:
        self.fail(f"Unsupported start tag at byte offset {self.byte_offset()}")


_BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")


def parse_html(source: str) -> str:
    """Return the plain text of Telegram HTML, or raise EntityError as Telegram would."""
    if _BARE_AMPERSAND.search(source):
        raise EntityError("Bad Request: can't parse entities: Unexpected end of name token")
    parser = _Parser(source)
    parser.feed(source)
    parser.close()
    if parser.open:
        parser.fail(f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"')
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
