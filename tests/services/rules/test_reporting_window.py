"""A metric's reporting window (services.rules.metric_rule.Reporting): when the newest value due
by its window is missing, the metric is late and shows as stale, unless its latest value is off
track; without a window or a regular frequency nothing changes. And the sentence that reads the
window back."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest

from app.services.rules import clock
from app.services.rules.local_time import local_today
from app.services.rules.metric_rule import Reporting, metric_status, value_status
from app.services.rules.metric_rule_text import metric_rule_text, reporting_sentence


class Target(NamedTuple):
    value: float
    comparator: str
    effective_from: dt.date | None = None


AT_LEAST_85 = [Target(85, "at_least")]
DEC_7 = dt.date(2026, 12, 7)


def judge(value: float | None, period: dt.date | None, reporting: Reporting | None):
    status = metric_status(
        direction="higher",
        targets=AT_LEAST_85,
        latest_value=value,
        latest_period=period,
        tolerance=None,
        unit="percent",
        reporting=reporting,
    )
    # The code-only judgement (scorecard counts, review) always agrees with the worded one.
    assert status.code == value_status(
        direction="higher",
        targets=AT_LEAST_85,
        value=value,
        period=period,
        tolerance=None,
        reporting=reporting,
    )
    return status


def monthly(today: dt.date, window: int | None = 30, **extra: object) -> Reporting:
    return Reporting("monthly", window, today, **extra)  # type: ignore[arg-type]


class TestMonthly:
    def test_due_date_passed_without_a_value_is_stale_with_the_reason(self) -> None:
        # October's value was due 30 November; on 7 December only September's is in.
        status = judge(82, dt.date(2026, 9, 1), monthly(DEC_7))
        assert status.code == "stale"
        assert status.reason == (
            "no value for October 2026, due 30 November 2026 (monthly, within 30 days); "
            "latest: 82% for September 2026 against a target of at least 85%: 3 points below, "
            "within the tolerance of 4.25 points"
        )

    def test_on_the_due_date_itself_it_is_not_late_yet(self) -> None:
        status = judge(82, dt.date(2026, 9, 1), monthly(dt.date(2026, 10, 31)))
        assert status.code == "at_risk"
        assert judge(82, dt.date(2026, 9, 1), monthly(dt.date(2026, 11, 1))).code == "at_risk"
        # September was due 30 October; August's value alone is late from the 31st.
        assert judge(90, dt.date(2026, 8, 1), monthly(dt.date(2026, 10, 30))).code == "on_track"
        assert judge(90, dt.date(2026, 8, 1), monthly(dt.date(2026, 10, 31))).code == "stale"

    def test_a_value_in_time_keeps_the_status_and_reason_of_today(self) -> None:
        status = judge(90, dt.date(2026, 10, 1), monthly(DEC_7))
        assert status.code == "on_track"
        assert status.reason == "90% against a target of at least 85%: met"

    def test_a_newer_value_answers_for_the_period_due(self) -> None:
        # November's value came in early; October's is missing, but the figure is current.
        assert judge(90, dt.date(2026, 11, 1), monthly(DEC_7)).code == "on_track"

    def test_off_track_stays_off_track_and_says_the_next_value_is_late(self) -> None:
        status = judge(50, dt.date(2026, 9, 1), monthly(DEC_7))
        assert status.code == "off_track"
        assert status.reason == (
            "50% for September 2026 against a target of at least 85%: 35 points below, "
            "beyond the tolerance of 4.25 points; and the next value is late: no value for "
            "October 2026, due 30 November 2026 (monthly, within 30 days)"
        )

    def test_a_window_of_zero_days_is_due_at_the_periods_end(self) -> None:
        assert judge(90, dt.date(2026, 10, 1), monthly(dt.date(2026, 11, 30), 0)).code == (
            "on_track"
        )
        assert judge(90, dt.date(2026, 10, 1), monthly(dt.date(2026, 12, 1), 0)).code == "stale"

    def test_no_measurement_at_all_stays_no_data(self) -> None:
        assert judge(None, None, monthly(DEC_7)).code == "no_data"

    def test_a_late_value_without_a_target_in_force_is_stale(self) -> None:
        status = metric_status(
            direction="higher",
            targets=[],
            latest_value=82,
            latest_period=dt.date(2026, 9, 1),
            tolerance=None,
            unit="percent",
            reporting=monthly(DEC_7),
        )
        assert status.code == "stale"
        assert status.reason.endswith(
            "latest: 82% for September 2026; no target in force for that period"
        )

    def test_no_value_is_owed_after_the_plans_period_ends(self) -> None:
        ended = monthly(DEC_7, last_day=dt.date(2026, 6, 30))
        assert judge(90, dt.date(2026, 6, 1), ended).code == "on_track"
        # The plan's last month is still owed.
        assert judge(90, dt.date(2026, 5, 1), ended).code == "stale"


class TestNotJudged:
    @pytest.mark.parametrize(
        "reporting",
        [
            None,
            Reporting("monthly", None, DEC_7),  # no window: exactly as before
            Reporting(None, 30, DEC_7),  # no frequency
            Reporting("ad_hoc", 30, DEC_7),  # no regular period
        ],
    )
    def test_never_late(self, reporting: Reporting | None) -> None:
        status = judge(82, dt.date(2020, 1, 1), reporting)
        assert status.code == "at_risk"
        assert status.reason == (
            "82% against a target of at least 85%: 3 points below, within the tolerance of "
            "4.25 points"
        )


class TestOtherFrequencies:
    def test_quarterly_within_45_days(self) -> None:
        # Q3 (July–September) ends 30 September: due 14 November.
        q2 = dt.date(2026, 4, 1)
        assert judge(90, q2, Reporting("quarterly", 45, dt.date(2026, 11, 14))).code == ("on_track")
        status = judge(90, q2, Reporting("quarterly", 45, dt.date(2026, 11, 15)))
        assert status.code == "stale"
        assert status.reason.startswith(
            "no value for 2026 Q3, due 14 November 2026 (quarterly, within 45 days); "
            "latest: 90% for 2026 Q2 against"
        )
        # A value stored against any month of Q3 answers for it.
        assert judge(90, dt.date(2026, 8, 1), Reporting("quarterly", 45, DEC_7)).code == (
            "on_track"
        )

    def test_yearly_weekly_and_two_yearly(self) -> None:
        yearly = judge(90, dt.date(2024, 1, 1), Reporting("annual", 90, dt.date(2026, 4, 1)))
        assert yearly.reason.startswith("no value for 2025, due 31 March 2026 (yearly")
        weekly = judge(90, dt.date(2026, 11, 16), Reporting("weekly", 3, DEC_7))
        # Week of Monday 23 November ends Sunday the 29th: due 2 December.
        assert weekly.reason.startswith(
            "no value for the week of 2026-11-23, due 2 December 2026 (weekly, within 3 days)"
        )
        two = judge(90, dt.date(2022, 1, 1), Reporting("biennial", 60, DEC_7))
        assert two.reason.startswith("no value for 2024–2025, due 1 March 2026")


def test_today_is_the_organisation_s_day_on_the_apps_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # 03:00 UTC on 31 October is still 30 October (20:00 PDT) in Los Angeles: September's value,
    # due 30 October, is late in UTC and not yet in Los Angeles.
    monkeypatch.setattr(clock, "clock", lambda: dt.datetime(2026, 10, 31, 3, tzinfo=dt.UTC))
    utc = Reporting("monthly", 30, local_today("UTC"))
    assert judge(90, dt.date(2026, 8, 1), utc).code == "stale"
    la = Reporting("monthly", 30, local_today("America/Los_Angeles"))
    assert judge(90, dt.date(2026, 8, 1), la).code == "on_track"


class TestSentence:
    def test_the_window_read_back(self) -> None:
        assert reporting_sentence("monthly", 30) == (
            "Reported monthly, due within 30 days of each month's end; stale when a value is late."
        )
        assert reporting_sentence("quarterly", 1) == (
            "Reported quarterly, due within 1 day of each quarter's end; stale when a value is "
            "late."
        )
        assert reporting_sentence("annual", 0).startswith("Reported yearly, due by each year's end")

    def test_nothing_without_a_window_and_a_warning_without_a_frequency(self) -> None:
        assert reporting_sentence("monthly", None) == ""
        assert "no value is ever late" in reporting_sentence("ad_hoc", 30)
        assert "no value is ever late" in reporting_sentence(None, 30)

    def test_follows_the_rule_sentence_of_a_metric(self) -> None:
        class M(NamedTuple):
            unit: str = "percent"
            direction: str = "higher"
            tolerance: float | None = None
            bound_min: float | None = None
            bound_max: float | None = None
            tolerance_kind: str = "absolute"
            frequency: str | None = "monthly"
            reporting_window_days: int | None = 30

        assert metric_rule_text(M(), Target(75, "at_least")) == (
            "On track at 75% or more; at risk from 71.25%; off track below. "
            "Reported monthly, due within 30 days of each month's end; stale when a value is "
            "late."
        )
        assert metric_rule_text(M(reporting_window_days=None), Target(75, "at_least")) == (
            "On track at 75% or more; at risk from 71.25%; off track below."
        )
