"""The dates a reader may ask about: a filter's from and to, the history's `since`.

They lie in the window PlanTrack's stored dates lie in, 1900–2200. Outside it, the arithmetic a
filter needs overflows Python's calendar: the day after `to=9999-12-31`, or
`since=0001-01-01T00:00:00+14:00` moved to UTC, was a 500. Inside it nothing can overflow, and no
stored date lies outside it, so a refused date could never have matched anything.
"""

from __future__ import annotations

import datetime as dt

from app.services.rules.plan_dates import EARLIEST, LATEST

OUTSIDE = f"must lie between {EARLIEST} and {LATEST}"


def within_window(day: dt.date) -> bool:
    """Whether a date (or a moment, by its own calendar day) may be asked about."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return EARLIEST <= day <= LATEST


def moment_in_window(moment: dt.datetime | None) -> dt.datetime | None:
    """A validator for an API parameter: a moment outside the window is a 422 naming it."""
    if moment is not None and not within_window(moment):
        raise ValueError(OUTSIDE)
    return moment
