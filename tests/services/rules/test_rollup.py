"""The roll-up rules a reader relies on: what each page shows as progress and status, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.services.rules.metric_rule import MetricStatus, metric_status, target_in_force
from app.services.rules.rollup import (
    SEVERITY,
    WHY_LIST_LIMIT,
    EffectiveStatus,
    StrategyRollupInput,
    effective_status,
    rollup_group,
    strategy_progress,
)

TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


# --- Strategy progress ------------------------------------------------------------------------


class TestStrategyProgress:
    def test_without_steps_the_owners_figure_is_shown(self) -> None:
        result = strategy_progress(steps_total=0, steps_done=0, entered_progress=40)
        assert result == (40, "entered")

    def test_steps_override_what_the_owner_entered(self) -> None:
        assert strategy_progress(steps_total=2, steps_done=0, entered_progress=80) == (0, "steps")

    def test_all_steps_done_is_100(self) -> None:
        assert strategy_progress(steps_total=7, steps_done=7, entered_progress=0) == (100, "steps")

    @pytest.mark.parametrize(
        ("done", "total", "shown"),
        [(1, 3, 33), (2, 3, 67), (1, 2, 50), (1, 8, 13), (3, 8, 38)],
    )
    def test_some_steps_done_rounds_half_up(self, done: int, total: int, shown: int) -> None:
        assert strategy_progress(steps_total=total, steps_done=done, entered_progress=0) == (
            shown,
            "steps",
        )

    def test_100_only_when_every_step_is_done(self) -> None:
        assert strategy_progress(steps_total=200, steps_done=199, entered_progress=0)[0] == 99

    def test_any_step_done_shows_some_progress(self) -> None:
        assert strategy_progress(steps_total=300, steps_done=1, entered_progress=0)[0] == 1

    def test_more_steps_done_than_exist_is_refused(self) -> None:
        with pytest.raises(ValueError, match="outside"):
            strategy_progress(steps_total=2, steps_done=3, entered_progress=0)


# --- Effective status -------------------------------------------------------------------------


def status(**overrides: object) -> EffectiveStatus:
    args: dict[str, object] = dict(
        status="on_track",
        planned_start=None,
        planned_end=None,
        last_update_at=NOW - dt.timedelta(days=3),
        cadence_days=30,
        today=TODAY,
        now=NOW,
    )
    args.update(overrides)
    return effective_status(**args)  # type: ignore[arg-type]


class TestEffectiveStatus:
    @pytest.mark.parametrize(
        "owner", ["not_started", "on_track", "at_risk", "off_track", "on_hold"]
    )
    def test_the_owners_status_when_current_and_on_time(self, owner: str) -> None:
        result = status(status=owner)
        assert (result.code, result.reason) == (owner, "as reported by its owner")

    def test_label_is_human_text(self) -> None:
        assert status().label == "On track"
        assert status(planned_end=dt.date(2026, 1, 1)).label == "Overdue"

    def test_past_planned_end_and_not_complete_is_overdue_with_the_date(self) -> None:
        result = status(planned_end=dt.date(2019, 12, 31))
        assert result.code == "overdue"
        assert result.reason == (
            "planned end 2019-12-31 passed and not complete (owner's status: On track)"
        )

    def test_ending_today_is_not_yet_overdue(self) -> None:
        assert status(planned_end=TODAY).code == "on_track"
        assert status(planned_end=TODAY - dt.timedelta(days=1)).code == "overdue"

    def test_on_hold_past_its_end_is_still_overdue(self) -> None:
        assert status(status="on_hold", planned_end=dt.date(2026, 1, 1)).code == "overdue"

    def test_complete_is_never_overdue_or_stale(self) -> None:
        result = status(
            status="complete",
            planned_end=dt.date(2020, 1, 1),
            last_update_at=NOW - dt.timedelta(days=900),
        )
        assert result.code == "complete"
        assert (
            status(status="complete", last_update_at=None, planned_start=dt.date(2020, 1, 1)).code
            == "complete"
        )

    def test_no_update_within_cadence_is_stale_with_its_age(self) -> None:
        result = status(status="at_risk", last_update_at=NOW - dt.timedelta(days=45))
        assert result.code == "stale"
        assert result.reason == "no update in 45 days (cadence 30 days) (owner's status: At risk)"

    def test_cadence_boundary_counts_whole_days(self) -> None:
        assert status(last_update_at=NOW - dt.timedelta(days=30)).code == "on_track"
        assert status(last_update_at=NOW - dt.timedelta(days=30, hours=23)).code == "on_track"
        assert status(last_update_at=NOW - dt.timedelta(days=31)).code == "stale"

    def test_each_strategy_has_its_own_cadence(self) -> None:
        assert status(last_update_at=NOW - dt.timedelta(days=10), cadence_days=7).code == "stale"
        quarterly = status(last_update_at=NOW - dt.timedelta(days=60), cadence_days=90)
        assert quarterly.code == "on_track"

    def test_naive_timestamps_from_sqlite_are_utc(self) -> None:
        naive = (NOW - dt.timedelta(days=31)).replace(tzinfo=None)
        assert status(last_update_at=naive).code == "stale"

    def test_never_updated_without_a_planned_start_keeps_the_owners_status(self) -> None:
        assert status(status="not_started", last_update_at=None).code == "not_started"

    def test_never_updated_is_stale_a_cadence_after_its_planned_start(self) -> None:
        start = TODAY - dt.timedelta(days=30)
        assert status(status="not_started", last_update_at=None, planned_start=start).code == (
            "not_started"
        )
        result = status(
            status="not_started", last_update_at=None, planned_start=TODAY - dt.timedelta(days=31)
        )
        assert result.code == "stale"
        assert "never updated" in result.reason and "2026-05-15" in result.reason

    def test_future_start_never_updated_is_not_stale(self) -> None:
        assert (
            status(
                status="not_started", last_update_at=None, planned_start=dt.date(2027, 1, 1)
            ).code
            == "not_started"
        )

    def test_overdue_outranks_stale(self) -> None:
        assert (
            status(
                planned_end=dt.date(2025, 1, 1), last_update_at=NOW - dt.timedelta(days=400)
            ).code
            == "overdue"
        )


# --- Group roll-up ----------------------------------------------------------------------------


def item(code: str, status_code: str, progress: int = 0, title: str = "") -> StrategyRollupInput:
    return StrategyRollupInput(
        code, title or f"Strategy {code}", EffectiveStatus(status_code), progress
    )


class TestSeverity:
    def test_order_is_the_documented_one(self) -> None:
        assert SEVERITY == (
            "off_track",
            "overdue",
            "at_risk",
            "stale",
            "on_hold",
            "not_started",
            "on_track",
            "complete",
        )

    @pytest.mark.parametrize(("worse", "better"), list(zip(SEVERITY, SEVERITY[1:], strict=False)))
    def test_the_worse_status_is_the_headline(self, worse: str, better: str) -> None:
        assert rollup_group(items=[item("a", better), item("b", worse)]).headline == worse


class TestRollupGroup:
    def test_no_strategies_is_no_data(self) -> None:
        result = rollup_group(items=[])
        assert (result.headline, result.headline_label) == ("no_data", "No data")
        assert (result.mean_progress, result.why, result.total) == (None, "no strategies yet", 0)
        assert result.distribution == {code: 0 for code in SEVERITY}

    def test_no_strategies_uses_the_plans_word(self) -> None:
        assert rollup_group(items=[], noun="initiatives").why == "no initiatives yet"

    def test_distribution_has_every_status_in_severity_order(self) -> None:
        result = rollup_group(
            items=[
                item("1.1", "on_track"),
                item("1.2", "overdue"),
                item("1.3", "overdue"),
                item("1.4", "complete"),
                item("1.5", "stale"),
            ]
        )
        assert list(result.distribution) == list(SEVERITY)
        assert result.distribution == {
            "off_track": 0,
            "overdue": 2,
            "at_risk": 0,
            "stale": 1,
            "on_hold": 0,
            "not_started": 0,
            "on_track": 1,
            "complete": 1,
        }
        assert sum(result.distribution.values()) == result.total == 5

    def test_mean_progress_rounds_half_up(self) -> None:
        assert (
            rollup_group(items=[item("a", "on_track", 0), item("b", "on_track", 25)]).mean_progress
            == 13
        )
        assert (
            rollup_group(
                items=[
                    item("a", "on_track", 10),
                    item("b", "on_track", 20),
                    item("c", "on_track", 20),
                ]
            ).mean_progress
            == 17
        )

    def test_headline_why_lists_every_tied_strategy_in_plan_order(self) -> None:
        result = rollup_group(
            noun="recommendations",
            items=[
                item("1.1", "overdue", title="Single phone number"),
                item("1.2", "on_track"),
                item("2.3", "overdue", title="CRM"),
                item("3.1", "stale"),
                item("4.1", "overdue", title="Website"),
            ],
        )
        assert result.headline == "overdue"
        assert result.culprits == ("1.1", "2.3", "4.1")
        assert result.culprit_titles == ("Single phone number", "CRM", "Website")
        assert result.why == "3 of 5 recommendations are overdue: 1.1, 2.3, 4.1"

    def test_single_culprit_reads_as_singular(self) -> None:
        result = rollup_group(items=[item("a", "overdue"), item("b", "off_track")])
        assert result.why == "1 of 2 strategies is off track: b"

    def test_all_complete(self) -> None:
        result = rollup_group(items=[item("a", "complete", 100), item("b", "complete", 100)])
        assert (result.headline, result.mean_progress) == ("complete", 100)
        assert result.why == "all 2 strategies are complete"

    def test_long_why_names_the_first_few_and_counts_the_rest(self) -> None:
        items = [item(str(n), "at_risk") for n in range(WHY_LIST_LIMIT + 3)]
        result = rollup_group(items=items)
        assert len(result.culprits) == WHY_LIST_LIMIT + 3
        assert result.why.endswith(f"{WHY_LIST_LIMIT - 1} and 3 more")

    def test_a_strategy_without_code_is_named_by_title(self) -> None:
        assert rollup_group(items=[item("", "at_risk", title="Fix the IVR")]).culprits == (
            "Fix the IVR",
        )

    def test_unknown_status_is_a_bug_not_a_silent_miscount(self) -> None:
        with pytest.raises(ValueError, match="in_progress"):
            rollup_group(items=[item("a", "in_progress")])


# --- Metric status ----------------------------------------------------------------------------


@dataclass
class Target:
    value: float
    comparator: str
    effective_from: dt.date | None = None


MAY = dt.date(2026, 5, 1)


def judge(
    value: float | None,
    targets: list[Target],
    direction: str = "higher",
    tolerance: float | None = None,
    period: dt.date = MAY,
    unit: str | None = None,
) -> MetricStatus:
    return metric_status(
        direction=direction,
        targets=targets,
        latest_value=value,
        latest_period=period if value is not None else None,
        tolerance=tolerance,
        unit=unit,
    )


class TestMetricStatus:
    def test_no_measurement_is_no_data(self) -> None:
        result = judge(None, [Target(85, "at_least")])
        assert (result.code, result.label, result.reason) == (
            "no_data",
            "No data",
            "no measurement yet",
        )

    def test_measurement_without_a_target_is_no_target(self) -> None:
        assert judge(80, []).code == "no_target"

    def test_no_target_yet_in_force_for_that_period(self) -> None:
        result = judge(80, [Target(85, "at_least", dt.date(2026, 7, 1))])
        assert result.code == "no_target" and "2026-05-01" in result.reason

    def test_higher_is_better(self) -> None:
        targets = [Target(85, "at_least")]
        assert judge(90, targets).code == "on_track"
        assert judge(82, targets).code == "at_risk"  # 3 below; 5% of 85 is 4.25
        assert judge(80, targets).code == "off_track"

    def test_lower_is_better(self) -> None:
        targets = [Target(10, "at_most")]
        assert judge(9.5, targets, "lower").code == "on_track"
        assert judge(10.4, targets, "lower").code == "at_risk"  # 5% of 10 is 0.5
        assert judge(12, targets, "lower").code == "off_track"

    @pytest.mark.parametrize(
        ("comparator", "expected"),
        [
            ("at_least", "on_track"),
            ("at_most", "on_track"),
            ("exactly", "on_track"),
            ("above", "at_risk"),
            ("below", "at_risk"),
        ],
    )
    def test_target_value_itself(self, comparator: str, expected: str) -> None:
        assert judge(85, [Target(85, comparator)]).code == expected

    def test_above_and_below_met_when_strictly_beyond(self) -> None:
        assert judge(85.1, [Target(85, "above")]).code == "on_track"
        assert judge(84.9, [Target(85, "below")], "lower").code == "on_track"

    def test_float_noise_does_not_miss_a_met_target(self) -> None:
        assert judge(0.1 + 0.2, [Target(0.3, "at_least")]).code == "on_track"
        assert judge(0.1 + 0.2, [Target(0.3, "below")], "lower").code == "at_risk"

    def test_tolerance_boundary_is_inclusive(self) -> None:
        assert judge(83, [Target(85, "at_least")], tolerance=2).code == "at_risk"
        assert judge(82.9, [Target(85, "at_least")], tolerance=2).code == "off_track"

    def test_default_tolerance_is_five_percent_of_the_target(self) -> None:
        assert judge(80.75, [Target(85, "at_least")]).code == "at_risk"
        assert judge(80.74, [Target(85, "at_least")]).code == "off_track"

    def test_zero_tolerance_makes_any_miss_off_track(self) -> None:
        assert judge(84.9, [Target(85, "at_least")], tolerance=0).code == "off_track"

    def test_zero_target_has_no_default_tolerance(self) -> None:
        assert judge(1, [Target(0, "at_most")], "lower").code == "off_track"

    @pytest.mark.parametrize(
        ("direction", "value", "expected"),
        [
            ("higher", 95, "on_track"),
            ("higher", 88, "at_risk"),
            ("higher", 80, "off_track"),
            ("lower", 85, "on_track"),
            ("lower", 92, "at_risk"),
            ("lower", 100, "off_track"),
            ("hold", 92, "at_risk"),
            ("hold", 88, "at_risk"),
            ("hold", 95, "off_track"),
            ("hold", 85, "off_track"),
        ],
    )
    def test_exactly_is_judged_on_the_side_its_direction_makes_bad(
        self, direction: str, value: float, expected: str
    ) -> None:
        assert judge(value, [Target(90, "exactly")], direction).code == expected  # tolerance 4.5

    def test_revised_target_judges_each_period_by_the_target_then_in_force(self) -> None:
        targets = [Target(80, "at_least"), Target(90, "at_least", dt.date(2026, 1, 1))]
        assert judge(82, targets, period=dt.date(2025, 12, 1)).code == "on_track"
        assert judge(82, targets, period=dt.date(2026, 1, 1)).code == "off_track"

    def test_target_in_force(self) -> None:
        original = Target(80, "at_least")
        revised = Target(90, "at_least", dt.date(2026, 1, 1))
        later = Target(95, "at_least", dt.date(2027, 1, 1))
        targets = [later, original, revised]  # order given must not matter
        assert target_in_force(targets=targets, period=dt.date(2025, 12, 31)) is original
        assert target_in_force(targets=targets, period=dt.date(2026, 1, 1)) is revised
        assert target_in_force(targets=targets, period=dt.date(2030, 1, 1)) is later
        assert target_in_force(targets=[], period=MAY) is None
        assert target_in_force(targets=[revised], period=dt.date(2025, 1, 1)) is None

    def test_two_undated_targets_the_later_listed_wins(self) -> None:
        first, second = Target(80, "at_least"), Target(85, "at_least")
        assert target_in_force(targets=[first, second], period=MAY) is second

    def test_reason_states_value_target_gap_and_tolerance(self) -> None:
        assert judge(82, [Target(85, "at_least")], unit="percent").reason == (
            "82% against a target of at least 85%: 3 points below,"
            " within the tolerance of 4.25 points"
        )
        assert judge(12, [Target(10, "at_most")], "lower", unit="minutes").reason == (
            "12 minutes against a target of at most 10 minutes: 2 minutes above,"
            " beyond the tolerance of 0:30"
        )
        assert judge(91, [Target(90, "at_least")]).reason == (
            "91 against a target of at least 90: met"
        )

    def test_reason_numbers_read_like_people_write_them(self) -> None:
        reason = judge(1234567.891, [Target(1000000, "at_least")], unit="currency").reason
        assert reason.startswith("1,234,567.89 against a target of at least 1,000,000")
        assert judge(0.004, [Target(0.002, "at_most")], "lower").reason.startswith("0.004 ")
