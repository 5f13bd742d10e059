"""Labels of choices and of the main menu, marked for translation and shown per locale."""

from __future__ import annotations

import html
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import N_, SUPPORTED_LOCALES, Translator, native_name, pN_
from bot.services import feedback
from handlers.common import say

# NOTE: age groups, shown on buttons; "14–17" means from 14 to 17 years old.
AGE_LABELS = {
    "u14": pN_("age", "Under 14"),
    "14_17": pN_("age", "14–17"),
    "18_24": pN_("age", "18–24"),
    "25_35": pN_("age", "25–35"),
    "o35": pN_("age", "Over 35"),
}

INTEREST_LABELS = {
    "training": pN_("interest", "🎓 Courses and training"),
    "culture": pN_("interest", "🎭 Culture and art"),
    "school": pN_("interest", "📚 Help with school"),
    "work": pN_("interest", "💼 Finding a job"),
    "civic": pN_("interest", "🤝 Volunteering and community"),
    "sport": pN_("interest", "⚽ Sport"),
    "language": pN_("interest", "🗣 Learning Italian"),
    "housing": pN_("interest", "🏠 A place to live"),
}

# The main menu, in display order: action -> label.
MENU_LABELS = {
    "activities": pN_("menu", "🗓 Activities"),
    "housing": pN_("menu", "🏠 Housing"),
    "mine": pN_("menu", "⭐ My things"),
    "settings": pN_("menu", "⚙️ Settings"),
    "person": pN_("menu", "💬 Talk to a person"),
    "ideas": pN_("menu", "💡 Ideas"),
    "offer": pN_("menu", "🤝 Offer help"),
    "help": pN_("menu", "❓ Help"),
}

# An idea's answers (bot.services.ideas): roughly when, and what it needs.
TIMING_LABELS = {
    "month": pN_("idea when", "🔜 This month"),
    "months": pN_("idea when", "📆 In the next months"),
    "later": pN_("idea when", "🕰 Later on"),
}
NEED_LABELS = {
    "room": pN_("idea needs", "🏠 A room"),
    "materials": pN_("idea needs", "🎨 Materials"),
    "mentor": pN_("idea needs", "🧑‍🏫 A mentor"),
    "money": pN_("idea needs", "💶 Money"),
}


def label(t: Translator, entry: tuple[str, str]) -> str:
    context, message = entry
    return t.pgettext(context, message)


def main_menu(t: Translator) -> ReplyKeyboardMarkup:
    """The persistent main menu under the message box."""
    names = [label(t, entry) for entry in MENU_LABELS.values()]
    rows = [[KeyboardButton(n) for n in names[i : i + 2]] for i in range(0, len(names), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def menu_action(text: str, translators: dict[str, Translator]) -> str | None:
    """Which menu button a text is, in any language (an old keyboard may be on screen)."""
    for t in translators.values():
        for action, entry in MENU_LABELS.items():
            if label(t, entry) == text:
                return action
    return None


def language_rows() -> list[tuple[str, str]]:
    return [(code, native_name(code)) for code in SUPPORTED_LOCALES]


def summary_line(t: Translator, found: feedback.Summary) -> str:
    """'How it was: 4.2 of 5 from 7 people.' or 'No answers yet.'"""
    if not found.count or found.average is None:
        return say(t, N_("How it was: no answers yet."))
    average = t.format_decimal(round(found.average, 1))
    text = t.ngettext(
        "How it was: {average} of 5, from {count} person.",
        "How it was: {average} of 5, from {count} people.",
        found.count,
    )
    return text.format(average=average, count=found.count)


def idea_lines(t: Translator, data: dict[str, Any], hub: str | None) -> list[str]:
    """An idea's answers (bot.services.ideas), one line each, in `t`'s language: on the
    proposer's summary, the staff card and the board."""
    ages = [label(t, AGE_LABELS[a]) for a in data.get("ages") or [] if a in AGE_LABELS]
    needs = [label(t, NEED_LABELS[n]) for n in data.get("needs") or [] if n in NEED_LABELS]
    lines = [
        f"💡 <b>{html.escape(str(data.get('title', '')))}</b>",
        html.escape(str(data.get("body", ""))),
        say(t, N_("👥 For: {ages}"), ages=", ".join(ages)),
        say(t, N_("📍 Where: {hub}"), hub=hub or t.pgettext("button", "Any hub")),
    ]
    timing = TIMING_LABELS.get(str(data.get("timing")))
    if timing:
        lines.append(label(t, timing))
    if needs:
        lines.append(say(t, N_("🧰 Needs: {needs}"), needs=", ".join(needs)))
    if data.get("lead") in ("yes", True):
        lines.append(t(N_("🙋 Would lead it")))
    return lines


def proposer_name(t: Translator, shown_as: str, name: str, hub: str | None) -> str:
    """How the board shows who proposed an idea: their first name, or a young person (from
    the hub)."""
    if shown_as == "name" and name:
        return name
    if hub:
        return say(t, N_("a young person from {hub}"), hub=hub)
    return t(N_("a young person"))
