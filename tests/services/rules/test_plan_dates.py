"""Dates that cannot break a page: quarter labels read back for every year, the window every
stored date lies in, and a timeline that stays bounded whatever the rows say."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.services.rules.plan_dates import SANE, plan_window, span_window
from app.services.rules.quarters import (
    CALENDAR_QUARTER,
    RELATIVE_QUARTER,
    quarter_end,
    quarter_label,
    quarter_start,
)
from app.services.rules.timeline import timeline_base, timeline_columns, timeline_span

any_day = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


class TestQuarterLabels:
    def test_year_one_is_written_with_four_digits(self) -> None:
        # '1-Q1' is not a quarter: a strategy dated 0001-01-01 once made a roadmap answer 500.
        assert quarter_label(dt.date(1, 1, 1)) == "0001-Q1"
        assert quarter_start("0001-Q1") == dt.date(1, 1, 1)
        assert quarter_end("9999-Q4") == dt.date(9999, 12, 31)

    @given(any_day)
    def test_a_calendar_label_reads_back_to_the_quarter_holding_the_day(self, day: dt.date) -> None:
        label = quarter_label(day)
        assert CALENDAR_QUARTER.match(label)
        assert quarter_start(label) <= day <= quarter_end(label)
        assert quarter_label(quarter_start(label)) == quarter_label(quarter_end(label)) == label

    @given(
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9899, 1, 1)),
        st.integers(min_value=0, max_value=99 * 12 - 1),
    )
    def test_a_relative_label_reads_back_for_every_quarter_a_plan_can_write(
        self, origin: dt.date, months: int
    ) -> None:
        index = origin.year * 12 + origin.month - 1 + months
        day = dt.date(index // 12, index % 12 + 1, 1)
        label = quarter_label(day, origin)
        assert RELATIVE_QUARTER.match(label)
        assert quarter_start(label, origin) <= day <= quarter_end(label, origin)


class TestWindows:
    def test_without_a_period_dates_lie_in_1900_to_2200_and_the_message_says_so(self) -> None:
        window = plan_window(None, None)
        assert (window.first, window.last) == (dt.date(1900, 1, 1), dt.date(2200, 12, 31))
        problem = window.problem("planned_start", dt.date(1, 1, 1))
        assert problem is not None and problem.field == "planned_start"
        assert problem.message == (
            "0001-01-01 is before the earliest date PlanTrack accepts (1900-01-01)"
        )
        assert SANE.problem("x", dt.date(9999, 12, 31)).message == (  # type: ignore[union-attr]
            "9999-12-31 is after the latest date PlanTrack accepts (2200-12-31)"
        )
        assert window.problem("x", dt.date(2024, 5, 1)) is None

    def test_the_plans_period_bounds_what_it_schedules_either_end_alone(self) -> None:
        window = plan_window(dt.date(2023, 3, 7), None)
        assert window.problem("due", dt.date(2023, 3, 6)).message == (  # type: ignore[union-attr]
            "2023-03-06 is before the plan's period starts (2023-03-07)"
        )
        assert window.problem("due", dt.date(2199, 1, 1)) is None
        assert window.problem("due", dt.date(2201, 1, 1)) is not None

    def test_planned_spans_may_use_the_whole_quarters_of_the_period(self) -> None:
        window = span_window(dt.date(2023, 3, 7), dt.date(2026, 9, 6))
        assert (window.first, window.last) == (dt.date(2023, 1, 1), dt.date(2026, 9, 30))
        assert window.problem("planned_end", dt.date(2026, 10, 1)).message == (  # type: ignore[union-attr]
            "2026-10-01 is after the plan's period, which ends in 2026 Q3 (2026-09-30)"
        )

    def test_a_relative_schedule_runs_from_its_origin_to_year_99(self) -> None:
        window = span_window(None, None, dt.date(2018, 1, 1))
        assert (window.first, window.last) == (dt.date(2018, 1, 1), dt.date(2116, 12, 31))
        assert "Y1 Q1" in window.problem("planned_start", dt.date(2017, 12, 31)).message  # type: ignore[union-attr]


class TestTimelineSpan:
    def test_a_plans_period_sets_the_columns_whatever_the_rows_say(self) -> None:
        window = span_window(dt.date(2024, 1, 1), dt.date(2027, 12, 31))
        first, last = timeline_span(
            days=[dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2025, 4, 1)],
            window=window,
            bounded=(True, True),
            max_years=40,
        )
        assert (first, last) == (dt.date(2024, 1, 1), dt.date(2027, 12, 31))

    def test_without_a_period_stray_dates_are_clamped_and_the_busy_years_kept(self) -> None:
        days = [dt.date(1, 1, 1), dt.date(9999, 12, 31)] + [
            dt.date(2024 + i % 3, 1 + i % 12, 1) for i in range(30)
        ]
        first, last = timeline_span(days=days, window=SANE, bounded=(False, False), max_years=40)
        assert first == dt.date(2024, 1, 1) and last <= dt.date(2063, 12, 31)
        columns = timeline_columns(
            base=timeline_base(relative_origin=None, earliest=first),
            last_day=last,
            relative=False,
            today=dt.date(2025, 1, 1),
            first_day=first,
        )
        assert len(columns) <= 40 * 4 and columns[0].label == "2024 Q1"

    def test_a_relative_timeline_starting_later_keeps_its_year_numbers(self) -> None:
        origin = dt.date(2018, 1, 1)
        columns = timeline_columns(
            base=origin,
            last_day=dt.date(2021, 12, 31),
            relative=True,
            today=origin,
            first_day=dt.date(2020, 2, 1),
        )
        assert [c.label for c in columns][::4] == ["Year 3 Q1", "Year 4 Q1"]
        assert columns[0].start == dt.date(2020, 1, 1)
