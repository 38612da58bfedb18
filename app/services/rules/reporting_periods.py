"""A metric's periods by its frequency: where one begins and ends, and how people name it.

A measurement is stored against its period's first day (a month's 1st; the grid and forms store
the first month of a quarter, half-year or year). Periods follow the calendar: quarters begin in
January, April, July and October, half-years in January and July, years in January, two-year
periods in even years, weeks on Mondays. An ad hoc metric has no regular period.

Pure, so metric_rule (is a value late?) and every page read the same periods.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from app.models.enums import Frequency

# Months per period, by frequency (weekly is 7 days; ad hoc has none).
PERIOD_MONTHS: dict[str, int] = {
    Frequency.monthly: 1,
    Frequency.quarterly: 3,
    Frequency.semiannual: 6,
    Frequency.annual: 12,
    Frequency.biennial: 24,
}
# "Reported monthly", and what each period is called ("each month's end").
FREQUENCY_WORDS: dict[str, tuple[str, str]] = {
    Frequency.weekly: ("weekly", "week"),
    Frequency.monthly: ("monthly", "month"),
    Frequency.quarterly: ("quarterly", "quarter"),
    Frequency.semiannual: ("half-yearly", "half-year"),
    Frequency.annual: ("yearly", "year"),
    Frequency.biennial: ("every two years", "two-year period"),
}


class Period(NamedTuple):
    start: dt.date
    end: dt.date  # its last day


def is_regular(frequency: str | None) -> bool:
    """Whether the frequency has periods a value can be late for (not ad hoc, not unset)."""
    return frequency is not None and frequency in FREQUENCY_WORDS


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _from_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(day: dt.date, frequency: str) -> Period:
    """The period of a regular `frequency` that `day` falls in."""
    if frequency == Frequency.weekly:
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6))
    step = PERIOD_MONTHS[frequency]
    index = _month_index(day)
    index -= index % step
    return Period(_from_index(index), _from_index(index + step) - dt.timedelta(days=1))


def previous_period(period: Period, frequency: str) -> Period:
    return period_of(period.start - dt.timedelta(days=1), frequency)


def period_text(period: dt.date, frequency: str | None) -> str:
    """A measurement's period as its frequency reads it: "June 2025", "2025 Q2", "2025"."""
    if frequency == Frequency.quarterly:
        return f"{period.year} Q{(period.month - 1) // 3 + 1}"
    if frequency in (Frequency.annual, Frequency.biennial):
        return str(period.year)
    if frequency == Frequency.semiannual:
        return f"{period.year} H{1 if period.month <= 6 else 2}"
    if frequency == Frequency.weekly:
        return f"Week of {period.isoformat()}"
    return period.strftime("%B %Y")


def day_text(day: dt.date) -> str:
    """A due date as people write it: "30 November 2026"."""
    return f"{day.day} {day:%B %Y}"
