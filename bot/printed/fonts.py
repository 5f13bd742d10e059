"""The fonts of printed things: Noto from Debian's fonts-noto-core, one face per script Porta
speaks, with HarfBuzz shaping so that Arabic, Urdu and Bengali join and order as they should."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

NOTO = Path("/usr/share/fonts/truetype/noto")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# (family, regular, bold): the first found is the main font (Latin and Cyrillic), the others
# fill in the scripts it lacks.
FACES = (
    ("Noto", NOTO / "NotoSans-Regular.ttf", NOTO / "NotoSans-Bold.ttf"),
    ("DejaVu", DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"),
    ("Arabic", NOTO / "NotoSansArabic-Regular.ttf", NOTO / "NotoSansArabic-Bold.ttf"),
    ("Bengali", NOTO / "NotoSansBengali-Regular.ttf", NOTO / "NotoSansBengali-Bold.ttf"),
)
# Per locale: the family, the script and the direction HarfBuzz should shape a line with.
SCRIPTS = {
    "ar": ("Arabic", "arab", "rtl"),
    "ur": ("Arabic", "arab", "rtl"),
    "bn": ("Bengali", "beng", "ltr"),
}
NEEDED = ("Noto", "Arabic", "Bengali")


def missing() -> list[Path]:
    """The font files printed things need that this machine lacks (apt install fonts-noto-core)."""
    return [regular for name, regular, _ in FACES if name in NEEDED and not regular.exists()]


def files() -> tuple[Path, ...]:
    """The regular faces found, main font first (for the report's charts)."""
    return tuple(regular for _, regular, _ in FACES if regular.exists())


def setup(pdf: FPDF) -> str:
    """Add every face found to `pdf`, with fallbacks and shaping on; the main family."""
    found = [(name, regular, bold) for name, regular, bold in FACES if regular.exists()]
    if not found:
        raise FileNotFoundError(f"no fonts in {NOTO} or {DEJAVU}: apt install fonts-noto-core")
    for name, regular, bold in found:
        pdf.add_font(name, "", str(regular))
        pdf.add_font(name, "B", str(bold if bold.exists() else regular))
    pdf.set_font(found[0][0], size=10)
    pdf.set_fallback_fonts([name for name, _, _ in found[1:]], exact_match=False)
    pdf.set_text_shaping(True)
    return found[0][0]


def for_locale(pdf: FPDF, locale: str, main: str) -> str:
    """Shape the next text as `locale` is written; the family to set for it."""
    family, script, direction = SCRIPTS.get(locale, (main, "", ""))
    if family not in pdf.fonts and family.lower() not in pdf.fonts:
        family = main
    pdf.set_text_shaping(
        True,
        script=script or None,
        language=locale,
        direction=direction or None,
    )
    return family
