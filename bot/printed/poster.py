"""Posters for the hubs: a title, when and where, a large QR code of Porta's deep link, the link
as text and one short line per language ("Scan to sign up"), as a PDF in A5, A4 or A3.

`for_activity`, `for_hub` and `for_bot` gather what a poster says (a read from the database);
`render` lays it out (CPU only: call it off the event loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from bot.printed import fonts
from bot.services import catalog

SCAN_ACTIVITY = N_("Scan to sign up")
SCAN_HUB = N_("Scan to see what this hub offers")
SCAN_BOT = N_("Scan to open Porta")
OPEN_BOT = N_("Porta: activities, housing and help for young people")

SIZES = {"A5": (148.0, 210.0), "A4": (210.0, 297.0), "A3": (297.0, 420.0)}
INK = (20, 24, 31)
SOFT = (71, 85, 105)


@dataclass(frozen=True)
class Poster:
    """What a poster says; `locale` is the language of its title and details."""

    locale: str
    title: str
    details: tuple[str, ...]
    link: str
    lines: tuple[tuple[str, str], ...]  # (locale, the line in it)


def languages(asked: list[str], own: list[str] | None = None) -> list[str]:
    """The poster's languages: those asked, else the activity's own ones Porta speaks, else
    the nine; unknown codes raise ValueError naming them."""
    unknown = [code for code in asked if code not in SUPPORTED_LOCALES]
    if unknown:
        raise ValueError(", ".join(unknown))
    chosen = asked or [code for code in own or [] if code in SUPPORTED_LOCALES]
    return list(dict.fromkeys(chosen)) or list(SUPPORTED_LOCALES)


def link(username: str, payload: str = "") -> str:
    """Porta's deep link: t.me/<bot>?start=a12 opens activity 12, h3 hub 3, none the bot."""
    name = username.removeprefix("@")
    return f"https://t.me/{name}?start={payload}" if payload else f"https://t.me/{name}"


def scan_lines(message: str, codes: list[str], zone: ZoneInfo) -> tuple[tuple[str, str], ...]:
    return tuple((code, Translator(code, zone)(message)) for code in codes)


async def for_activity(
    session: AsyncSession,
    activity_id: int,
    username: str,
    asked: list[str],
    zone: ZoneInfo,
    default: str,
) -> Poster | None:
    """The poster of one activity, or None if there is no such activity."""
    activity = await catalog.get_activity(session, activity_id)
    if activity is None:
        return None
    codes = languages(asked, activity.languages)
    t = Translator(codes[0], zone)
    hub = activity.hub
    return Poster(
        locale=codes[0],
        title=catalog.text_for(activity, codes[0], default).title,
        details=(when(t, activity.starts_at, activity.ends_at), f"{hub.name} · {hub.address}"),
        link=link(username, f"a{activity.id}"),
        lines=scan_lines(SCAN_ACTIVITY, codes, zone),
    )


async def for_hub(
    session: AsyncSession, hub_id: int, username: str, asked: list[str], zone: ZoneInfo
) -> Poster | None:
    """The poster of a hub (its list of activities), or None if there is no such hub."""
    hub = await catalog.get_hub(session, hub_id)
    if hub is None:
        return None
    codes = languages(asked)
    hours = (hub.notes or {}).get(codes[0], {}).get("hours", "")
    details = tuple(part for part in (hub.address, hours) if part)
    return Poster(
        locale=codes[0],
        title=hub.name,
        details=details,
        link=link(username, f"h{hub.id}"),
        lines=scan_lines(SCAN_HUB, codes, zone),
    )


def for_bot(username: str, asked: list[str], zone: ZoneInfo) -> Poster:
    """The poster of Porta itself."""
    codes = languages(asked)
    t = Translator(codes[0], zone)
    return Poster(
        locale=codes[0],
        title="Porta",
        details=(t(OPEN_BOT),),
        link=link(username),
        lines=scan_lines(SCAN_BOT, codes, zone),
    )


def when(t: Translator, starts: datetime, ends: datetime) -> str:
    """'Tuesday 24 November 2026, 17:30–19:00' in the poster's language."""
    start, end = catalog.as_utc(starts), catalog.as_utc(ends)
    day = t.format_date(start, "yMMMMEEEEd")
    return f"{day}, {t.format_date(start, 'Hm')}–{t.format_date(end, 'Hm')}"


def render(poster: Poster, size: str = "A4") -> bytes:
    """The poster as PDF bytes, in portrait `size` (A5, A4 or A3)."""
    width, height = SIZES[size]
    k = width / 210  # every measure below is for A4 and scales with the paper
    pdf = FPDF(orientation="portrait", unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(16 * k, 16 * k, 16 * k)
    main = fonts.setup(pdf)
    pdf.set_title(poster.title)
    pdf.set_lang(poster.locale)
    pdf.add_page()
    pdf.set_text_color(*INK)
    centred(pdf, poster.title, poster.locale, main, 30 * k, "B", limit=3)
    pdf.set_text_color(*SOFT)
    for detail in poster.details:
        centred(pdf, detail, poster.locale, main, 15 * k, limit=2)
    top = pdf.get_y() + 6 * k
    size_pt = (16 if len(poster.lines) > 5 else 20) * k
    step = size_pt * 0.3528 * 1.45  # one line's height in mm
    below = 11 * k + step * len(poster.lines) + pdf.b_margin
    side = max(min(pdf.epw * 0.62, height - top - below), 50 * k)
    draw_qr(pdf, poster.link, (width - side) / 2, top, side)
    pdf.set_y(top + side + 2 * k)
    pdf.set_text_color(*INK)
    centred(pdf, poster.link, "en", main, 13 * k)
    pdf.ln(3 * k)
    for code, line in poster.lines:
        centred(pdf, line, code, main, size_pt, "B" if code == poster.locale else "", limit=1)
    return bytes(pdf.output())


def centred(
    pdf: FPDF, text: str, locale: str, main: str, size: float, style: str = "", limit: int = 0
) -> None:
    """A centred paragraph shaped as `locale` writes, at most `limit` lines (0: any)."""
    family = fonts.for_locale(pdf, locale, main)
    pdf.set_font(family, style, size)
    height = size * 0.3528 * 1.35
    if limit:
        count = len(lines_of(pdf, text, height))
        while count > limit and len(text) > 1:
            text = text[: max(1, len(text) * limit // count - 1)].rstrip() + "…"
            count = len(lines_of(pdf, text, height))
    pdf.multi_cell(pdf.epw, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def lines_of(pdf: FPDF, text: str, height: float) -> list[str]:
    """The lines `text` would take, centred across the page."""
    lines = pdf.multi_cell(pdf.epw, height, text, align="C", dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return lines


def draw_qr(pdf: FPDF, data: str, x: float, y: float, side: float) -> None:
    """The QR code of `data` as vector squares, with its four-module quiet zone."""
    matrix = segno.make(data, error="m", micro=False).matrix
    modules = len(matrix) + 8
    unit = side / modules
    pdf.set_fill_color(*INK)
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            run = column
            while run < len(cells) and cells[run]:
                run += 1
            # A hair wider and taller, so that no seam shows between neighbours.
            left, top = x + (column + 4) * unit, y + (row + 4) * unit
            pdf.rect(left, top, (run - column) * unit + 0.05, unit + 0.05, style="F")
            column = run
