"""Deep links from posters at the hubs: t.me/<bot>?start=a<ID> (an activity), h<ID> (a hub)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_
from handlers.common import PortaContext, reply, say


async def open_link(update: Update, context: PortaContext, payload: str) -> None:
    """Open the screen a deep link names; say so politely when it is gone."""
    # Activities and hubs are looked up here once they exist; until then, and for any
    # payload that names nothing, the user hears that the page is not there.
    text = say(
        context.t, N_("I can't find this page. It may be over or moved. Use the menu below.")
    )
    await reply(update, context, text)
