"""/privacy, /mydata and /deleteme: the notice, the export, the erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from telegram import ReplyKeyboardRemove, Update

from bot.i18n import N_
from bot.services import casedata, cases, feedback, ideas, operators, signups, users
from handlers import notices
from handlers.callbacks import Callback, pack
from handlers.casecard import withdraw_all
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.screens import Document, Screen, Shown, frozen, screen, toast

FULL_NOTICE = N_(
    "🔒 <b>Privacy notice</b> (version {version})\n\n"
    "<b>Who:</b> {organisation} runs Porta and is responsible for your data.\n\n"
    "<b>What we save:</b> your Telegram number (id), your language, your age group, and, "
    "only if you choose, your neighbourhood and interests. When you sign up for an activity, "
    "we also save your first name as Telegram shows it, so the hub team knows who is coming. "
    "We do not save your phone number (unless you give it in a housing request) or your "
    "messages.\n\n"
    "<b>Requests and talks with the team:</b> when you ask about housing or talk to a "
    "person, we save your answers and a reference. Your messages stay in Telegram; we "
    "keep only a note that they were sent, not what they say. Health or disability "
    "needs are saved only if you agree, and only the housing team sees them. A closed "
    "request loses your details after {days} days.\n\n"
    "<b>Why:</b> to show you activities that fit you, to keep your place in them and to "
    "send you reminders.\n\n"
    "<b>Who sees it:</b> only the hub team. We never sell it or give it to others.\n\n"
    "<b>Under 14:</b> we save only your id and language until a parent or guardian agrees "
    "at the hub.\n\n"
    "<b>Your rights:</b> see all your data with /mydata. Delete it with /deleteme. Stop "
    "announcements in Settings.\n\n"
    "<b>Questions:</b> {contact}"
)


@screen("privacy.full")
async def full_notice(update: Update, context: PortaContext) -> Shown:
    """The full privacy notice."""
    text = say(
        context.t,
        FULL_NOTICE,
        version=users.NOTICE_VERSION,
        organisation=context.settings.organisation,
        contact=context.settings.privacy_contact,
        days=int(context.settings.case_retention_days),
    )
    return Screen(text, spoken=("privacy.full",))


async def privacy_command(update: Update, context: PortaContext) -> Shown:
    """Show the full privacy notice."""
    return await full_notice(update, context)


@screen("privacy.mydata")
async def mydata(update: Update, context: PortaContext) -> Shown:
    """Everything Porta holds about the user, as a JSON file."""
    user_id, _ = ids(update)
    async with context.db() as session:
        user = await users.get(session, user_id)
        role = await operators.role_of(session, user_id)
        taken = await signups.of_user(session, user_id)
        requests = await cases.of_user(session, user_id)
        said = await feedback.of_user(session, user_id)
        proposed, backed = await ideas.of_user(session, user_id)
    if user is None and role is None:
        return Screen(say(context.t, N_("I have no data about you.")))
    data = {
        "user": users.export(user) if user else None,
        "signups": [signups.export(s) for s in taken],
        "requests": casedata.export(requests),
        "feedback": [feedback.export(item) for item in said],
        "ideas": [ideas.export(idea) for idea in proposed],
        "ideas_backed": backed,
        "operator_role": role,
    }
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    caption = say(context.t, N_("Here is everything Porta saves about you."))
    return Screen(caption, document=Document(content, "porta-my-data.json"))


@screen("privacy.deleteme")
async def deleteme(update: Update, context: PortaContext) -> Shown:
    """Ask for confirmation before erasing the user's data."""
    text = say(
        context.t,
        N_("Do you want to delete all your data from Porta? You cannot undo this."),
    )
    markup = buttons(
        [
            [(context.t.pgettext("button", "🗑 Yes, delete everything"), pack("del", "yes"))],
            [(context.t.pgettext("button", "No, keep it"), pack("del", "no"))],
        ]
    )
    return Screen(text, markup)


async def delete_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Erase the user's data (or keep it) after the confirmation."""
    choice = data.arg(0)
    if choice not in ("yes", "no"):
        return toast(say(context.t, STALE_BUTTON))
    if choice == "no":
        return frozen(update, context.t.pgettext("button", "No, keep it"))
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        promoted = await signups.release_all(session, user_id, datetime.now(UTC))
        await withdraw_all(context, session, user_id)
        await ideas.erase(session, user_id)
        erased = await users.erase(session, user_id)
        role = await operators.role_of(session, user_id)
    for next_in_line in promoted:
        await notices.tell_promoted(context, next_in_line)
    if not erased:
        return toast(say(context.t, N_("Your data is already deleted.")))
    text = say(
        context.t,
        N_(
            "Done. I deleted all your data. Porta keeps nothing about you.\n\n"
            "Our old messages stay in this chat on your phone: you can delete them in Telegram.\n"
            "If you write to me again, you start fresh."
        ),
    )
    if role:
        text += "\n\n" + say(
            context.t,
            N_("You are still listed as hub staff, because an admin gave you that role."),
        )
    return [frozen(update), Screen(text, ReplyKeyboardRemove())]
