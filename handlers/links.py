"""Deep links from posters at the hubs: t.me/<bot>?start=a<ID> (an activity), h<ID> (a hub)."""

from __future__ import annotations

from telegram import Update

from bot.services import catalog
from handlers.cards import Where
from handlers.common import NOT_FOUND, PortaContext, say
from handlers.screens import Screen, Shown, draw, screen


@screen("link")
async def open_link(update: Update, context: PortaContext, payload: str) -> Shown:
    """The screen a deep link names (a12: an activity, h3: a hub)."""
    kind, number = payload[:1], int(payload[1:])
    async with context.db() as session:
        if kind == "a":
            found = await catalog.get_activity(session, number) is not None
        else:
            found = await catalog.get_hub(session, number) is not None
    if not found:
        return Screen(say(context.t, NOT_FOUND))
    if kind == "a":
        return await draw("activities.card", update, context, number, Where("none"))
    return await draw("activities.list", update, context, Where("hub", str(number)))
