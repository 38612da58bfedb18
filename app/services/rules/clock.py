"""The clock that users, sign-in, browser sessions and API tokens read.

Tests replace `clock.clock` to move time without sleeping. So every module reads it through this
module, `clock.clock()` and `clock.now_or_clock(...)`, never `from app.services.rules.clock import
clock`: a name imported that way would still be the real clock after a test replaced it here.
"""

from __future__ import annotations

import datetime as dt

from app.models.base import utcnow


def clock() -> dt.datetime:
    """The current time (UTC). Tests replace it to move time without sleeping."""
    return utcnow()


def now_or_clock(now: dt.datetime | None) -> dt.datetime:
    """`now` if the caller gave one (aware, UTC if it had no zone), else the clock's time."""
    value = now or clock()
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
