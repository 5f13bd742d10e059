"""The periodic work, driven by python-telegram-bot's JobQueue (APScheduler). Nothing here
lives only in memory: what must happen later is a database row, and the jobs only look for
due rows, so a restart rebuilds everything from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.delivery import Sender, SendFn

TICK_SECONDS = 0.5


def make_send(bot: Bot) -> SendFn:
    async def send(
        chat_id: int, text: str, reply_markup: dict[str, Any] | None, photo: str | None
    ) -> int:
        markup = InlineKeyboardMarkup.de_json(reply_markup, bot) if reply_markup else None
        if photo:
            message = await bot.send_photo(
                chat_id, photo, caption=text, reply_markup=markup, parse_mode="HTML"
            )
        else:
            message = await bot.send_message(chat_id, text, reply_markup=markup, parse_mode="HTML")
        return message.message_id

    return send


async def deliver(context: ContextTypes.DEFAULT_TYPE) -> None:
    sender: Sender = context.bot_data["sender"]
    await sender.tick()


async def recover(context: ContextTypes.DEFAULT_TYPE) -> None:
    sender: Sender = context.bot_data["sender"]
    await sender.recover()


def start(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Create the sender and schedule its jobs (called once the Application exists).

    The outbox has a Bot of its own, without python-telegram-bot's rate limiter: the outbox
    paces itself, and the limiter's retries (and its pause of every request after one 429)
    would fight with that.
    """
    outbox_bot = Bot(app.bot.token, base_url=settings.telegram_api_base_url)
    app.bot_data["outbox_bot"] = outbox_bot
    lease = timedelta(seconds=settings.outbox_lease_seconds)
    app.bot_data["sender"] = Sender(app.bot_data["db"], make_send(outbox_bot), lease=lease)
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        recover, interval=settings.outbox_lease_seconds, first=0, name="outbox-recover"
    )
    app.job_queue.run_repeating(
        deliver,
        interval=TICK_SECONDS,
        first=0.1,
        name="outbox",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


def kick(app: Application) -> None:  # type: ignore[type-arg]
    """Deliver what was just enqueued without waiting for the next tick."""
    if app.job_queue is not None:
        app.job_queue.run_once(deliver, 0)
