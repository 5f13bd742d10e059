"""💡 Ideas from young people: the approved ideas, newest first (all hubs or one), each card
with how many would join, "👍 I'd join" (one per person, withdrawable, race-free) and
"🚩 Report" (to the idea's topic). The proposer hears at 5 and 10 backers, in their
language, through the outbox."""

from __future__ import annotations

import logging

from telegram import Update

from bot.db.models import Idea
from bot.i18n import N_, Translator, native_name, nN_
from bot.services import cases, catalog, ideas, users
from handlers import notices
from handlers.callbacks import Callback, number, pack
from handlers.cards import Where
from handlers.casecard import kick, team_translator
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.labels import idea_lines, proposer_name
from handlers.screens import Screen, Shown, draw, replacing, screen, toast

log = logging.getLogger(__name__)

BOARD = N_(
    "💡 <b>Ideas from young people</b>\n"
    "Ideas that young people proposed for the hubs. Tap one to read it and say if you would "
    "join. You can propose yours too."
)
EMPTY = N_("No ideas on the board yet. Be the first to propose one!")
JOINERS = nN_("👍 {count} person would join.", "👍 {count} people would join.")
REACHED = nN_(
    "👍 {count} person would join your idea “{title}”!",
    "👍 {count} people would join your idea “{title}”!",
)
REPORTED = N_("🚩 Someone reported this idea on the board. Please read it again.")


def propose_button(t: Translator) -> tuple[str, str]:
    return t.pgettext("button", "💡 Propose an idea"), pack("ia", "new", "0")


@screen("ideas.board")
async def board(update: Update, context: PortaContext, hub_id: int = 0, page: int = 0) -> Shown:
    """A page of approved ideas (of one hub, or of all), the newest first."""
    t = context.t
    async with context.db() as session:
        shown, more = await ideas.board(session, hub_id or None, page)
        hubs = {hub.id: hub.name for hub in await catalog.hubs(session)}
        counts = {idea.id: await ideas.backers(session, idea.id) for idea in shown}
    rows = [[propose_button(t)]]
    for idea in shown:
        where = hubs.get(idea.hub_id or 0, "")
        title = shown_text(idea, t.locale)["title"]
        text = f"👍 {counts[idea.id]} · {title}" + (f" · {where}" if where else "")
        rows.append([(text[:64], pack("ib", "card", idea.id, hub_id, page))])
    nav = []
    if page:
        nav.append((t.pgettext("button", "◀ Previous"), pack("ib", "list", hub_id, page - 1)))
    if more:
        nav.append((t.pgettext("button", "Next ▶"), pack("ib", "list", hub_id, page + 1)))
    if nav:
        rows.append(nav)
    if hub_id:
        rows.append([(t.pgettext("button", "📍 All hubs"), pack("ib", "list", 0, 0))])
    else:
        rows += [[(f"📍 {name}", pack("ib", "list", key, 0))] for key, name in hubs.items()]
    text = say(t, BOARD) + ("" if shown else "\n\n" + say(t, EMPTY))
    return Screen(text, buttons(rows))


@screen("ideas.card")
async def card(
    update: Update, context: PortaContext, idea_id: int, hub_id: int = 0, page: int = 0
) -> Shown:
    """One approved idea: what it is, who proposed it (as they chose), how many would join,
    and the buttons."""
    t = context.t
    user_id, _ = ids(update)
    async with context.db() as session:
        idea = await ideas.get(session, idea_id)
        if idea is None or idea.status not in ideas.ON_BOARD:
            return Screen(say(t, N_("This idea is not on the board any more.")))
        hub = await catalog.get_hub(session, idea.hub_id) if idea.hub_id else None
        count = await ideas.backers(session, idea.id)
        mine = await ideas.backs(session, idea.id, user_id)
    lines = idea_lines(t, shown_text(idea, t.locale), hub.name if hub else None)
    if idea.language != t.locale and t.locale not in idea.texts:
        lines.append(say(t, N_("🌐 Written in {language}."), language=native_name(idea.language)))
    who = proposer_name(t, idea.shown_as, idea.display_name, hub.name if hub else None)
    lines.append(say(t, N_("Proposed by {who}."), who=who))
    lines.append(say(t, t.ngettext(*JOINERS, count), count=count))
    join = (
        (t.pgettext("button", "↩️ I won't join after all"), pack("ib", "out", idea.id, hub_id, page))
        if mine
        else (t.pgettext("button", "👍 I'd join"), pack("ib", "in", idea.id, hub_id, page))
    )
    rows = [[join]]
    if idea.activity_id:
        lines.append(t(N_("✅ It is an activity now!")))
        see = pack("ac", "c", idea.activity_id, Where("none").token())
        rows.append([(t.pgettext("button", "🗓 See the activity"), see)])
    rows += [
        [(t.pgettext("button", "🚩 Report"), pack("ib", "flag", idea.id, hub_id, page))],
        [(t.pgettext("button", "⬅ Back"), pack("ib", "list", hub_id, page))],
    ]
    return Screen("\n".join(lines), buttons(rows))


def shown_text(idea: Idea, locale: str) -> dict[str, object]:
    """The idea's answers, with the title and summary staff gave in `locale` if any."""
    given = idea.texts.get(locale, {}) if idea.texts else {}
    return {
        "title": given.get("title") or idea.title,
        "body": given.get("summary") or idea.body,
        "ages": idea.ages,
        "timing": idea.timing,
        "needs": idea.needs,
        "lead": idea.lead,
    }


async def board_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """The board's buttons: a page, a card, I'd join, I won't join, report."""
    action = data.arg(0)
    first, second, third = (number(data.arg(n)) for n in (1, 2, 3))
    if action == "list" and first is not None and second is not None:
        return replacing(await draw("ideas.board", update, context, first, second))
    if first is None or second is None or third is None:
        return toast(say(context.t, STALE_BUTTON))
    if action == "card":
        return replacing(await draw("ideas.card", update, context, first, second, third))
    if action in ("in", "out"):
        return await join(update, context, first, action == "in", (second, third))
    if action == "flag":
        return await report(update, context, first)
    return toast(say(context.t, STALE_BUTTON))


async def join(
    update: Update, context: PortaContext, idea_id: int, joining: bool, where: tuple[int, int]
) -> Shown:
    """👍 I'd join (once, however many times it is tapped) or withdraw it; the proposer
    hears at 5 and 10."""
    user_id, _ = ids(update)
    t = context.t
    async with context.db.begin() as session:
        idea = await ideas.get(session, idea_id)
        person = await users.get(session, user_id)
        if idea is None or idea.status not in ideas.ON_BOARD or person is None:
            return toast(say(t, N_("This idea is not on the board any more.")))
        if joining:
            await ideas.back(session, idea.id, user_id)
        else:
            await ideas.withdraw(session, idea.id, user_id)
        reached = await ideas.milestone(session, idea) if joining else None
        proposer = await users.get(session, idea.user_id) if idea.user_id and reached else None
    if reached and proposer is not None and proposer.chat_id:
        theirs = Translator(
            users.locale_of(proposer, context.settings.default_language), context.settings.zone
        )
        text = say(theirs, theirs.ngettext(*REACHED, reached), count=reached, title=idea.title)
        key = f"idea:{idea.id}:{reached}"  # once, whichever process reaches it
        await notices.send_later(context, proposer.chat_id, theirs.directed(text), key=key)
    note = N_("👍 You are in! The youth workers see how many would join.")
    if not joining:
        note = N_("OK, you are not counted any more.")
    drawn = await draw("ideas.card", update, context, idea_id, *where)
    return [toast(say(t, note)), *replacing(drawn)]


async def report(update: Update, context: PortaContext, idea_id: int) -> Shown:
    """🚩 Report: a line in the idea's topic for the youth workers (who reported it is not
    said)."""
    async with context.db.begin() as session:
        idea = await ideas.get(session, idea_id)
        case = await ideas.case_of(session, idea) if idea else None
        if case is not None:
            await cases.note_in_topic(session, case, say(team_translator(context), REPORTED))
            await cases.audit(session, case, None, "reported")
    log.info("idea %s reported on the board", idea_id)
    kick(context)
    return toast(say(context.t, N_("Thank you. A youth worker will look at it.")), alert=True)
