"""An activity as an RFC 5545 calendar file, for "add to calendar"."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vGeo

from bot.db.models import Activity, ActivityText
from bot.services.catalog import as_utc


def activity_ics(activity: Activity, text: ActivityText, zone: ZoneInfo, host: str) -> bytes:
    """A calendar with one event; its UID is stable, so adding it again updates it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Porta//Youth hubs//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"activity-{activity.id}@{host}")
    event.add("dtstamp", as_utc(activity.updated_at))
    event.add("dtstart", as_utc(activity.starts_at).astimezone(zone))
    event.add("dtend", as_utc(activity.ends_at).astimezone(zone))
    event.add("summary", text.title)
    if text.description:
        event.add("description", text.description)
    hub = activity.hub
    event.add("location", f"{hub.name}, {hub.address}")
    event.add("geo", vGeo((hub.latitude, hub.longitude)))
    if activity.status == "cancelled":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
