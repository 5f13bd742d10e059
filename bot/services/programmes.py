"""Housing programmes and low-threshold services: reading them from an import file, and
finding what is open today and nearest."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Programme

KINDS = ("housing", "service")
TEAMS = ("housing", "youth")
TEXT_KEYS = ("title", "who", "offers", "apply", "documents")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CLOCK = re.compile(r"^([01]\d|2[0-4]):[0-5]\d$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
MAX_TEXT = 300  # characters per field: a page must fit one screen


@dataclass(frozen=True)
class Opening:
    """One opening of a service on a given day: from `opens` to `closes` (the next
    morning when `closes` is earlier)."""

    opens: str
    closes: str


def check(data: dict[str, Any]) -> list[str]:
    """What is wrong with one programme row of an import file (nothing: [])."""
    problems = []
    if not SLUG.match(str(data.get("id") or "")):
        problems.append("id must be lowercase letters, digits and dashes")
    if data.get("kind") not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}")
    if data.get("team", "housing") not in TEAMS:
        problems.append(f"team must be one of {', '.join(TEAMS)}")
    texts = data.get("texts")
    if not isinstance(texts, dict) or not texts:
        return [*problems, "texts are missing (texts: {it: {title: ..., ...}})"]
    for language, fields in texts.items():
        if not LANGUAGE.match(str(language)) or not isinstance(fields, dict):
            problems.append(f"texts: {language!r} is not a language code with its texts")
            continue
        if not fields.get("title"):
            problems.append(f"texts.{language}.title is missing")
        for key, value in fields.items():
            if key not in TEXT_KEYS:
                problems.append(f"texts.{language}.{key}: expected {', '.join(TEXT_KEYS)}")
            elif len(str(value)) > MAX_TEXT:
                problems.append(f"texts.{language}.{key} is over {MAX_TEXT} characters")
    for name, longest in (("contact", 120), ("address", 200)):
        if len(str(data.get(name) or "")) > longest:
            problems.append(f"{name} is over {longest} characters")
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        value = data.get(name)
        if value is not None and not (isinstance(value, int | float) and low <= value <= high):
            problems.append(f"{name} must be a number from {low} to {high}")
    if (data.get("latitude") is None) != (data.get("longitude") is None):
        problems.append("latitude and longitude go together")
    return problems + _check_hours(data.get("hours") or [])


def _check_hours(hours: Any) -> list[str]:
    if not isinstance(hours, list):
        return ["hours must be a list of {days, open, close}"]
    problems = []
    for number, entry in enumerate(hours, 1):
        days = entry.get("days") if isinstance(entry, dict) else None
        if not isinstance(days, list) or not days or any(d not in DAYS for d in days):
            problems.append(f"hours #{number}: days must be a list of {' '.join(DAYS)}")
            continue
        for key in ("open", "close"):
            if not CLOCK.match(str(entry.get(key, ""))):
                problems.append(f"hours #{number}: {key} must be a time like 08:30")
    return problems


async def upsert(session: AsyncSession, data: dict[str, Any], position: int) -> Programme:
    external_id = str(data["id"])
    programme = await session.scalar(select(Programme).where(Programme.external_id == external_id))
    if programme is None:
        programme = Programme(external_id=external_id)
        session.add(programme)
    programme.kind = str(data["kind"])
    programme.team = str(data.get("team") or ("housing" if data["kind"] == "housing" else "youth"))
    programme.contact = str(data.get("contact") or "")
    programme.emergency = bool(data.get("emergency", False))
    programme.address = str(data["address"]) if data.get("address") else None
    programme.latitude = data.get("latitude")
    programme.longitude = data.get("longitude")
    programme.hours = list(data.get("hours") or [])
    programme.texts = {
        str(language): {k: str(v) for k, v in fields.items()}
        for language, fields in data["texts"].items()
    }
    programme.position = position
    await session.flush()
    return programme


async def housing(session: AsyncSession) -> Sequence[Programme]:
    """The housing programmes, in the order of the import file."""
    query = select(Programme).where(Programme.kind == "housing").order_by(Programme.position)
    return (await session.scalars(query)).all()


async def emergency(session: AsyncSession) -> Sequence[Programme]:
    """The services listed for someone with nowhere to sleep tonight."""
    query = select(Programme).where(Programme.emergency.is_(True)).order_by(Programme.position)
    return (await session.scalars(query)).all()


async def get(session: AsyncSession, programme_id: int) -> Programme | None:
    return await session.get(Programme, programme_id)


def texts(programme: Programme, locale: str, fallback: str) -> dict[str, str]:
    """The programme's texts in `locale`, each missing field taken from `fallback` (then
    from any language that has it)."""
    chosen: dict[str, str] = {}
    order = [locale, fallback, *sorted(programme.texts)]
    for key in TEXT_KEYS:
        for language in order:
            value = (programme.texts.get(language) or {}).get(key)
            if value:
                chosen[key] = str(value)
                break
    return chosen


def title(programme: Programme, locale: str, fallback: str) -> str:
    """The programme's name in `locale` (as `texts` picks it), else its id."""
    return texts(programme, locale, fallback).get("title", programme.external_id)


def openings(programme: Programme, day: date) -> list[Opening]:
    """When the service is open on `day` (local)."""
    weekday = DAYS[day.weekday()]
    return [
        Opening(str(entry["open"]), str(entry["close"]))
        for entry in programme.hours
        if weekday in entry.get("days", [])
    ]


def open_at(programme: Programme, moment: datetime) -> bool:
    """Whether the service is open at `moment` (local, naive or aware in the local zone),
    counting an opening of yesterday that runs past midnight."""
    local = moment.replace(tzinfo=None)
    for day in (local.date() - timedelta(days=1), local.date()):
        for opening in openings(programme, day):
            start = datetime.combine(day, _clock(opening.opens))
            end = datetime.combine(day, _clock(opening.closes))
            if end <= start:
                end += timedelta(days=1)
            if start <= local < end:
                return True
    return False


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(23, 59, 59) if hours == 24 else time(hours, minutes)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def nearest(places: Sequence[Programme], latitude: float, longitude: float) -> Programme | None:
    """The place nearest to the point, among those with coordinates."""
    located = [p for p in places if p.latitude is not None and p.longitude is not None]
    if not located:
        return None
    return min(
        located,
        key=lambda p: distance_km(latitude, longitude, p.latitude or 0, p.longitude or 0),
    )
