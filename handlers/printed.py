"""Printed things in Telegram: an activity's poster from /manage (🖨 Poster) and the programme
report for admins (/report). The PDFs are made off the event loop, so nobody else waits."""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction

from bot.i18n import N_
from handlers.callbacks import Callback
from handlers.common import NOT_FOUND, STALE_BUTTON, PortaContext, ids, say
from handlers.gate import not_staff
from handlers.screens import Document, Screen, Shown, screen, toast

log = logging.getLogger(__name__)

NO_FONTS = N_("Sorry, printing does not work on this server yet. Tell the technical team.")
REPORT_SENT = N_(
    "📊 The programme report from {start} to {end}. Groups under 5 people show as “< 5”."
)
REPORT_USAGE = N_(
    "Write /report for last month, or two days like this: /report 2026-11-01 2026-11-30"
)


async def poster_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """🖨 Poster on an activity in /manage; refused to anyone who is not staff."""
    if refused := await not_staff(update, context):
        return refused
    if data.arg(0) != "a" or not data.arg(1).isdigit():
        return toast(say(context.t, STALE_BUTTON))
    return await activity_poster(update, context, int(data.arg(1)))


@screen("staff.poster")
async def activity_poster(update: Update, context: PortaContext, activity_id: int) -> Shown:
    """The activity's A4 poster as a PDF: its QR code opens the activity in Porta."""
    from bot.printed import fonts, poster  # fpdf2 and segno: loaded when first printing

    if fonts.missing():
        return Screen(say(context.t, NO_FONTS))
    settings = context.settings
    async with context.db() as session:
        made = await poster.for_activity(
            session,
            activity_id,
            context.bot.username,
            [],
            settings.zone,
            settings.default_language,
        )
    if made is None:
        return Screen(say(context.t, NOT_FOUND))
    await uploading(update, context)
    pdf = await asyncio.to_thread(poster.render, made, "A4")
    log.info("operator %s printed the poster of activity %s", ids(update)[0], activity_id)
    caption = say(
        context.t,
        N_("🖨 The poster of this activity. Print it in A4: its QR code opens the activity."),
    )
    return Screen(caption, document=Document(pdf, f"poster-activity-{activity_id}.pdf"))


async def report_command(update: Update, context: PortaContext) -> Shown:
    """/report [FROM TO]: the programme report as a PDF, for last month unless days are given
    (admins only: handlers.gate)."""
    from bot.printed import fonts, report, report_pdf  # fpdf2 and matplotlib, when asked

    period = asked_period(context.args or [], context.settings.zone)
    if period is None:
        return Screen(say(context.t, REPORT_USAGE))
    if fonts.missing():
        return Screen(say(context.t, NO_FONTS))
    first, last = period
    locale = context.t.locale
    await uploading(update, context)
    async with context.db() as session:
        made = await report.build(session, first, last, context.settings.zone, locale=locale)
    pdf = await asyncio.to_thread(report_pdf.to_pdf, made, locale)
    log.info("admin %s made the report from %s to %s", ids(update)[0], first, last)
    # The sentence holds "< 5", which HTML would read as a tag: escaped whole.
    caption = html.escape(
        context.t(REPORT_SENT).format(
            start=context.t.format_date(noon(first), "yMMMd"),
            end=context.t.format_date(noon(last), "yMMMd"),
        )
    )
    return Screen(caption, document=Document(pdf, f"porta-report-{first}-{last}.pdf"))


def asked_period(args: list[str], zone: ZoneInfo) -> tuple[date, date] | None:
    """The two days after /report, or last full month with none; None when they are not two
    dates in order, or span more than a year and a day."""
    if not args:
        today = datetime.now(zone).date()
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if len(args) != 2:
        return None
    try:
        first, last = date.fromisoformat(args[0]), date.fromisoformat(args[1])
    except ValueError:
        return None
    if first > last or (last - first).days > 366:
        return None
    return first, last


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


async def uploading(update: Update, context: PortaContext) -> None:
    """Show "sending a file…" while the PDF is made."""
    _, chat_id = ids(update)
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
