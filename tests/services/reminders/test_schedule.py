"""Which digest a person is owed on a day (services.reminders.schedule): one a week, or one in
the days before each of the calendar's due dates, or none."""

from __future__ import annotations

import datetime as dt

from app.services.reminders.schedule import LEAD_DAYS, digest_key, next_due_date
from app.services.rules.update_cycles import Calendar

MONTHLY = Calendar("monthly", 10)
QUARTERLY = Calendar("quarterly", 15)


def test_weekly_digests_are_one_per_iso_week_across_a_new_year() -> None:
    monday, sunday = dt.date(2026, 12, 28), dt.date(2027, 1, 3)
    assert digest_key("weekly", MONTHLY, monday) == "week-2026-W53"
    assert digest_key("weekly", MONTHLY, sunday) == "week-2026-W53"
    assert digest_key("weekly", MONTHLY, dt.date(2027, 1, 4)) == "week-2027-W01"


def test_before_due_is_owed_only_in_the_days_before_a_due_date() -> None:
    due = dt.date(2026, 12, 10)
    assert digest_key("before_due", MONTHLY, due - dt.timedelta(days=LEAD_DAYS + 1)) is None
    for days in range(LEAD_DAYS + 1):
        assert digest_key("before_due", MONTHLY, due - dt.timedelta(days=days)) == "due-2026-12-10"
    assert digest_key("before_due", MONTHLY, due + dt.timedelta(days=1)) is None
    assert digest_key("none", MONTHLY, due) is None


def test_a_quarterly_calendar_is_due_only_after_a_quarter_ends() -> None:
    assert next_due_date(QUARTERLY, dt.date(2026, 11, 20)) == dt.date(2027, 1, 15)
    assert next_due_date(QUARTERLY, dt.date(2026, 1, 15)) == dt.date(2026, 1, 15)
    assert next_due_date(QUARTERLY, dt.date(2026, 1, 16)) == dt.date(2026, 4, 15)
    assert next_due_date(MONTHLY, dt.date(2026, 12, 11)) == dt.date(2027, 1, 10)
