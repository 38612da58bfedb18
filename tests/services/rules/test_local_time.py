"""services.rules.local_time: the one formatter of moments, in an organisation's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.rules import local_time

LA = "America/Los_Angeles"


def test_daylight_saving_time_names_the_zone_of_that_moment() -> None:
    summer = dt.datetime(2026, 7, 7, 16, 30, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC)
    assert local_time.moment_text(summer, LA) == "2026-07-07 09:30 PDT"
    assert local_time.moment_text(winter, LA) == "2026-12-07 09:30 PST"


def test_a_naive_moment_is_read_as_utc_and_crosses_midnight() -> None:
    naive = dt.datetime(2026, 12, 7, 3, 30)  # as SQLite hands it back
    assert local_time.moment_text(naive, LA) == "2026-12-06 19:30 PST"
    assert local_time.moment_text(naive, "UTC") == "2026-12-07 03:30 UTC"
    assert local_time.moment_text(naive.isoformat(), "America/New_York") == "2026-12-06 22:30 EST"
    assert local_time.local_date(naive, LA) == dt.date(2026, 12, 6)


@pytest.mark.parametrize("stored", ["Mars/Olympus", "<b>x</b>", "", None])
def test_a_zone_this_machine_does_not_know_reads_as_utc(stored: str | None) -> None:
    moment = dt.datetime(2026, 12, 7, 3, 30, tzinfo=dt.UTC)
    assert local_time.moment_text(moment, stored) == "2026-12-07 03:30 UTC"
    assert local_time.zone_name(stored) == "UTC"
    assert local_time.zone_name(LA) == LA


def test_no_moment_is_empty_text_and_never() -> None:
    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert local_time.moment_text(None, LA) == ""
    assert local_time.moment_text("not a time", LA) == ""
    assert local_time.age_text(None, now, LA) == "never"


def test_ages_count_the_zone_s_calendar_days() -> None:
    """03:30 UTC on 7 December is the evening of the 6th in Los Angeles: at noon UTC that day
    it was "yesterday" there, "today" in UTC."""
    moment = dt.datetime(2026, 12, 7, 3, 30, tzinfo=dt.UTC)
    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert local_time.age_text(moment, now, LA) == "yesterday"
    assert local_time.age_text(moment, now, "UTC") == "today"
    assert local_time.age_days(moment, now + dt.timedelta(days=3), LA) == 4
    assert local_time.age_text(moment, now + dt.timedelta(days=90), "UTC") == "3 months ago"


def test_a_local_day_starts_at_its_own_utc_moment() -> None:
    assert local_time.day_start(dt.date(2026, 12, 6), LA) == dt.datetime(
        2026, 12, 6, 8, 0, tzinfo=dt.UTC
    )
    assert local_time.day_start(dt.date(2026, 7, 6), LA) == dt.datetime(
        2026, 7, 6, 7, 0, tzinfo=dt.UTC
    )
    assert local_time.day_start(dt.date(2026, 12, 6), "UTC") == dt.datetime(
        2026, 12, 6, tzinfo=dt.UTC
    )
