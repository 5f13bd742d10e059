"""Catalogs are complete and consistent; locales are negotiated and dates go through Babel."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest

from bot.i18n import LOCALES_DIR, RLM, SUPPORTED_LOCALES, Translator, negotiate

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z-]+>")
ROOT = Path(__file__).resolve().parent.parent
PLURALS = {"ar": 6, "uk": 3, "ro": 3}


def catalog(locale: str) -> polib.POFile:
    return polib.pofile(str(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"))


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_catalog_is_complete(locale: str) -> None:
    po = catalog(locale)
    template = polib.pofile(str(LOCALES_DIR / "messages.pot"))
    assert {(e.msgctxt, e.msgid) for e in template} <= {(e.msgctxt, e.msgid) for e in po}
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert po.percent_translated() == 100
    for entry in po.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(entry.msgid)), entry.msgid
            for command in re.findall(r"(?<![\w/])/[a-z]+\b", entry.msgid):
                assert command in text, (entry.msgid, command)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_plural_forms_match_the_language(locale: str) -> None:
    header = catalog(locale).metadata["Plural-Forms"]
    assert f"nplurals={PLURALS.get(locale, 2)};" in header


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_msgfmt_check_passes(locale: str, tmp_path: Path) -> None:
    po = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "m.mo"), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_template_lists_every_string_in_the_code(tmp_path: Path) -> None:
    """Extracting the sources again gives the committed template's strings."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (LOCALES_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {
        "_": None,
        "N_": None,
        "ngettext": (1, 2),
        "nN_": (1, 2),
        "pgettext": ((1, "c"), 2),
        "pN_": ((1, "c"), 2),
    }
    found = set()
    for _, _, message, _, context in extract_from_dir(ROOT, method_map, options_map, keywords):
        found.add((context, message if isinstance(message, str) else message[0]))
    template = {(e.msgctxt, e.msgid) for e in polib.pofile(str(LOCALES_DIR / "messages.pot"))}
    assert found == template


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("uk", "uk"),
        ("uk-UA", "uk"),
        ("ar_EG", "ar"),
        ("pt-br", "it"),
        ("zh-CN", "it"),
        ("sq-AL", "sq"),
        ("xx-YY", "it"),
        ("", "it"),
        (None, "it"),
        ("!!", "it"),
    ],
)
def test_negotiation(tag: str | None, expected: str) -> None:
    assert negotiate(tag, "it") == expected


def test_negotiation_tries_the_script_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """zh-CN means Simplified Chinese: it finds a zh_Hans catalog, should one be added."""
    from bot import i18n

    monkeypatch.setattr(i18n, "SUPPORTED_LOCALES", (*SUPPORTED_LOCALES, "zh_Hans"))
    assert negotiate("zh-CN", "it") == "zh_Hans"
    assert negotiate("zh-TW", "it") == "it"


def test_dates_are_formatted_by_babel_in_the_locale_and_zone() -> None:
    moment = datetime(2026, 3, 29, 16, 30, tzinfo=UTC)  # 18:30 in Rome (summer time)
    rome = ZoneInfo("Europe/Rome")
    assert Translator("it", rome).format_date(moment) == "dom 29 mar 2026"
    assert "18:30" in Translator("it", rome).format_datetime(moment)
    arabic = Translator("ar", rome).format_date(moment)
    assert "," not in arabic and re.search(r"[\u0600-\u06ff]", arabic)


def test_right_to_left_languages_get_a_leading_mark() -> None:
    rome = ZoneInfo("Europe/Rome")
    assert Translator("ar", rome).directed("42 شارع") == RLM + "42 شارع"
    assert Translator("ur", rome).rtl and not Translator("uk", rome).rtl
    assert Translator("en", rome).directed("42 street") == "42 street"
