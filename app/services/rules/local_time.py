"""Moments as an organisation reads them: "2026-12-06 19:30 PST", "yesterday".

The one place a stored moment becomes text for people. Stored moments are UTC (SQLite hands them
back naive, so a naive value is read as UTC); a page shows them in one zone, the reading zone
(services.reading.zones.reading_zone decides which): `YYYY-MM-DD HH:MM ZZZ`, the zone's
abbreviation, on every page and in every e-mail. Dates derived from a moment ("last update
2026-12-06", "today", "3 days ago") are calendar dates in that zone too. Machine-readable
output (the JSON API, CSV/XLSX exports, `<time datetime>`) keeps ISO-8601 instants.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app.services.rules import clock

UTC_NAME = "UTC"


def zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone ("America/Los_Angeles"), or None."""
    if not name or name != name.strip() or len(name) > 64:
        return "must be an IANA time zone name such as America/New_York"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{name}' is not a time zone; use an IANA name such as America/New_York"
    if name not in available_timezones() and name != UTC_NAME:
        return f"'{name}' is not a time zone; use an IANA name such as America/New_York"
    return None


def zone_of(name: str | None) -> dt.tzinfo:
    """The organisation's zone; UTC when the stored name is not one (written to the database by
    hand, or a zone this machine's tz database lacks): a page never fails on it."""
    if not name:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def zone_name(name: str | None) -> str:
    """`name` when it is a zone this machine knows, else "UTC" (what `zone_of` reads it as)."""
    return name if name and zone_of(name) is not dt.UTC else UTC_NAME


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_moment(value: str | dt.datetime | None) -> dt.datetime | None:
    """A stored moment or its ISO text (conflicts carry `saved_at` as text), aware in UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return as_utc(value)


def local_moment(moment: dt.datetime, zone: str | None) -> dt.datetime:
    """A stored moment (naive is UTC) as an aware time in `zone`."""
    return as_utc(moment).astimezone(zone_of(zone))


def local_date(moment: dt.datetime, zone: str | None) -> dt.date:
    """The calendar date of a stored moment (UTC; naive is read as UTC) in `zone`."""
    return local_moment(moment, zone).date()


def local_today(zone: str | None, now: dt.datetime | None = None) -> dt.date:
    """What "today" is in `zone` at `now` (default: the clock's time): the day every rule that
    asks for today (overdue, stale, due, "not in the future", a default "since") judges by, so a
    San José step ticked at 17:00 PST on Dec 6 is done on Dec 6, not on the UTC date (Dec 7).
    Pick the zone with services.reading.zones (`organization_today`, `reading_today`)."""
    return local_date(clock.now_or_clock(now), zone)


def local_moment_text(moment: dt.datetime, zone: str | None) -> str:
    """A moment as the organisation reads it: "2026-12-07 09:30 PST"."""
    return local_moment(moment, zone).strftime("%Y-%m-%d %H:%M %Z")


def moment_text(value: str | dt.datetime | None, zone: str | None = UTC_NAME) -> str:
    """A stored moment or its ISO text in `zone`: "2026-12-06 19:30 PST" (empty for none)."""
    moment = parse_moment(value)
    return local_moment_text(moment, zone) if moment else ""


def day_start(day: dt.date, zone: str | None) -> dt.datetime:
    """The moment (aware, UTC) a calendar day of `zone` begins: a date filter's bound."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone_of(zone)).astimezone(dt.UTC)


def age_days(
    value: str | dt.datetime | None, now: dt.datetime, zone: str | None = UTC_NAME
) -> int | None:
    """Whole calendar days in `zone` from the moment to `now` (None for no moment)."""
    moment = parse_moment(value)
    return None if moment is None else (local_date(now, zone) - local_date(moment, zone)).days


def age_text(value: str | dt.datetime | None, now: dt.datetime, zone: str | None = UTC_NAME) -> str:
    """How long ago, in whole days of `zone`'s calendar as the staleness rule counts them:
    "today", "yesterday", "12 days ago"; beyond 60 days in months, beyond two years in years."""
    days = age_days(value, now, zone)
    if days is None:
        return "never"
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days <= 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
