"""Operator commands (handlers.gate refuses them to everyone without the role)."""

from __future__ import annotations

import html
import logging

from telegram import Update

from bot.i18n import N_, Translator
from bot.services import operators, users, voice
from handlers import notices
from handlers.common import PortaContext, ids, say
from handlers.screens import Screen, Shown

log = logging.getLogger(__name__)


async def ops(update: Update, context: PortaContext) -> Shown:
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
    text += "\n" + say(
        context.t,
        N_("/report: the programme report as a PDF, with charts (admins only)."),
    )
    return Screen(text)


async def guardian(update: Update, context: PortaContext) -> Shown:
    """Record a guardian's consent for the under-14 who showed the given code."""
    if not context.args:
        text = say(context.t, N_("Write the code after the command, like this: /guardian K7Q2MX"))
        return Screen(text)
    operator_id, _ = ids(update)
    async with context.db.begin() as session:
        child = await users.record_guardian_consent(session, context.args[0], operator_id)
    if child is None:
        text = say(
            context.t,
            N_("No one is waiting with the code {code}. Check it and try again."),
            code=context.args[0][:12],
        )
        return Screen(text)
    log.info("guardian consent recorded for user %s by operator %s", child.id, operator_id)
    t = Translator(users.locale_of(child, context.settings.default_language), context.settings.zone)
    note = say(
        t,
        N_(
            "✅ Your parent or guardian agreed. Now you can sign up for activities. "
            "Add your neighbourhood and interests in Settings."
        ),
    )
    await notices.send_later(context, child.chat_id, t.directed(note))
    return Screen(say(context.t, N_("Done. The parent's or guardian's consent is recorded.")))


async def stats(update: Update, context: PortaContext) -> Shown:
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
    async with context.db() as session:
        heard = {by: await voice.figures(session, by) for by in ("language", "screen")}
    for by, title in (
        ("language", context.t.pgettext("stats", "Voice notes by language")),
        ("screen", context.t.pgettext("stats", "Voice notes by screen")),
    ):
        if heard[by]:
            lines.append(f"\n<b>🔊 {html.escape(title)}</b>")
        ranked = sorted(heard[by].items(), key=lambda item: (-item[1].listens, item[0]))
        lines += [
            f"{html.escape(name)}: 🔊 {n.listens} · 👍 {n.understood} · 👎 {n.not_understood}"
            for name, n in ranked[:20]
        ]
    return Screen("\n".join(lines))


async def operators_command(update: Update, context: PortaContext) -> Shown:
    """List hub staff and their roles (admins only)."""
    async with context.db() as session:
        staff = await operators.all_operators(session)
    lines = [say(context.t, N_("👥 <b>Hub staff</b>"))]
    lines += [f"{o.telegram_id}: {o.role}" for o in staff]
    return Screen("\n".join(lines))
