"""Young people's forms kept in the database (a housing request), step by step.

The steps of a housing request, and where each answer leads:
programme -> household -> [people -> children] -> situation -> when -> contact -> [phone]
-> access -> [consent -> needs -> access_note] -> note -> summary.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Form

SKIP = "-"
CHOICES = {
    "household": ("alone", "others"),
    "situation": ("leaving", "crowded", "shelter", "street", "other"),
    "when": ("today", "week", "month", "later"),
    "contact": ("bot", "phone"),
    "access": ("no", "yes"),
    "consent": ("yes", "no"),
    "needs": ("home", "support", "both"),
}
NUMBERS = {"programme": (0, 10**9 - 1), "people": (2, 6), "children": (0, 3)}


async def get(session: AsyncSession, user_id: int) -> Form | None:
    return await session.get(Form, user_id)


async def start(session: AsyncSession, user_id: int, kind: str, programme_id: int | None) -> Form:
    """A new form (in place of any unfinished one)."""
    form = await session.get(Form, user_id)
    if form is None:
        form = Form(user_id=user_id, kind=kind, step="programme", data={})
        session.add(form)
    form.kind, form.data = kind, {}
    form.step = "programme"
    if programme_id:
        form.data = {"programme_id": programme_id}
        form.step = "household"
    await session.flush()
    return form


def restart(form: Form) -> None:
    """Answer everything again (the programme chosen stays)."""
    programme_id = form.data.get("programme_id")
    form.data = {"programme_id": programme_id} if programme_id else {}
    form.step = "household" if programme_id else "programme"


async def drop(session: AsyncSession, user_id: int) -> None:
    form = await session.get(Form, user_id)
    if form is not None:
        await session.delete(form)


def valid(step: str, value: str) -> bool:
    """Whether `value` is an answer the button of `step` can give."""
    if step in CHOICES:
        return value in CHOICES[step]
    if step in NUMBERS:
        low, high = NUMBERS[step]
        return value.isdigit() and low <= int(value) <= high
    return step in ("access_note", "note") and value == SKIP  # else they are typed


def answer(form: Form, step: str, value: str, moment: datetime) -> None:
    """Record the answer to `step` and move the form to its next step."""
    data: dict[str, Any] = dict(form.data)
    if step == "programme":
        data["programme_id"] = int(value) or None
    elif step in ("people", "children"):
        data[step] = int(value)
    elif step in ("household", "situation", "when", "contact", "phone"):
        data[step] = value
    elif step == "consent" and value == "yes":
        data["health"] = {"consent_at": moment.isoformat(), "needs": [], "note": ""}
    elif step == "needs":
        data["health"] = {
            **data.get("health", {}),
            "needs": ["home", "support"] if value == "both" else [value],
        }
    elif step == "access_note" and value != SKIP:
        data["health"] = {**data.get("health", {}), "note": value}
    elif step == "note":
        data["note"] = "" if value == SKIP else value
    form.data = data
    form.step = next_step(step, value, data)


def next_step(step: str, value: str, data: dict[str, Any]) -> str:
    if step == "household":
        return "people" if value == "others" else "situation"
    if step == "contact":
        return "phone" if value == "phone" else "access"
    if step == "access":
        return "consent" if value == "yes" else "note"
    if step == "consent":
        return "needs" if value == "yes" else "note"
    following = {
        "programme": "household",
        "people": "children",
        "children": "situation",
        "situation": "when",
        "when": "contact",
        "phone": "access",
        "needs": "access_note",
        "access_note": "note",
        "note": "summary",
    }
    return following.get(step, "summary")
