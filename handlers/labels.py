"""Labels of choices and of the main menu, marked for translation and shown per locale."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import SUPPORTED_LOCALES, Translator, native_name, pN_

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
    "help": pN_("menu", "❓ Help"),
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
