"""The error handler: log the update id, tell the user in their language, answer the tap.
While the database or the Bot API is away, bot.health logs one line for the outage instead
of a traceback for every update."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.health import DATABASE, TELEGRAM, describe, is_database_outage
from bot.i18n import N_
from handlers.common import PortaContext, say
from handlers.gate import pick_locale
from handlers.screens import Screen, put

log = logging.getLogger(__name__)
SORRY = N_("Sorry, something went wrong. Please try again.")


async def on_error(update: object, context: PortaContext) -> None:
    """Log what failed (ids only) and tell the user that something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    context.bot_data["metrics"].errors.inc()
    if error is not None and is_database_outage(error):
        DATABASE.lost(describe(error))
    elif isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # (python-telegram-bot's BadRequest is a NetworkError; a refused request is a bug)
        TELEGRAM.lost(describe(error))
        return  # the answer could not reach the user either
    else:
        log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    query = update.callback_query
    if update.effective_chat.type != "private" and query is not None:
        if context.bot_data["answers"].claim(query.id):  # a staff card in a group
            with contextlib.suppress(TelegramError):
                await query.answer()
        return
    if update.effective_chat.type != "private" or isinstance(error, Forbidden):
        return
    try:
        await pick_locale(update, context)
    except Exception:  # the database may be what failed; the default language will do
        log.debug("could not read the locale for update %s", update_id)
    try:
        await put(update, context, Screen(say(context.t, SORRY)))
    except TelegramError:
        log.warning("could not tell the user about the error in update %s", update_id)
