"""Deep links from posters at the hubs: t.me/<bot>?start=a<ID> (an activity), h<ID> (a hub)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_
from bot.services import catalog
from handlers.cards import Where
from handlers.common import PortaContext, reply, say

NOT_FOUND = N_("I can't find this page. It may be over or moved. Use the menu below.")


async def open_link(update: Update, context: PortaContext, payload: str) -> None:
    """Open the screen a deep link names (a12: an activity, h3: a hub)."""
    from handlers import activities  # activities opens links too (its cards link back here)

    kind, number = payload[:1], int(payload[1:])
    async with context.db() as session:
        if kind == "a":
            found = await catalog.get_activity(session, number) is not None
        else:
            found = await catalog.get_hub(session, number) is not None
    if not found:
        await reply(update, context, say(context.t, NOT_FOUND))
    elif kind == "a":
        await activities.show_card(update, context, number, Where("none"), edit=False)
    else:
        await activities.show_list(update, context, Where("hub", str(number)), edit=False)
