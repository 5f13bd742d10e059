"""How the report's cells read: labels in the reader's language, numbers as the locale writes
them in the PDF and plainly in the CSV."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError, dates, numbers

from bot.i18n import N_, Translator, pN_
from bot.printed.report_figures import Cell, Column, Days
from bot.services.case_names import KIND_NAMES as CASE_NAMES
from bot.services.case_names import STATUS_NAMES

FIGURES = ("people", "count", "rate", "average", "hours")
NOT_GIVEN = N_("not given")
AGE_NAMES = {
    "u14": pN_("age", "Under 14"),
    "14_17": pN_("age", "14–17"),
    "18_24": pN_("age", "18–24"),
    "25_35": pN_("age", "25–35"),
    "o35": pN_("age", "Over 35"),
}
KIND_NAMES = {
    "training": pN_("activity kind", "training"),
    "culture": pN_("activity kind", "culture"),
    "school": pN_("activity kind", "school"),
    "work": pN_("activity kind", "work"),
    "civic": pN_("activity kind", "civic life"),
    "sport": pN_("activity kind", "sport"),
    "language": pN_("activity kind", "language"),
}
OFFER_NAMES = {
    "volunteer": pN_("offer kind", "volunteering"),
    "mentor": pN_("offer kind", "mentoring"),
    "host": pN_("offer kind", "hosting"),
}


def label(column: Column, value: Cell, t: Translator) -> str:
    """A label cell (week, language, age group, kind...) in the reader's language."""
    if isinstance(value, Days):
        return period(value, t.locale, "MMMd")
    if value is None:
        return "—" if column.kind == "programme" else t(NOT_GIVEN)
    value = str(value)
    if column.kind == "language":
        return language_name(value, t.locale)
    if column.kind == "age" and value in AGE_NAMES:
        return t.pgettext(*AGE_NAMES[value])
    if column.kind == "kind" and value in KIND_NAMES:
        return t.pgettext(*KIND_NAMES[value])
    if column.kind == "offer" and value in OFFER_NAMES:
        return t.pgettext(*OFFER_NAMES[value])
    names = {"case": CASE_NAMES, "status": STATUS_NAMES}.get(column.kind, {})
    return t(names[value]) if value in names else value


def period(days: Days, locale: str, skeleton: str = "yMMMd") -> str:
    """1–30 Nov 2026, as the locale writes it."""
    if days.first == days.last:
        return str(dates.format_skeleton(skeleton, days.first, locale=locale))
    return str(dates.format_interval(days.first, days.last, skeleton, locale=locale))


def language_name(code: str, locale: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(locale)
    except (ValueError, UnknownLocaleError):
        return code
    return f"{name} ({code})" if name else code


def shown(column: Column, value: Cell, t: Translator) -> str:
    """A cell as the PDF shows it."""
    if column.kind not in FIGURES:
        return label(column, value, t)
    if value is None:
        return "—"
    if not isinstance(value, int | float):
        return str(value)  # "< 5"
    if column.kind == "rate":
        return str(numbers.format_percent(value, locale=t.locale))
    if column.kind in ("average", "hours"):
        return str(numbers.format_decimal(value, "#,##0.0", locale=t.locale))
    return str(numbers.format_decimal(value, locale=t.locale))


def plain(column: Column, value: Cell, t: Translator) -> str:
    """A cell as the CSV holds it: figures as a spreadsheet reads them (0.75, 4.5), weeks as
    ISO dates."""
    if isinstance(value, Days):
        return f"{value.first.isoformat()}/{value.last.isoformat()}"
    if column.kind not in FIGURES:
        return label(column, value, t)
    return "" if value is None else str(value)
