"""Anything no other handler took: media, edits, old buttons, being blocked."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus

from bot.i18n import N_
from bot.services import users
from handlers.callbacks import Callback
from handlers.common import STALE_BUTTON, PortaContext, say
from handlers.screens import Screen, Shown, toast

log = logging.getLogger(__name__)


async def edited_message(update: Update, context: PortaContext) -> Shown:
    """An edited message: Porta reads new messages only."""
    return Screen(say(context.t, N_("I only read new messages. Please send it again.")))


async def unknown_command(update: Update, context: PortaContext) -> Shown:
    text = say(context.t, N_("I don't know this command. Tap /help to see what I can do."))
    return Screen(text)


async def stale_button(
    update: Update, context: PortaContext, data: Callback | None = None
) -> Shown:
    """Old or forged callback data: answer politely, change nothing."""
    log.info("stale callback data in update %s", update.update_id)
    return toast(say(context.t, STALE_BUTTON))


async def membership(update: Update, context: PortaContext) -> None:
    """Note when someone blocks the bot (kept until they return or ask for erasure)."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
    async with context.db.begin() as session:
        if blocked:
            await users.mark_blocked(session, change.from_user.id)
        else:
            user = await users.get(session, change.from_user.id)
            if user is not None:
                user.blocked_at = None
    log.info("user %s %s the bot", change.from_user.id, "blocked" if blocked else "unblocked")
