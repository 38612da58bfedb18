"""Moments as people read them on the pages: "2025-06-01 14:03 UTC", "12 days ago".

Stored times are UTC; SQLite hands them back naive, so a naive value is read as UTC.
"""

from __future__ import annotations

import datetime as dt


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_moment(value: str | dt.datetime | None) -> dt.datetime | None:
    """A stored moment or its ISO text (conflicts carry `saved_at` as text)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return as_utc(value)


def moment_text(value: str | dt.datetime | None) -> str:
    """ "2025-06-01 14:03 UTC" (empty for no moment)."""
    moment = parse_moment(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def age_text(value: str | dt.datetime | None, now: dt.datetime) -> str:
    """How long ago, in whole days as the staleness rule counts them: "today", "yesterday",
    "12 days ago"; beyond 60 days in months, beyond two years in years."""
    moment = parse_moment(value)
    if moment is None:
        return "never"
    days = (as_utc(now).date() - moment.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days <= 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def age_days(value: str | dt.datetime | None, now: dt.datetime) -> int | None:
    moment = parse_moment(value)
    return None if moment is None else (as_utc(now).date() - moment.date()).days
