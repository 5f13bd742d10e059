"""How an activity and a list of activities look, in the user's language."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

from babel import Locale
from babel.units import format_unit
from telegram import InlineKeyboardMarkup

from bot.db.models import Activity, Signup
from bot.i18n import N_, Translator
from bot.services.catalog import as_utc, is_open, text_for
from handlers.callbacks import pack
from handlers.common import buttons, say

# A list's place, carried by cards so that "back" returns to it: kind, argument, page.
# Kinds: today, week, mine, hub, cat, acc, q (search), my (my things), none (no list).


@dataclass(frozen=True)
class Where:
    kind: str
    arg: str = ""
    page: int = 0

    def token(self) -> str:
        return f"{self.kind}.{self.arg}.{self.page}"

    @classmethod
    def parse(cls, token: str) -> Where | None:
        kind, _, rest = token.partition(".")
        arg, _, page = rest.rpartition(".")
        if kind not in LIST_KINDS or not page.isdigit() or len(page) > 3:
            return None
        return cls(kind, arg, int(page))


LIST_KINDS = ("today", "week", "mine", "hub", "cat", "acc", "q", "my", "none")


def now() -> datetime:
    return datetime.now(UTC)


def when(t: Translator, moment: datetime) -> str:
    """'Tue 24 Nov, 17:30' in the user's locale and zone."""
    local = as_utc(moment)
    return f"{t.format_date(local, 'MMMEd')} {t.format_date(local, 'Hm')}"


def title_of(t: Translator, activity: Activity, default: str) -> str:
    return text_for(activity, t.locale, default).title


def list_label(t: Translator, activity: Activity, default: str) -> str:
    title = title_of(t, activity, default)
    title = title if len(title) <= 32 else title[:31] + "…"
    return f"{when(t, activity.starts_at)} · {title}"


def language_names(t: Translator, codes: list[str]) -> str:
    names = Locale.parse(t.locale).languages
    return ", ".join(names.get(code, code) for code in codes)


def card_text(
    t: Translator,
    activity: Activity,
    *,
    default: str,
    taken: int,
    waiting: int,
    signup: Signup | None,
    position: int,
    now: datetime,
) -> str:
    """Title, hub, date and time, duration, places, languages, access, description, status."""
    text = text_for(activity, t.locale, default)
    minutes = int((as_utc(activity.ends_at) - as_utc(activity.starts_at)).total_seconds() // 60)
    duration = format_unit(minutes, "duration-minute", length="short", locale=t.locale)
    free = activity.capacity - taken
    if free > 0:
        places = t.ngettext("{count} place left", "{count} places left", free).format(count=free)
    elif waiting:
        places = t.ngettext(
            "Full: {count} person on the waitlist", "Full: {count} people on the waitlist", waiting
        ).format(count=waiting)
    else:
        places = say(t, N_("Full: you can join the waitlist"))
    hub_notes = activity.hub.notes.get(t.locale) or activity.hub.notes.get(default) or {}
    access = (
        say(t, N_("Accessible")) if activity.accessible else say(t, N_("Ask the hub about access"))
    )
    if hub_notes.get("access"):
        access += f" — {html.escape(hub_notes['access'])}"
    ends = t.format_date(as_utc(activity.ends_at), "Hm")
    lines = [
        f"<b>{html.escape(text.title)}</b>",
        f"📍 {html.escape(activity.hub.name)}",
        f"🗓 {when(t, activity.starts_at)}–{ends} ({duration})",
        f"👥 {html.escape(places)}",
        f"🗣 {html.escape(language_names(t, activity.languages))}",
        f"♿ {access}",
    ]
    if text.description:
        lines += ["", html.escape(text.description)]
    lines += ["", status_line(t, activity, signup, position, now)]
    return "\n".join(line for line in lines if line is not None).rstrip()


def status_line(
    t: Translator, activity: Activity, signup: Signup | None, position: int, now: datetime
) -> str:
    if activity.status == "cancelled":
        return say(t, N_("❌ This activity is cancelled."))
    if as_utc(activity.ends_at) <= now:
        return say(t, N_("This activity is over."))
    if signup is not None and signup.status in ("confirmed", "attended"):
        return say(
            t,
            N_("✅ You have a place. Your check-in code: <b>{code}</b>"),
            code=signup.checkin_code,
        )
    if signup is not None and signup.status == "waitlisted":
        return say(t, N_("⏳ You are number {position} on the waitlist."), position=position)
    if not is_open(activity, now):
        return say(t, N_("Sign-up is closed."))
    return ""


def card_keyboard(
    t: Translator, activity: Activity, signup: Signup | None, where: Where, now: datetime
) -> InlineKeyboardMarkup:
    rows: list[list[tuple[str, str]]] = []
    token = where.token()
    joined = signup is not None and signup.status in ("confirmed", "waitlisted")
    if joined and as_utc(activity.starts_at) > now and activity.status == "scheduled":
        rows.append(
            [(t.pgettext("button", "❌ Cancel my place"), pack("sg", "x", activity.id, token))]
        )
    elif not joined and is_open(activity, now):
        rows.append([(t.pgettext("button", "✅ Sign up"), pack("sg", "j", activity.id, token))])
    rows.append(
        [
            (t.pgettext("button", "📅 Add to calendar"), pack("ac", "ics", activity.id)),
            (t.pgettext("button", "📍 Where"), pack("ac", "map", activity.id)),
        ]
    )
    rows.append([(t.pgettext("button", "⬅ Back"), back_data(where))])
    return buttons(rows)


def back_data(where: Where) -> str:
    if where.kind == "my":
        return pack("sg", "my")
    if where.kind == "none":
        return pack("ac", "m")
    return pack("ac", "l", where.kind, where.arg, where.page)
