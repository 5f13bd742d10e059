"""Signing up and cancelling from the card, "My things", and telling whoever moves up."""

from __future__ import annotations

import logging

from telegram import Update

from bot.db.models import Signup
from bot.i18n import N_
from bot.services import catalog, signups, users
from bot.services.signups import SignupRefused
from handlers import links, notices
from handlers.activities import now, show_card
from handlers.callbacks import Callback, pack
from handlers.cards import Where, title_of, when
from handlers.common import PortaContext, answer, buttons, reply, say, show
from handlers.profile import STALE_BUTTON, ids

log = logging.getLogger(__name__)

REFUSALS = {
    "closed": N_("Sign-up is closed for this activity."),
    "guardian": N_("You are under 14: a parent or guardian must agree first. Ask at your hub."),
    "consent": N_("To sign up, first agree to the privacy notice in Settings."),
    "unknown": links.NOT_FOUND,
}


async def signup_button(update: Update, context: PortaContext, data: Callback) -> None:
    """Join (j) or cancel (x) from a card; "my" lists the user's sign-ups."""
    action = data.arg(0)
    if action == "my":
        await answer(update.callback_query)
        await my_things(update, context, edit=True)
        return
    where = Where.parse(data.arg(2))
    if action not in ("j", "x") or not data.arg(1).isdigit() or where is None:
        await answer(update.callback_query, say(context.t, STALE_BUTTON))
        return
    activity_id = int(data.arg(1))
    if action == "j":
        await join(update, context, activity_id)
    else:
        await cancel(update, context, activity_id)
    await show_card(update, context, activity_id, where, edit=True)


async def join(update: Update, context: PortaContext, activity_id: int) -> None:
    user_id, _ = ids(update)
    person = update.effective_user
    try:
        async with context.db.begin() as session:
            user = await users.ensure(session, *ids(update))
            outcome = await signups.join(
                session, user, activity_id, person.first_name if person else "", now()
            )
    except SignupRefused as refused:
        if refused.reason == "age":
            async with context.db() as session:
                activity = await catalog.get_activity(session, activity_id)
            text = say(
                context.t,
                N_("This activity is for ages {low} to {high}."),
                low=activity.min_age if activity else "",
                high=activity.max_age if activity else "",
            )
        else:
            text = say(context.t, REFUSALS[refused.reason])
        await answer(update.callback_query, text, alert=True)
        return
    log.info("user %s signed up to activity %s (%s)", user_id, activity_id, outcome.signup.status)
    if outcome.position:
        text = say(
            context.t,
            N_("The activity is full. You are number {position} on the waitlist."),
            position=outcome.position,
        )
    else:
        text = say(context.t, N_("You have a place! See you there."))
    await answer(update.callback_query, text, alert=not outcome.already and bool(outcome.position))


async def cancel(update: Update, context: PortaContext, activity_id: int) -> None:
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        cancelled, promoted = await signups.cancel(session, user_id, activity_id, now())
    if cancelled is None:
        await answer(update.callback_query, say(context.t, N_("You are not signed up.")))
        return
    log.info("user %s cancelled activity %s", user_id, activity_id)
    await answer(update.callback_query, say(context.t, N_("Your place is cancelled.")))
    if promoted is not None:
        await tell_promoted(context, promoted)


async def tell_promoted(context: PortaContext, promoted: Signup) -> None:
    """Tell the first on the waitlist, in their language, that a place is theirs."""
    message = N_("🎉 Good news! A place is free for you: {title}, {when}. See you there!")
    await notices.tell(context, promoted, message, card_button=True)
    log.info(
        "user %s moved up from the waitlist of activity %s", promoted.user_id, promoted.activity_id
    )


async def my_things(update: Update, context: PortaContext, edit: bool = False) -> None:
    """The user's upcoming sign-ups, with their status; each opens its card."""
    user_id, _ = ids(update)
    async with context.db() as session:
        mine = await signups.mine(session, user_id, now())
        positions = {s.id: await signups.position(session, s) for s in mine}
    t, default = context.t, context.settings.default_language
    if not mine:
        await reply(update, context, say(t, N_("⭐ You have no sign-ups yet.")))
        return
    rows = []
    for signup in mine:
        mark = "✅" if signup.status == "confirmed" else f"⏳ {positions[signup.id]}"
        label = (
            f"{mark} {when(t, signup.activity.starts_at)} · {title_of(t, signup.activity, default)}"
        )
        rows.append([(label[:60], pack("ac", "c", signup.activity_id, "my..0"))])
    text = say(
        t, N_("⭐ <b>Your activities</b>\n✅ you have a place, ⏳ your number on the waitlist.")
    )
    if edit:
        await show(update, context, text, buttons(rows))
    else:
        await reply(update, context, text, buttons(rows))
