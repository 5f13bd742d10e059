"""Anything no other handler took: media, edits, old buttons, being blocked."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus

from bot.i18n import N_
from bot.services import users
from handlers.common import PortaContext, answer, reply, say
from handlers.profile import STALE_BUTTON

log = logging.getLogger(__name__)


async def media_message(update: Update, context: PortaContext) -> None:
    """Photos, stickers, voice, places and files: say what Porta can read (a photo may be
    an announcement that staff are writing)."""
    from handlers import broadcasts

    if update.message and update.message.photo and await broadcasts.take_message(update, context):
        return
    text = say(context.t, N_("I can only read text and buttons. Please use the menu below."))
    await reply(update, context, text)


async def edited_message(update: Update, context: PortaContext) -> None:
    """An edited message: Porta reads new messages only."""
    text = say(context.t, N_("I only read new messages. Please send it again."))
    await reply(update, context, text)


async def unknown_command(update: Update, context: PortaContext) -> None:
    text = say(context.t, N_("I don't know this command. Tap /help to see what I can do."))
    await reply(update, context, text)


async def stale_button(update: Update, context: PortaContext) -> None:
    """Old or forged callback data: answer politely, change nothing."""
    log.info("stale callback data in update %s", update.update_id)
    await answer(update.callback_query, say(context.t, STALE_BUTTON))


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
