"""Demo data: the two Lucca hubs, about twenty sessions over the next four weeks, and the
housing programmes and low-threshold services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.importer import Summary, import_rows, read_rows, read_sections

DEMO_FILE = Path(__file__).with_name("lucca.yaml")
PROGRAMMES_FILE = Path(__file__).with_name("programmes.yaml")


async def load_demo(session: AsyncSession, zone: ZoneInfo, today: date | None = None) -> Summary:
    """Import the demo set with its dates counted from `today` (local); safe to repeat."""
    today = today or datetime.now(zone).date()
    hubs, activities = read_rows(DEMO_FILE)
    for row in activities:
        days, clock = int(row.data.pop("in_days")), time.fromisoformat(str(row.data.pop("time")))
        row.data["start"] = datetime.combine(today + timedelta(days=days), clock)
    programmes = read_sections(PROGRAMMES_FILE)["programmes"]
    return await import_rows(session, hubs, activities, zone, programmes)
