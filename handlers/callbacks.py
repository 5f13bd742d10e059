"""Callback data: small, typed and versioned (`age:1:18_24:o`), parsed in one place."""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64


@dataclass(frozen=True)
class Callback:
    kind: str
    args: tuple[str, ...]

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def pack(kind: str, *args: str | int) -> str:
    data = ":".join([kind, VERSION, *map(str, args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> Callback | None:
    """Parse callback data; None for anything stale (other version) or malformed."""
    if not data:
        return None
    kind, _, rest = data.partition(":")
    version, _, tail = rest.partition(":")
    if version != VERSION or not kind:
        return None
    return Callback(kind, tuple(tail.split(":")) if tail else ())


def pattern(kind: str) -> str:
    """The anchored CallbackQueryHandler pattern for one kind of callback data."""
    return rf"^{kind}:{VERSION}(:|$)"


def number(text: str, digits: int = 9) -> int | None:
    """A whole number from callback data, or None for anything else (a forged or stale
    value, or one too big for the database's integer ids)."""
    return int(text) if text.isdigit() and len(text) <= digits else None
