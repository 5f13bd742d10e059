"""A bare python-telegram-bot bot of the same shape as Porta's walk in the load benchmark: no
database, PTB's own AIORateLimiter. It shows, at each step, the button the next step taps
(LABELS, a JSON list: what each step taps; "" for "the first button")."""

from __future__ import annotations

import json
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

LABELS: list[str] = json.loads(os.environ["LABELS"])
KEYBOARD_STEPS = {n for n, label in enumerate(LABELS) if label.startswith("🗓 Activities")}


def markup(step: int) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """What the screen after `step` offers: the button the next step taps."""
    if step + 1 >= len(LABELS):
        return None
    label = LABELS[step + 1] or "Item"
    if step + 1 in KEYBOARD_STEPS:
        return ReplyKeyboardMarkup([[label]], resize_keyboard=True)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"s:{step + 1}")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Welcome", reply_markup=markup(0))


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.message is not None
    step = next(n for n in KEYBOARD_STEPS if LABELS[n] == update.message.text)
    await context.bot.send_message(update.effective_chat.id, "Menu", reply_markup=markup(step))


async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    step = int(query.data.split(":")[1])
    await query.answer("Done" if step + 1 >= len(LABELS) else None)
    following = markup(step)
    if isinstance(following, ReplyKeyboardMarkup):
        await query.edit_message_reply_markup(None)
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "All set", reply_markup=following)
    else:
        await query.edit_message_text(f"Step {step}", reply_markup=following)


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .rate_limiter(AIORateLimiter())
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    app.add_handler(CallbackQueryHandler(tapped))
    app.run_polling()


if __name__ == "__main__":
    main()
