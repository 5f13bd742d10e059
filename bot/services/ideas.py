"""Ideas young people propose for the hubs: the guided form (kept in the forms table, so a
restart loses nothing), moderation first (each idea has a case of kind "idea" in the youth
workers' group), the board of approved ideas, and backing them, race-free.

Form steps: title -> body -> ages -> hub -> timing -> needs -> lead -> shown -> summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Backing, Case, Form, Idea, User
from bot.services import cases

KIND = "idea"
TITLE_LIMIT, BODY_LIMIT = 80, 600
AGES = ("u14", "14_17", "18_24", "25_35")
TIMINGS = ("month", "months", "later")
NEEDS = ("room", "materials", "mentor", "money")
SHOWN = ("name", "hub")
TYPED = ("title", "body")
STEPS = ("title", "body", "ages", "hub", "timing", "needs", "lead", "shown", "summary")
ON_BOARD = ("approved", "activity")
MILESTONES = (5, 10)  # the proposer hears when this many would join
BOARD_PAGE = 8
DONE = "done"
DECISIONS = ("approved", "declined", "changes")
ANY_HUB = "0"


async def start(session: AsyncSession, user_id: int, idea: Idea | None = None) -> Form:
    """A new idea form (in place of any unfinished form); with `idea`, its answers filled in
    to change it, at the summary."""
    form = await session.get(Form, user_id)
    if form is None:
        form = Form(user_id=user_id, kind=KIND, step="title", data={})
        session.add(form)
    form.kind, form.step, form.data = KIND, "title", {"ages": [], "needs": []}
    if idea is not None:
        form.step = "summary"
        form.data = {
            "idea_id": idea.id, "title": idea.title, "body": idea.body, "ages": list(idea.ages),
            "hub": str(idea.hub_id or ANY_HUB), "timing": idea.timing, "needs": list(idea.needs),
            "lead": "yes" if idea.lead else "no", "shown": idea.shown_as,
        }  # fmt: skip
    await session.flush()
    return form


def valid(step: str, value: str, hubs: Sequence[int]) -> bool:
    """Whether `value` is an answer a button of `step` can give."""
    choices: dict[str, Sequence[str]] = {
        "ages": (*AGES, DONE),
        "timing": TIMINGS,
        "needs": (*NEEDS, DONE),
        "lead": ("yes", "no"),
        "shown": SHOWN,
        "hub": (ANY_HUB, *(str(h) for h in hubs)),
    }
    return value in choices.get(step, ())


def answer(form: Form, step: str, value: str) -> None:
    """Record the answer to `step`: a toggle for ages and needs (Done moves on), else the
    value, and the next step."""
    data: dict[str, Any] = dict(form.data)
    if step in ("ages", "needs") and value != DONE:
        chosen = list(data.get(step, []))
        data[step] = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        form.data = data
        return
    if step not in ("ages", "needs"):
        data[step] = value
    form.data = data
    if step == "ages" and not data.get("ages"):
        return  # for whom: at least one group
    following = STEPS[STEPS.index(step) + 1]
    form.step = "summary" if data.get("idea_id") and "shown" in data else following


async def send(session: AsyncSession, user: User, form: Form, name: str, language: str) -> Idea:
    """The confirmed form becomes an idea waiting for a youth worker (a changed one goes
    back to waiting), with its case in the youth workers' group."""
    data = form.data
    idea = await session.get(Idea, int(data["idea_id"])) if data.get("idea_id") else None
    if idea is None or idea.user_id != user.id or idea.status not in ("pending", "changes"):
        idea = Idea(user_id=user.id, language=language)
        session.add(idea)
    idea.title, idea.body = str(data["title"])[:TITLE_LIMIT], str(data["body"])[:BODY_LIMIT]
    idea.ages, idea.needs = list(data.get("ages", [])), list(data.get("needs", []))
    hub = int(data.get("hub") or 0)
    idea.hub_id, idea.timing = hub or None, str(data.get("timing", ""))
    idea.lead, idea.shown_as = data.get("lead") == "yes", str(data.get("shown", "hub"))
    idea.display_name, idea.status, idea.language = name[:64], "pending", language
    await session.flush()
    return idea


def card_fields(idea: Idea, hub_name: str | None) -> dict[str, Any]:
    """What the idea's case card shows staff."""
    return {
        "title": idea.title, "body": idea.body, "ages": idea.ages, "hub_name": hub_name or "",
        "timing": idea.timing, "needs": idea.needs, "lead": "yes" if idea.lead else "no",
    }  # fmt: skip


async def of_case(session: AsyncSession, case_id: int) -> Idea | None:
    return await session.scalar(select(Idea).where(Idea.case_id == case_id))


async def get(session: AsyncSession, idea_id: int) -> Idea | None:
    return await session.get(Idea, idea_id)


async def case_of(session: AsyncSession, idea: Idea) -> Case | None:
    return await cases.get(session, idea.case_id) if idea.case_id else None


def decide(idea: Idea, status: str, moment: datetime) -> bool:
    """Approve, decline or ask for changes; False when the idea is no longer waiting."""
    if idea.status not in ("pending", "changes", "declined") or status not in DECISIONS:
        return False
    idea.status, idea.decided_at = status, moment
    if status == "approved":
        idea.approved_at = moment
    return True


async def board(
    session: AsyncSession, hub_id: int | None, page: int
) -> tuple[Sequence[Idea], bool]:
    """Approved ideas, newest first, of one hub or all, a page at a time; and whether there
    are more."""
    query = select(Idea).where(Idea.status.in_(ON_BOARD))
    if hub_id is not None:
        query = query.where(Idea.hub_id == hub_id)
    query = query.order_by(Idea.approved_at.desc(), Idea.id.desc())
    found = (await session.scalars(query.offset(page * BOARD_PAGE).limit(BOARD_PAGE + 1))).all()
    return found[:BOARD_PAGE], len(found) > BOARD_PAGE


async def backers(session: AsyncSession, idea_id: int) -> int:
    query = select(func.count()).select_from(Backing).where(Backing.idea_id == idea_id)
    return int(await session.scalar(query) or 0)


async def backs(session: AsyncSession, idea_id: int, user_id: int) -> bool:
    return await session.get(Backing, (idea_id, user_id)) is not None


async def back(session: AsyncSession, idea_id: int, user_id: int) -> bool:
    """Back the idea once: True if this tap added the backing (fifty taps at once add one)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Backing).values(idea_id=idea_id, user_id=user_id, created_at=cases.now())
    result = await session.execute(statement.on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


async def withdraw(session: AsyncSession, idea_id: int, user_id: int) -> bool:
    query = delete(Backing).where(Backing.idea_id == idea_id, Backing.user_id == user_id)
    return bool(getattr(await session.execute(query), "rowcount", 0))


async def milestone(session: AsyncSession, idea: Idea) -> int | None:
    """The milestone (5 or 10 backers) just reached, once across every process: the row is
    moved on only if no one moved it before."""
    count = await backers(session, idea.id)
    reached = max((m for m in MILESTONES if count >= m), default=0)
    if reached <= idea.told_backers:
        return None
    moved = await session.execute(
        update(Idea)
        .where(Idea.id == idea.id, Idea.told_backers < reached)
        .values(told_backers=reached)
    )
    return reached if getattr(moved, "rowcount", 0) else None


async def people_of(session: AsyncSession, idea: Idea) -> Sequence[User]:
    """Who backs the idea, and its proposer, each once."""
    backing = select(Backing.user_id).where(Backing.idea_id == idea.id)
    query = select(User).where(User.id.in_(backing) | (User.id == idea.user_id))
    return (await session.scalars(query.order_by(User.id))).all()


async def of_user(session: AsyncSession, user_id: int) -> tuple[Sequence[Idea], list[int]]:
    """The person's ideas, and the ids of the ideas they back."""
    mine = (await session.scalars(select(Idea).where(Idea.user_id == user_id))).all()
    backed = await session.scalars(select(Backing.idea_id).where(Backing.user_id == user_id))
    return mine, list(backed)


def export(idea: Idea) -> dict[str, object]:
    return {
        "title": idea.title, "what": idea.body, "for": idea.ages, "hub_id": idea.hub_id,
        "when": idea.timing, "needs": idea.needs, "would_lead": idea.lead,
        "shown_as": idea.shown_as, "status": idea.status, "language": idea.language,
        "proposed_at": idea.created_at.isoformat(),
    }  # fmt: skip


async def erase(session: AsyncSession, user_id: int) -> None:
    """/deleteme: the person's ideas go, except one staff made an activity, which stays
    without their name; their backing goes too."""
    for idea in (await session.scalars(select(Idea).where(Idea.user_id == user_id))).all():
        if idea.status == "activity":
            idea.user_id, idea.display_name, idea.shown_as = None, "", "hub"
        else:
            await session.delete(idea)
    await session.execute(delete(Backing).where(Backing.user_id == user_id))


async def purge(session: AsyncSession, retention_days: float) -> int:
    """Declined ideas keep no text after the retention period (what stays counts for the
    report and names no one); how many were emptied."""
    cutoff = cases.now() - timedelta(days=retention_days)
    emptied = await session.execute(
        update(Idea)
        .where(Idea.status == "declined", Idea.decided_at < cutoff, Idea.title != "")
        .values(title="", body="", display_name="", texts={})
    )
    return int(getattr(emptied, "rowcount", 0) or 0)
