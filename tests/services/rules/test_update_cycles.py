"""The due-date rule of services.rules.update_cycles: calendars, month ends, leap years."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.rules import update_cycles
from app.services.rules.update_cycles import (
    Calendar,
    local_date,
    local_moment_text,
    metric_due,
    quick_win_due,
    strategy_due,
    zone_problem,
)

D = dt.date
MONTHLY = Calendar("monthly", 10)
QUARTERLY = Calendar("quarterly", 15)


class TestCalendarCycles:
    @pytest.mark.parametrize(
        ("calendar", "days", "frequency"),
        [
            (MONTHLY, 30, "monthly"),
            (MONTHLY, 14, "monthly"),  # never finer than the calendar
            (MONTHLY, 90, "quarterly"),
            (MONTHLY, 180, "semiannual"),
            (MONTHLY, 365, "annual"),
            (QUARTERLY, 30, "quarterly"),
            (QUARTERLY, 120, "semiannual"),
        ],
    )
    def test_a_cadence_spans_calendar_periods(self, calendar, days, frequency):
        assert calendar.cycle_of(days) == frequency


class TestStrategyDue:
    def test_an_update_before_the_due_day_answers_the_month_before(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 11, 3), started=None,
            complete=False, today=D(2026, 11, 5),
        )  # fmt: skip
        assert due is not None and not due.overdue
        assert due.due == D(2026, 12, 10)  # 3 November was October's update: November's next

    def test_an_update_after_the_due_day_answers_its_month(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 11, 11), started=None,
            complete=False, today=D(2026, 11, 20),
        )  # fmt: skip
        assert due is not None and due.due == D(2027, 1, 10)

    def test_updated_this_month_is_next_due_on_the_due_day_after_the_month(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 11, 3), started=None,
            complete=False, today=D(2026, 11, 20),
        )  # fmt: skip
        assert due is not None and not due.overdue
        assert due.due == D(2026, 12, 10)  # November's update, due 10 December

    def test_last_months_update_missing_after_the_due_day_is_overdue(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 9, 28), started=None,
            complete=False, today=D(2026, 11, 11),
        )  # fmt: skip
        assert due is not None and due.overdue
        assert due.due == D(2026, 11, 10)  # October's, the newest period past its due day
        assert due.period.start == D(2026, 10, 1)

    def test_on_the_due_day_itself_it_is_not_yet_overdue(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 9, 28), started=None,
            complete=False, today=D(2026, 11, 10),
        )  # fmt: skip
        assert due is not None and not due.overdue  # September answered; October's is due today
        assert due.due == D(2026, 11, 10)

    def test_quarterly_calendar_due_after_the_quarter(self):
        due = strategy_due(
            QUARTERLY, cadence_days=30, last_update=D(2026, 7, 2), started=None,
            complete=False, today=D(2026, 8, 1),
        )  # fmt: skip
        assert due is not None and not due.overdue
        assert due.due == D(2026, 10, 15)  # Q3 ends 30 September

    def test_february_of_a_leap_year(self):
        due = strategy_due(
            Calendar("monthly", 28), cadence_days=30, last_update=D(2028, 2, 10),
            started=None, complete=False, today=D(2028, 2, 20),
        )  # fmt: skip
        assert due is not None and due.due == D(2028, 3, 28)  # 29 Feb + 28 days
        assert due.period.end == D(2028, 2, 29)

    def test_february_of_a_common_year(self):
        due = strategy_due(
            Calendar("monthly", 1), cadence_days=30, last_update=D(2027, 2, 1),
            started=None, complete=False, today=D(2027, 2, 20),
        )  # fmt: skip
        assert due is not None and due.due == D(2027, 3, 1)

    def test_december_due_in_january_next_year(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 12, 5), started=None,
            complete=False, today=D(2026, 12, 31),
        )  # fmt: skip
        assert due is not None and due.due == D(2027, 1, 10)

    def test_never_updated_owes_from_the_period_after_it_started(self):
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=None, started=D(2026, 11, 20),
            complete=False, today=D(2026, 11, 25),
        )  # fmt: skip
        assert due is not None and not due.overdue and due.due == D(2027, 1, 10)

    def test_complete_owes_nothing(self):
        assert (
            strategy_due(
                MONTHLY,
                cadence_days=30,
                last_update=None,
                started=D(2020, 1, 1),
                complete=True,
                today=D(2026, 11, 25),
            )  # fmt: skip
            is None
        )

    def test_a_plan_past_its_period_still_owes_progress_updates(self):
        # San José's period ended 2026-09-06; its recommendations are still being carried out.
        due = strategy_due(
            MONTHLY, cadence_days=30, last_update=D(2026, 8, 15), started=None,
            complete=False, today=D(2026, 12, 7),
        )  # fmt: skip
        assert due is not None and due.overdue
        assert due.due == D(2026, 11, 10)  # October's update, its due day passed

    def test_a_metric_owes_no_value_for_a_period_after_the_plans_end(self):
        # A value's period must lie within the plan's, so none can be owed after it.
        due = metric_due(
            MONTHLY, frequency="monthly", window_days=None, latest_period=D(2026, 8, 1),
            started=None, today=D(2026, 12, 7), last_day=D(2026, 9, 6),
        )  # fmt: skip
        assert due is not None and due.period.start == D(2026, 9, 1)
        later = metric_due(
            MONTHLY, frequency="monthly", window_days=None, latest_period=D(2026, 9, 1),
            started=None, today=D(2026, 12, 7), last_day=D(2026, 9, 6),
        )  # fmt: skip
        assert later is None


class TestQuickWinAndMetricDue:
    def test_quick_wins_follow_the_calendar(self):
        due = quick_win_due(
            QUARTERLY, last_update=D(2026, 1, 5), started=None, complete=False,
            today=D(2026, 3, 31),
        )  # fmt: skip
        assert due is not None and due.due == D(2026, 4, 15) and not due.overdue

    def test_metric_uses_its_own_window(self):
        due = metric_due(
            MONTHLY, frequency="monthly", window_days=20, latest_period=D(2026, 9, 1),
            started=None, today=D(2026, 11, 25),
        )  # fmt: skip
        # October's value was due 20 November: late, exactly as the metric rule says.
        assert due is not None and due.overdue and due.due == D(2026, 11, 20)

    def test_metric_without_window_uses_the_calendars_due_day(self):
        due = metric_due(
            MONTHLY, frequency="quarterly", window_days=None, latest_period=D(2026, 7, 1),
            started=None, today=D(2026, 11, 25),
        )  # fmt: skip
        assert due is not None and not due.overdue and due.due == D(2027, 1, 10)

    def test_ad_hoc_metric_is_never_due(self):
        assert (
            metric_due(
                MONTHLY,
                frequency="ad_hoc",
                window_days=None,
                latest_period=D(2026, 7, 1),
                started=None,
                today=D(2026, 11, 25),
            )  # fmt: skip
            is None
        )


class TestZones:
    def test_iana_names_only(self):
        assert zone_problem("America/Los_Angeles") is None
        assert zone_problem("UTC") is None
        assert "not a time zone" in (zone_problem("Mars/Olympus") or "")
        assert zone_problem("") is not None
        assert zone_problem("../etc/passwd") is not None

    def test_local_date_crosses_midnight(self):
        moment = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
        assert local_date(moment, "America/Los_Angeles") == D(2026, 11, 30)
        assert local_date(moment.replace(tzinfo=None), "UTC") == D(2026, 12, 1)
        assert local_moment_text(moment, "America/New_York") == "2026-12-01 00:00 EST"


def test_a_zone_name_that_is_not_one_reads_as_utc_instead_of_failing() -> None:
    # Only through the database by hand (the settings refuse it), but a page must not fail on it.
    late = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)
    assert update_cycles.local_date(late, "<b>payload</b>") == dt.date(2026, 12, 7)
    assert update_cycles.local_date(late, "America/Los_Angeles") == dt.date(2026, 12, 7)
    assert update_cycles.local_date(late, "Asia/Tokyo") == dt.date(2026, 12, 8)
