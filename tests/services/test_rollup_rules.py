"""The roll-up rules on their edge cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.services.rollup import (
    EffectiveStatus,
    StrategyRollupInput,
    effective_status,
    metric_status,
    rollup_group,
    strategy_progress,
    target_in_force,
)

TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


@dataclass
class Target:
    value: float
    comparator: str
    effective_from: dt.date | None = None


class TestStrategyProgress:
    def test_no_steps_uses_what_the_owner_entered(self) -> None:
        assert strategy_progress(steps_total=0, steps_done=0, entered_progress=40) == (40, "entered")

    def test_steps_decide_when_there_are_any(self) -> None:
        assert strategy_progress(steps_total=3, steps_done=1, entered_progress=90) == (33, "steps")
        assert strategy_progress(steps_total=3, steps_done=2, entered_progress=0) == (67, "steps")
        assert strategy_progress(steps_total=4, steps_done=4, entered_progress=0) == (100, "steps")
        assert strategy_progress(steps_total=2, steps_done=0, entered_progress=50) == (0, "steps")


def status(**overrides: object) -> EffectiveStatus:
    args: dict[str, object] = dict(
        status="on_track", planned_start=None, planned_end=None,
        last_update_at=NOW - dt.timedelta(days=3), cadence_days=30, today=TODAY, now=NOW,
    )
    args.update(overrides)
    return effective_status(**args)  # type: ignore[arg-type]


class TestEffectiveStatus:
    def test_owner_status_when_current(self) -> None:
        assert status().code == "on_track"
        assert status(status="at_risk").code == "at_risk"

    def test_past_planned_end_and_not_complete_is_overdue(self) -> None:
        result = status(planned_end=dt.date(2026, 3, 31))
        assert result.code == "overdue" and "2026-03-31" in result.reason

    def test_ending_today_is_not_yet_overdue(self) -> None:
        assert status(planned_end=TODAY).code == "on_track"

    def test_complete_is_never_overdue_or_stale(self) -> None:
        assert status(status="complete", planned_end=dt.date(2020, 1, 1),
                      last_update_at=NOW - dt.timedelta(days=900)).code == "complete"

    def test_no_update_within_cadence_is_stale(self) -> None:
        result = status(last_update_at=NOW - dt.timedelta(days=31))
        assert result.code == "stale" and "31 days" in result.reason
        assert status(last_update_at=NOW - dt.timedelta(days=30)).code == "on_track"
        assert status(last_update_at=NOW - dt.timedelta(days=10), cadence_days=7).code == "stale"

    def test_never_updated_is_stale_only_after_its_start(self) -> None:
        assert status(status="not_started", last_update_at=None).code == "not_started"
        assert status(status="not_started", last_update_at=None,
                      planned_start=dt.date(2026, 1, 1)).code == "stale"
        assert status(status="not_started", last_update_at=None,
                      planned_start=dt.date(2026, 6, 1)).code == "not_started"

    def test_overdue_outranks_stale(self) -> None:
        assert status(planned_end=dt.date(2025, 1, 1),
                      last_update_at=NOW - dt.timedelta(days=400)).code == "overdue"


def item(code: str, status_code: str, progress: int) -> StrategyRollupInput:
    return StrategyRollupInput(code, f"Strategy {code}", EffectiveStatus(status_code), progress)


class TestRollupGroup:
    def test_no_strategies(self) -> None:
        result = rollup_group(items=[])
        assert (result.headline, result.mean_progress, result.why) == ("no_data", None, "no strategies yet")

    def test_distribution_mean_and_worst_headline_with_why(self) -> None:
        result = rollup_group(items=[
            item("1.1", "on_track", 50), item("1.2", "overdue", 20), item("1.3", "overdue", 0),
            item("1.4", "complete", 100), item("1.5", "stale", 30),
        ], noun="recommendations")
        assert result.distribution["overdue"] == 2 and result.distribution["on_track"] == 1
        assert result.distribution["off_track"] == 0
        assert result.mean_progress == 40
        assert result.headline == "overdue" and result.headline_label == "Overdue"
        assert result.culprits == ("1.2", "1.3")
        assert result.why == "2 of 5 recommendations are overdue: 1.2, 1.3"

    def test_off_track_is_worst(self) -> None:
        result = rollup_group(items=[item("a", "overdue", 0), item("b", "off_track", 10)])
        assert result.headline == "off_track" and result.why == "1 of 2 strategies is off track: b"

    def test_all_complete(self) -> None:
        result = rollup_group(items=[item("a", "complete", 100), item("b", "complete", 100)])
        assert result.headline == "complete" and result.why == "all 2 strategies are complete"


class TestMetricStatus:
    def judge(self, value: float | None, targets: list[Target], direction: str = "higher",
              tolerance: float | None = None, period: dt.date = dt.date(2026, 5, 1)) -> str:
        return metric_status(direction=direction, targets=targets, latest_value=value,
                             latest_period=period if value is not None else None,
                             tolerance=tolerance).code

    def test_no_measurement_is_no_data(self) -> None:
        assert self.judge(None, [Target(85, "at_least")]) == "no_data"

    def test_no_target(self) -> None:
        assert self.judge(80, []) == "no_target"

    @pytest.mark.parametrize(("comparator", "expected"), [
        ("at_least", "on_track"), ("at_most", "on_track"), ("exactly", "on_track"),
        ("above", "at_risk"), ("below", "at_risk"),
    ])
    def test_target_exactly_met(self, comparator: str, expected: str) -> None:
        assert self.judge(85, [Target(85, comparator)]) == expected

    def test_higher_is_better(self) -> None:
        targets = [Target(85, "at_least")]
        assert self.judge(90, targets) == "on_track"
        assert self.judge(82, targets) == "at_risk"  # 3 off, default tolerance 5% of 85 = 4.25
        assert self.judge(80, targets) == "off_track"

    def test_lower_is_better(self) -> None:
        targets = [Target(10, "at_most")]
        assert self.judge(9.5, targets, "lower") == "on_track"
        assert self.judge(10.4, targets, "lower") == "at_risk"
        assert self.judge(12, targets, "lower") == "off_track"

    def test_tolerance_boundary(self) -> None:
        assert self.judge(83, [Target(85, "at_least")], tolerance=2) == "at_risk"
        assert self.judge(82.9, [Target(85, "at_least")], tolerance=2) == "off_track"

    def test_exact_target_in_a_direction(self) -> None:
        assert self.judge(95, [Target(90, "exactly")], "higher") == "on_track"
        assert self.judge(95, [Target(90, "exactly")], "hold") == "off_track"

    def test_revised_target_judges_each_period_by_the_target_then_in_force(self) -> None:
        targets = [Target(80, "at_least"), Target(90, "at_least", dt.date(2026, 1, 1))]
        assert self.judge(82, targets, period=dt.date(2025, 6, 1)) == "on_track"
        assert self.judge(82, targets, period=dt.date(2026, 6, 1)) == "off_track"
        assert target_in_force(targets=targets, period=dt.date(2025, 12, 31)).value == 80
        assert target_in_force(targets=targets, period=dt.date(2026, 1, 1)).value == 90

    def test_reason_says_why(self) -> None:
        reason = metric_status(direction="higher", targets=[Target(85, "at_least")],
                               latest_value=82, latest_period=dt.date(2026, 5, 1),
                               tolerance=None).reason
        assert reason == "82 against a target of at least 85: 3 off, within the tolerance of 4.25"
