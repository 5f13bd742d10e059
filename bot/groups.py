"""Staff groups: whether a Telegram group can hold a team's cases (a supergroup with
topics, where Porta is an administrator allowed to manage topics)."""

from __future__ import annotations

from telegram import Bot, ChatMemberAdministrator
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden

TEAMS = ("housing", "youth")
# What may be missing, in the words the command line uses (the bot says it in the team's
# language).
PROBLEMS = {
    "not_found": "Porta is not in this group (add it first)",
    "not_forum": "the group has no topics (turn Topics on in the group's settings)",
    "not_admin": "Porta is not an administrator of the group",
    "no_topics_right": "Porta may not manage topics (give it that right)",
}


async def problems(bot: Bot, chat_id: int) -> list[str]:
    """What keeps the group from holding cases: [] when it can."""
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot.id)
    except (BadRequest, Forbidden):
        return ["not_found"]
    found = []
    if chat.type != ChatType.SUPERGROUP or not chat.is_forum:
        found.append("not_forum")
    if not isinstance(member, ChatMemberAdministrator):
        found.append("not_admin")
    elif not member.can_manage_topics:
        found.append("no_topics_right")
    return found
