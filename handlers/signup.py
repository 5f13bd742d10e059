"""Signing up and cancelling from the card, and "My things"."""

from __future__ import annotations

import logging

from telegram import Update

from bot.i18n import N_
from bot.services import catalog, signups, users
from bot.services.signups import SignupRefused
from handlers import notices
from handlers.callbacks import Callback, pack
from handlers.cards import Where, now, title_of, when
from handlers.common import NOT_FOUND, STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.screens import Screen, Shown, draw, replacing, screen, toast

log = logging.getLogger(__name__)

REFUSALS = {
    "closed": N_("Sign-up is closed for this activity."),
    "guardian": N_("You are under 14: a parent or guardian must agree first. Ask at your hub."),
    "consent": N_("To sign up, first agree to the privacy notice in Settings."),
    "unknown": NOT_FOUND,
}


async def signup_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Join (j) or cancel (x) from a card, then show the card again; "my" lists the user's
    sign-ups."""
    action = data.arg(0)
    if action == "my":
        return replacing(await my_things(update, context))
    where = Where.parse(data.arg(2))
    if action not in ("j", "x") or not data.arg(1).isdigit() or where is None:
        return toast(say(context.t, STALE_BUTTON))
    activity_id = int(data.arg(1))
    if action == "j":
        outcome = await join(update, context, activity_id)
    else:
        outcome = await cancel(update, context, activity_id)
    return [outcome, *replacing(await draw("activities.card", update, context, activity_id, where))]


async def join(update: Update, context: PortaContext, activity_id: int) -> Screen:
    """Take a place (or a place on the waitlist); the toast says which."""
    user_id, _ = ids(update)
    person = update.effective_user
    try:
        async with context.db() as session:
            async with session.begin():  # the activity is locked until this ends
                user = await users.ensure(session, *ids(update))
                outcome = await signups.join(
                    session,
                    user,
                    activity_id,
                    person.first_name if person else "",
                    now(),
                    asked_at=context.arrived_at(update),
                    tap_id=update.update_id,
                )
            position = await signups.position(session, outcome.signup)
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
        return toast(text, alert=True)
    log.info("user %s signed up to activity %s (%s)", user_id, activity_id, outcome.signup.status)
    if position:
        text = say(
            context.t,
            N_("The activity is full. You are number {position} on the waitlist."),
            position=position,
        )
    else:
        text = say(context.t, N_("You have a place! See you there."))
    return toast(text, alert=not outcome.already and bool(position))


async def cancel(update: Update, context: PortaContext, activity_id: int) -> Screen:
    """Give up a place; whoever is first on the waitlist gets it and is told."""
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        cancelled, promoted = await signups.cancel(session, user_id, activity_id, now())
    if cancelled is None:
        return toast(say(context.t, N_("You are not signed up.")))
    log.info("user %s cancelled activity %s", user_id, activity_id)
    if promoted is not None:
        await notices.tell_promoted(context, promoted)
    return toast(say(context.t, N_("Your place is cancelled.")))


@screen("my_things")
async def my_things(update: Update, context: PortaContext) -> Shown:
    """The user's upcoming sign-ups, with their status; each opens its card."""
    user_id, _ = ids(update)
    async with context.db() as session:
        mine = await signups.mine(session, user_id, now())
        positions = {s.id: await signups.position(session, s) for s in mine}
    t, default = context.t, context.settings.default_language
    if not mine:
        return Screen(say(t, N_("⭐ You have no sign-ups yet.")))
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
    return Screen(text, buttons(rows))
