"""Which digest a person is owed today (pure): the rule behind `plantrack remind`'s idempotency.

- `weekly`: one digest per ISO week, key "week-2026-W49"; the first run of the week sends it
  (run the command daily, or weekly on Monday morning: either way one digest a week).
- `before_due`: one digest in the LEAD_DAYS days up to each of the calendar's due dates, key
  "due-2026-12-10"; a run outside that window owes nothing.
- `none`: never.

A due date is the calendar's due day in each month after a reporting period ends: every month on a
monthly calendar, January, April, July and October on a quarterly one.
"""

from __future__ import annotations

import datetime as dt

from app.models.enums import ReminderFrequency, ReportingCadence
from app.services.rules.update_cycles import Calendar

LEAD_DAYS = 3


def next_due_date(calendar: Calendar, today: dt.date) -> dt.date:
    """The calendar's first due date on or after `today`."""
    year, month = today.year, today.month
    for _ in range(15):
        after_period_end = calendar.cadence != ReportingCadence.quarterly or (month - 1) % 3 == 0
        due = dt.date(year, month, calendar.due_day)
        if after_period_end and due >= today:
            return due
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("a calendar has a due date every quarter")


def digest_key(frequency: str, calendar: Calendar, today: dt.date) -> str | None:
    """The digest owed on `today` for a person with `frequency`, or None."""
    if frequency == ReminderFrequency.weekly:
        year, week, _ = today.isocalendar()
        return f"week-{year}-W{week:02d}"
    if frequency == ReminderFrequency.before_due:
        due = next_due_date(calendar, today)
        if (due - today).days <= LEAD_DAYS:
            return f"due-{due.isoformat()}"
    return None
