"""The periodic work, driven by python-telegram-bot's JobQueue (APScheduler). Nothing here
lives only in memory: what must happen later is a database row, and the jobs only look for
due rows, so a restart rebuilds everything from the database."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot, InlineKeyboardMarkup
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.db.models import OutboxMessage
from bot.delivery import Sender, SendFn
from bot.health import DATABASE, WatchedRequest, describe, is_database_outage
from bot.services import cases

Job = Callable[[Any], Coroutine[Any, Any, None]]

TICK_SECONDS = 0.5
# Keys of a row's action that are Porta's own bookkeeping, not Bot API parameters.
LOCAL_KEYS = {"method", "case"}


def make_send(bot: Bot) -> SendFn:
    async def send(row: OutboxMessage) -> int:
        if row.action:
            return await call(bot, row)
        markup = InlineKeyboardMarkup.de_json(row.reply_markup, bot) if row.reply_markup else None
        if row.photo:
            message = await bot.send_photo(
                row.chat_id, row.photo, caption=row.text, reply_markup=markup, parse_mode="HTML"
            )
        else:
            message = await bot.send_message(
                row.chat_id, row.text, reply_markup=markup, parse_mode="HTML"
            )
        return message.message_id

    return send


async def call(bot: Bot, row: OutboxMessage) -> int:
    """The Bot API call a row describes (a copy, a topic, a message in a topic); returns the
    id of the message or topic it made (0 when none)."""
    assert row.action is not None
    method = row.action["method"]
    params: dict[str, Any] = {k: v for k, v in row.action.items() if k not in LOCAL_KEYS}
    markup = InlineKeyboardMarkup.de_json(row.reply_markup, bot) if row.reply_markup else None
    if method == "sendMessage":
        message = await bot.send_message(
            row.chat_id, row.text, parse_mode="HTML", reply_markup=markup, **params
        )
        return message.message_id
    if method == "copyMessage":
        if "caption" in params:
            params["parse_mode"] = "HTML"
        copied = await bot.copy_message(row.chat_id, reply_markup=markup, **params)
        return copied.message_id
    if method == "editMessageText":
        await bot.edit_message_text(
            row.text, row.chat_id, parse_mode="HTML", reply_markup=markup, **params
        )
        return 0
    if method == "createForumTopic":
        topic = await bot.create_forum_topic(row.chat_id, **params)
        return topic.message_thread_id
    topics = {
        "editForumTopic": bot.edit_forum_topic,
        "closeForumTopic": bot.close_forum_topic,
        "reopenForumTopic": bot.reopen_forum_topic,
    }
    await topics[method](row.chat_id, **params)
    return 0


def guarded(job: Job) -> Job:
    """A job that meets a database outage notes it (one line, not a traceback each run) and
    tries again at its next run; a run that succeeds notes that the database is back."""

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await job(context)
        except Exception as error:
            if not is_database_outage(error):
                raise
            DATABASE.lost(describe(error))
        else:
            DATABASE.back()

    run.__name__ = run.__qualname__ = getattr(job, "__name__", "job")
    return run


def alone(name: str, job: Job) -> Job:
    """A periodic job that several Porta processes on one PostgreSQL run one at a time: a
    process whose turn comes while another runs it skips this run (the jobs are scans that
    pick up what is due, so the next run catches up). On SQLite there is one process."""
    key = zlib.crc32(f"porta-job:{name}".encode())

    async def run(context: ContextTypes.DEFAULT_TYPE) -> None:
        engine: AsyncEngine = context.bot_data["engine"]
        if engine.dialect.name != "postgresql":
            await job(context)
            return
        async with engine.connect() as connection:
            taken = await connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
            await connection.commit()
            if not taken:
                return
            try:
                await job(context)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                await connection.commit()

    run.__name__ = run.__qualname__ = getattr(job, "__name__", "job")
    return run


@guarded
async def deliver(context: ContextTypes.DEFAULT_TYPE) -> None:
    sender: Sender = context.bot_data["sender"]
    await sender.tick()


@guarded
async def recover(context: ContextTypes.DEFAULT_TYPE) -> None:
    sender: Sender = context.bot_data["sender"]
    await sender.recover()


def start(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Create the sender and schedule its jobs (called once the Application exists).

    The outbox has a Bot of its own, without python-telegram-bot's rate limiter: the outbox
    paces itself, and the limiter's retries (and its pause of every request after one 429)
    would fight with that.
    """
    outbox_bot = Bot(
        app.bot.token,
        base_url=settings.telegram_api_base_url,
        request=WatchedRequest(connection_pool_size=16),
    )
    app.bot_data["outbox_bot"] = outbox_bot
    app.bot_data["sender"] = Sender(
        app.bot_data["db"],
        make_send(outbox_bot),
        after=cases.after_delivery,
        metrics=app.bot_data["metrics"],
        pacer=app.bot_data["pacer"],
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        max_age=timedelta(hours=settings.outbox_max_age_hours),
    )
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
