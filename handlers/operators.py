"""Operator commands. The gate in front of them refuses everyone without the role."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.i18n import N_, Translator
from bot.services import operators, users
from handlers import notices
from handlers.common import PortaContext, answer, reply, say
from handlers.profile import ids

log = logging.getLogger(__name__)

# Command -> the role it needs. An admin may do everything an operator may.
OPERATOR_COMMANDS = {
    "ops": "operator",
    "guardian": "operator",
    "stats": "operator",
    "manage": "operator",
    "newactivity": "operator",
    "broadcast": "operator",
    "broadcasts": "operator",
    "operators": "admin",
}


STAFF_ONLY = N_("Sorry, this command is only for hub staff.")


async def staff_only_button(update: Update, context: PortaContext) -> bool:
    """For staff buttons: True for staff; anyone else gets a polite answer and False."""
    async with context.db() as session:
        role = await operators.role_of(session, ids(update)[0])
    if role is None and update.callback_query is not None:
        await answer(update.callback_query, say(context.t, STAFF_ONLY), alert=True)
    return role is not None


async def gate(update: Update, context: PortaContext) -> None:
    """Stop operator commands from anyone who lacks the role, with a polite answer."""
    assert update.message is not None and update.message.text is not None
    command = update.message.text.split()[0].lstrip("/").split("@")[0].lower()
    needed = OPERATOR_COMMANDS.get(command)
    if needed is None:
        return
    user_id, _ = ids(update)
    async with context.db() as session:
        role = await operators.role_of(session, user_id)
    if role == "admin" or role == needed:
        return
    log.info("refused /%s to user %s", command, user_id)
    await reply(update, context, say(context.t, STAFF_ONLY))
    raise ApplicationHandlerStop


async def ops(update: Update, context: PortaContext) -> None:
    """List what operators can do."""
    text = say(
        context.t,
        N_(
            "🛠 <b>Hub staff</b>\n"
            "/guardian CODE: record that a parent or guardian agreed, for a child under 14.\n"
            "/stats: how many people use Porta.\n"
            "/operators: list hub staff (admins only)."
        ),
    )
    text += "\n" + say(
        context.t,
        N_(
            "/manage: run activities, see who comes, check people in.\n"
            "/newactivity: create an activity."
        ),
    )
    await reply(update, context, text)


async def guardian(update: Update, context: PortaContext) -> None:
    """Record a guardian's consent for the under-14 who showed the given code."""
    if not context.args:
        text = say(context.t, N_("Write the code after the command, like this: /guardian K7Q2MX"))
        await reply(update, context, text)
        return
    operator_id, _ = ids(update)
    async with context.db.begin() as session:
        child = await users.record_guardian_consent(session, context.args[0], operator_id)
    if child is None:
        text = say(
            context.t,
            N_("No one is waiting with the code {code}. Check it and try again."),
            code=context.args[0][:12],
        )
        await reply(update, context, text)
        return
    log.info("guardian consent recorded for user %s by operator %s", child.id, operator_id)
    await reply(
        update, context, say(context.t, N_("Done. The parent's or guardian's consent is recorded."))
    )
    t = Translator(users.locale_of(child, context.settings.default_language), context.settings.zone)
    note = say(
        t,
        N_(
            "✅ Your parent or guardian agreed. Now you can sign up for activities. "
            "Add your neighbourhood and interests in Settings."
        ),
    )
    await notices.send_later(context, child.chat_id, t.directed(note))


async def stats(update: Update, context: PortaContext) -> None:
    """Show how many people use Porta, by language and age group."""
    async with context.db() as session:
        figures = await operators.user_figures(session)
    lines = [say(context.t, N_("📊 <b>People using Porta</b>"))]
    for key, counts in figures.items():
        title = (
            context.t.pgettext("stats", "Language")
            if key == "language"
            else context.t.pgettext("stats", "Age group")
        )
        lines.append(f"\n<b>{html.escape(title)}</b>")
        lines += [f"{html.escape(value)}: {count}" for value, count in sorted(counts.items())]
    await reply(update, context, "\n".join(lines))


async def operators_command(update: Update, context: PortaContext) -> None:
    """List hub staff and their roles (admins only)."""
    async with context.db() as session:
        staff = await operators.all_operators(session)
    lines = [say(context.t, N_("👥 <b>Hub staff</b>"))]
    lines += [f"{o.telegram_id}: {o.role}" for o in staff]
    await reply(update, context, "\n".join(lines))
