"""Offers of help from residents: volunteering at a hub, mentoring a young person (study, work,
Italian) or hosting a young third-country national at home. The short form lives in the forms
table (kind "offer"), so a restart loses nothing; once sent it is a case of kind "offer", in
the housing team's group for hosting and the youth workers' for the rest.

Steps: what -> [subject, for mentoring] -> available -> neighbourhood -> contact -> [phone]
-> summary.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Form

KIND = "offer"
SKIP = "-"
NEIGHBOURHOOD_LIMIT = 80
CHOICES = {
    "what": ("volunteer", "mentor", "host"),
    "subject": ("study", "work", "italian"),
    "available": ("weekdays", "evenings", "weekends", "flexible"),
    "contact": ("bot", "phone"),
}
TYPED = ("neighbourhood", "phone")  # steps answered by typing (the neighbourhood may be skipped)
TEAM_OF = {"volunteer": "youth", "mentor": "youth", "host": "housing"}
FOLLOWING = {"subject": "available", "available": "neighbourhood", "neighbourhood": "contact"}


async def start(session: AsyncSession, user_id: int) -> Form:
    """A new offer form, in place of any unfinished form."""
    form = await session.get(Form, user_id)
    if form is None:
        form = Form(user_id=user_id, kind=KIND, step="what", data={})
        session.add(form)
    form.kind, form.step, form.data = KIND, "what", {}
    await session.flush()
    return form


def valid(step: str, value: str, adult: bool) -> bool:
    """Whether `value` is an answer a button of `step` can give (hosting: adults only)."""
    if step == "what" and value == "host" and not adult:
        return False
    if step in CHOICES:
        return value in CHOICES[step]
    return step == "neighbourhood" and value == SKIP


def answer(form: Form, step: str, value: str) -> None:
    """Record the answer to `step` and move the form to its next step."""
    data: dict[str, Any] = dict(form.data)
    data[step] = "" if value == SKIP else value
    if step == "what" and value != "mentor":
        data.pop("subject", None)
    form.data = data
    form.step = next_step(step, value)


def next_step(step: str, value: str) -> str:
    if step == "what":
        return "subject" if value == "mentor" else "available"
    if step == "contact":
        return "phone" if value == "phone" else "summary"
    return FOLLOWING.get(step, "summary")


def fields_of(data: dict[str, Any]) -> dict[str, Any]:
    """What the case keeps of the form: only the answers given."""
    keys = ("what", "subject", "available", "neighbourhood", "contact", "phone")
    fields = {key: data[key] for key in keys if data.get(key) not in (None, "")}
    return {"offer": fields.pop("what", ""), **fields}


def team_of(data: dict[str, Any]) -> str:
    return TEAM_OF.get(str(data.get("what")), "youth")
