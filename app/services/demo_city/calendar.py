"""Month and quarter arithmetic for the demo city, and the working-hours moments on its rows."""

from __future__ import annotations

import datetime as dt
import random


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def moment(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment on `day`, in UTC."""
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(14, 23),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=dt.UTC,
    )
