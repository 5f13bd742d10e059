"""`porta import`: hubs, activities and programmes from YAML (activities also from CSV), all
or nothing, idempotent by id.

A file with any bad row is refused whole, every bad row listed with its line and reason.
Weekly series become one activity per session, with the external id `<id>#<n>`, so that
importing a series again updates its sessions.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Activity, ActivityText, Hub
from bot.services import programmes
from bot.services.catalog import CATEGORIES

LANGUAGE = re.compile(r"^[a-z]{2}$")
AGES = re.compile(r"^(\d{1,3})-(\d{1,3})$")
HUB_FIELDS = ("id", "name", "neighbourhood", "address", "latitude", "longitude")


class ImportRefused(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Summary:
    hubs: int = 0
    programmes: int = 0
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Row:
    line: int
    data: dict[str, Any]


class FileRefused(ImportRefused):
    """The file as a whole is not what an import reads (empty, binary, no header, ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__([reason])
        self.reason = reason


SECTIONS = ("hubs", "activities", "programmes")
YAML_EXPECTED = "expected YAML with the keys hubs, activities or programmes (see README)"
CSV_COLUMNS = ("id", "hub", "category", "start", "duration", "capacity")


def read_rows(path: Path) -> tuple[list[Row], list[Row]]:
    """Hubs and activities with the line each starts on."""
    sections = read_sections(path)
    return sections["hubs"], sections["activities"]


def read_sections(path: Path) -> dict[str, list[Row]]:
    """Every section's rows (hubs, activities, programmes) with the line each starts on."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise FileRefused("expected a .yaml, .yml or .csv file")
    content = path.read_bytes()
    try:
        if b"\x00" in content:
            raise UnicodeDecodeError("utf-8", content, 0, 1, "NUL byte")
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("this is not a text file: expected YAML or CSV in UTF-8") from None
    if not text.strip():
        kind = "activity rows under a header line" if suffix == ".csv" else "hubs and activities"
        raise FileRefused(f"the file is empty: expected {kind}")
    if suffix == ".csv":
        return {"hubs": [], "activities": _csv_rows(text), "programmes": []}
    return _yaml_rows(text)


def _yaml_rows(text: str) -> dict[str, list[Row]]:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ImportRefused([f"not valid YAML: {error}"]) from None
    if not isinstance(data, dict) or root is None or not set(SECTIONS) & set(data):
        raise FileRefused(YAML_EXPECTED)
    nodes = {key.value: value for key, value in root.value}
    found: dict[str, list[Row]] = {}
    for key in SECTIONS:
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ImportRefused([f"line {nodes[key].start_mark.line + 1}: {key} must be a list"])
        lines = [node.start_mark.line + 1 for node in nodes[key].value] if key in nodes else []
        found[key] = [Row(line, item) for line, item in zip(lines, items, strict=True)]
    return found


def _csv_rows(text: str) -> list[Row]:
    """CSV: one activity a row; title_<lang> and description_<lang> columns for texts."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing or not any(name.startswith("title_") for name in header):
        raise FileRefused(
            f"the first line must name the columns {','.join(CSV_COLUMNS)} and title_<language>"
            f" (missing: {', '.join(missing) or 'title_<language>'})"
        )
    rows = []
    for record in reader:
        data: dict[str, Any] = {"title": {}, "description": {}}
        for column, value in record.items():
            if column is None or value in (None, ""):
                continue
            kind, _, language = column.partition("_")
            if kind in ("title", "description") and language:
                data[kind][language] = value
            else:
                data[column] = value
        if "languages" in data:
            data["languages"] = [code.strip() for code in str(data["languages"]).split(",")]
        rows.append(Row(reader.line_num, data))
    if not rows:
        raise FileRefused("no activity rows under the header line")
    return rows


def check_hub(row: Row) -> list[str]:
    problems = [f"{name} is missing" for name in HUB_FIELDS if row.data.get(name) in (None, "")]
    for name in ("latitude", "longitude"):
        try:
            float(row.data.get(name, 0))
        except (TypeError, ValueError):
            problems.append(f"{name} must be a number")
    return problems


def check_activity(row: Row, hub_ids: set[str], zone: ZoneInfo) -> list[str]:
    """What is wrong with one activity row (nothing when it is good)."""
    data, problems = row.data, []
    for name in ("id", "hub", "category", "start", "duration", "capacity", "title"):
        if data.get(name) in (None, "", {}):
            problems.append(f"{name} is missing")
    if data.get("hub") and str(data["hub"]) not in hub_ids:
        problems.append(f"unknown hub {data['hub']!r}")
    if data.get("category") and data["category"] not in CATEGORIES:
        problems.append(f"category must be one of {', '.join(CATEGORIES)}")
    if data.get("start"):
        try:
            local_start(data["start"], zone)
        except ValueError:
            problems.append("start must look like 2026-11-24 17:30")
    problems += _whole_number(data, "duration", 1, 24 * 60)
    problems += _whole_number(data, "capacity", 1, 1000)
    problems += _whole_number(data, "repeat_weekly", 1, 52)
    if data.get("ages") and not _ages(str(data["ages"])):
        problems.append("ages must look like 14-25")
    languages = data.get("languages") or []
    if not isinstance(languages, list) or not all(LANGUAGE.match(str(c)) for c in languages):
        problems.append("languages must be two-letter codes, like it, en, ar")
    for kind in ("title", "description"):
        texts = data.get(kind) or {}
        if not isinstance(texts, dict) or not all(LANGUAGE.match(str(c)) for c in texts):
            problems.append(f"{kind} must give a text per two-letter language code")
        elif kind == "title" and any(len(str(t)) > 120 for t in texts.values()):
            problems.append("a title is longer than 120 characters")
    return problems


def _whole_number(data: dict[str, Any], name: str, low: int, high: int) -> list[str]:
    value = data.get(name)
    if value in (None, ""):
        return []
    try:
        number = int(str(value))
    except ValueError:
        return [f"{name} must be a whole number"]
    return [] if low <= number <= high else [f"{name} must be between {low} and {high}"]


def _ages(text: str) -> tuple[int, int] | None:
    match = AGES.match(text.replace(" ", ""))
    if not match:
        return None
    low, high = int(match[1]), int(match[2])
    return (low, high) if low <= high <= 120 else None


def local_start(value: Any, zone: ZoneInfo) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


async def import_file(session: AsyncSession, path: Path, zone: ZoneInfo) -> Summary:
    """Check every row of the file, then write them all in the caller's transaction."""
    sections = read_sections(path)
    return await import_rows(
        session, sections["hubs"], sections["activities"], zone, sections["programmes"]
    )


async def import_rows(
    session: AsyncSession,
    hub_rows: list[Row],
    activity_rows: list[Row],
    zone: ZoneInfo,
    programme_rows: list[Row] | None = None,
) -> Summary:
    """Check every row, then write them all (or, with any bad row, none)."""
    programme_rows = programme_rows or []
    known = set((await session.scalars(select(Hub.external_id))).all())
    problems = [f"line {r.line}: hub: {p}" for r in hub_rows for p in check_hub(r)]
    hub_ids = {str(r.data.get("id")) for r in hub_rows} | {k for k in known if k}
    problems += [
        f"line {r.line}: {p}" for r in activity_rows for p in check_activity(r, hub_ids, zone)
    ]
    problems += [
        f"line {r.line}: programme: {p}"
        for r in programme_rows
        for p in (programmes.check(r.data) if isinstance(r.data, dict) else ["not a mapping"])
    ]
    for rows in (activity_rows, programme_rows):
        seen: dict[str, int] = {}
        for row in rows:
            key = str(row.data.get("id")) if isinstance(row.data, dict) else ""
            if key in seen:
                problems.append(f"line {row.line}: id {key!r} is already used on line {seen[key]}")
            seen.setdefault(key, row.line)
    if problems:
        raise ImportRefused(problems)
    summary = Summary()
    hubs = {h.external_id: h for h in (await session.scalars(select(Hub))).all()}
    for row in hub_rows:
        hubs[str(row.data["id"])] = await _upsert_hub(session, row.data)
        summary.hubs += 1
    for row in activity_rows:
        for external_id, start in _sessions(row.data, zone):
            created = await _upsert_activity(
                session, row.data, hubs[str(row.data["hub"])], external_id, start
            )
            summary.created += created
            summary.updated += not created
    for position, row in enumerate(programme_rows):
        await programmes.upsert(session, row.data, position)
        summary.programmes += 1
    return summary


def _sessions(data: dict[str, Any], zone: ZoneInfo) -> list[tuple[str, datetime]]:
    first = local_start(data["start"], zone)
    repeat = int(str(data.get("repeat_weekly") or 0))
    if not repeat:
        return [(str(data["id"]), first)]
    # Each session keeps its wall-clock time across a daylight-saving change.
    naive = first.replace(tzinfo=None)
    starts = [(naive + timedelta(weeks=n)).replace(tzinfo=zone) for n in range(repeat)]
    return [(f"{data['id']}#{n}", start) for n, start in enumerate(starts, 1)]


async def _upsert_hub(session: AsyncSession, data: dict[str, Any]) -> Hub:
    external_id = str(data["id"])
    hub = await session.scalar(select(Hub).where(Hub.external_id == external_id))
    if hub is None:
        hub = Hub(external_id=external_id)
        session.add(hub)
    hub.name, hub.neighbourhood = str(data["name"]), str(data["neighbourhood"])
    hub.address, hub.contact = str(data["address"]), str(data.get("contact") or "")
    hub.latitude, hub.longitude = float(data["latitude"]), float(data["longitude"])
    hours, access = data.get("hours") or {}, data.get("accessibility") or {}
    hub.notes = {
        language: {"hours": hours.get(language, ""), "access": access.get(language, "")}
        for language in sorted(set(hours) | set(access))
    }
    await session.flush()
    return hub


async def _upsert_activity(
    session: AsyncSession, data: dict[str, Any], hub: Hub, external_id: str, start: datetime
) -> bool:
    activity = await session.scalar(select(Activity).where(Activity.external_id == external_id))
    created = activity is None
    if activity is None:
        activity = Activity(external_id=external_id)
        session.add(activity)
    low, high = _ages(str(data.get("ages") or "14-35")) or (14, 35)
    activity.hub_id, activity.category = hub.id, str(data["category"])
    activity.starts_at = start.astimezone(ZoneInfo("UTC"))
    activity.ends_at = activity.starts_at + timedelta(minutes=int(str(data["duration"])))
    activity.capacity, activity.min_age, activity.max_age = int(str(data["capacity"])), low, high
    activity.languages = [str(c) for c in data.get("languages") or []]
    activity.accessible = str(data.get("accessible", "")).lower() in ("true", "yes", "1")
    titles, descriptions = data["title"], data.get("description") or {}
    texts = {t.language: t for t in activity.texts} if not created else {}
    for language in sorted(titles):
        text = texts.get(language) or ActivityText(language=language)
        text.title, text.description = str(titles[language]), str(descriptions.get(language, ""))
        if language not in texts:
            activity.texts.append(text)
    await session.flush()
    return created
