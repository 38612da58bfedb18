"""A metric's rule read back as one sentence, for every comparator and kind of at-risk band,
checked against the rule itself (metric_rule.judge_value) at the edges it names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.services.rules.measurement_rules import Bounds
from app.services.rules.metric_rule import judge_value
from app.services.rules.metric_rule_text import NOT_JUDGED, metric_rule_text, rule_sentence

PERCENT = Bounds(0.0, 100.0)
NON_NEGATIVE = Bounds(0.0, None)


def sentence(
    value: float | None,
    comparator: str | None,
    *,
    direction: str = "higher",
    tolerance: float | None = None,
    unit: str | None = None,
    bounds: Bounds = Bounds(None, None),
) -> str:
    return rule_sentence(
        target_value=value,
        comparator=comparator,
        direction=direction,
        tolerance=tolerance,
        unit=unit,
        bounds=bounds,
    )


def status(value: float, target: float, comparator: str, *, direction: str = "higher", **kw):
    return judge_value(
        direction=direction,
        value=value,
        target_value=target,
        comparator=comparator,
        tolerance=kw.get("tolerance"),
    ).code


class TestDefaultBandIsAShareOfTheTarget:
    def test_at_least(self) -> None:
        assert (
            sentence(75, "at_least", unit="percent", bounds=PERCENT)
            == "On track at 75% or more; at risk from 71.25%; off track below."
        )
        assert status(71.25, 75, "at_least") == "at_risk"
        assert status(71.24, 75, "at_least") == "off_track"

    def test_above(self) -> None:
        assert (
            sentence(75, "above", unit="percent", bounds=PERCENT)
            == "On track above 75%; at risk from 71.25% to 75%; off track below."
        )
        assert status(75, 75, "above") == "at_risk"

    def test_at_most(self) -> None:
        assert (
            sentence(10, "at_most", direction="lower", unit="days", bounds=NON_NEGATIVE)
            == "On track at 10 days or less; at risk up to 10.5 days; off track above."
        )
        assert status(10.5, 10, "at_most", direction="lower") == "at_risk"
        assert status(10.51, 10, "at_most", direction="lower") == "off_track"

    def test_below(self) -> None:
        assert (
            sentence(10, "below", direction="lower", unit="days")
            == "On track below 10 days; at risk from 10 days to 10.5 days; off track above."
        )

    def test_exactly_holding_steady(self) -> None:
        assert (
            sentence(50, "exactly", direction="hold", unit="score")
            == "On track at exactly 50; at risk from 47.5 to 52.5; off track outside that."
        )
        assert status(52.5, 50, "exactly", direction="hold") == "at_risk"
        assert status(52.6, 50, "exactly", direction="hold") == "off_track"

    def test_exactly_with_a_better_side_reads_as_that_side(self) -> None:
        # metric_rule: a miss on the side the direction calls better is met.
        assert (
            sentence(50, "exactly", direction="higher")
            == "On track at 50 or more; at risk from 47.5; off track below."
        )
        assert (
            sentence(50, "exactly", direction="lower")
            == "On track at 50 or less; at risk up to 52.5; off track above."
        )
        assert status(60, 50, "exactly", direction="higher") == "on_track"

    def test_a_target_of_zero_has_no_band(self) -> None:
        assert (
            sentence(0, "at_most", direction="lower", unit="count")
            == "On track at 0 or less; off track above."
        )


class TestOwnTolerance:
    def test_percent_tolerance_is_in_points(self) -> None:
        assert (
            sentence(85, "at_least", tolerance=5, unit="percent", bounds=PERCENT)
            == "On track at 85% or more; at risk from 80%; off track below."
        )
        assert status(80, 85, "at_least", tolerance=5) == "at_risk"

    def test_absolute_tolerance_in_the_unit(self) -> None:
        assert (
            sentence(10, "below", direction="lower", tolerance=2, unit="days")
            == "On track below 10 days; at risk from 10 days to 12 days; off track above."
        )

    def test_zero_tolerance(self) -> None:
        assert (
            sentence(75, "at_least", tolerance=0, unit="percent")
            == "On track at 75% or more; off track below."
        )
        assert (
            sentence(75, "above", tolerance=0, unit="percent")
            == "On track above 75%; at risk at 75%; off track below."
        )
        assert (
            sentence(10, "below", direction="lower", tolerance=0)
            == "On track below 10; at risk at 10; off track above."
        )
        assert (
            sentence(3, "exactly", direction="hold", tolerance=0)
            == "On track at exactly 3; off track otherwise."
        )
        assert status(75, 75, "above", tolerance=0) == "at_risk"


class TestBounds:
    def test_a_band_past_the_top_of_a_percentage_leaves_nothing_off_track(self) -> None:
        assert (
            sentence(98, "at_most", direction="lower", tolerance=5, unit="percent", bounds=PERCENT)
            == "On track at 98% or less; at risk above."
        )

    def test_a_band_past_zero(self) -> None:
        assert (
            sentence(2, "at_least", tolerance=5, unit="count", bounds=NON_NEGATIVE)
            == "On track at 2 or more; at risk below."
        )
        assert (
            sentence(2, "above", tolerance=2, unit="count", bounds=NON_NEGATIVE)
            == "On track above 2; at risk at 2 or below."
        )
        assert (
            sentence(1, "below", direction="lower", tolerance=2, bounds=Bounds(None, 3))
            == "On track below 1; at risk at 1 or above."
        )

    def test_exactly_clipped_on_one_side(self) -> None:
        assert (
            sentence(1, "exactly", direction="hold", tolerance=2, unit="count", bounds=NON_NEGATIVE)
            == "On track at exactly 1; at risk up to 3; off track above."
        )
        assert (
            sentence(99, "exactly", direction="hold", tolerance=2, unit="percent", bounds=PERCENT)
            == "On track at exactly 99%; at risk from 97%; off track below."
        )
        assert (
            sentence(50, "exactly", direction="hold", tolerance=60, unit="percent", bounds=PERCENT)
            == "On track at exactly 50%; at risk otherwise."
        )

    def test_a_target_at_the_bound_cannot_be_missed(self) -> None:
        assert (
            sentence(0, "at_least", unit="count", bounds=NON_NEGATIVE) == "On track at 0 or more."
        )
        assert (
            sentence(100, "at_most", direction="lower", unit="percent", bounds=PERCENT)
            == "On track at 100% or less."
        )


class TestRounding:
    def test_edges_are_written_as_people_write_values(self) -> None:
        text = sentence(33.333, "at_least", unit="percent", bounds=PERCENT)
        assert text == "On track at 33.33% or more; at risk from 31.67%; off track below."
        # 0.1 + 0.2 is 0.30000000000000004 in floating point.
        text = sentence(0.1, "at_most", direction="lower", tolerance=0.2, unit="rate")
        assert text == "On track at 0.1 or less; at risk up to 0.3; off track above."
        assert "9999" not in sentence(71.25, "at_least", tolerance=0.1)

    def test_minutes_read_as_a_clock(self) -> None:
        assert (
            sentence(4.5, "at_most", direction="lower", tolerance=0.25, unit="minutes")
            == "On track at 4:30 or less; at risk up to 4:45; off track above."
        )

    def test_thousands_are_separated(self) -> None:
        assert (
            sentence(10_000, "at_least", unit="count")
            == "On track at 10,000 or more; at risk from 9,500; off track below."
        )


def test_no_target_is_not_judged() -> None:
    assert sentence(None, None) == NOT_JUDGED == "No target set: not judged."


@dataclass
class _Metric:
    unit: str = "percent"
    direction: str = "higher"
    tolerance: float | None = None
    bound_min: float | None = None
    bound_max: float | None = None


@dataclass
class _Target:
    value: float
    comparator: str


@pytest.mark.parametrize(
    ("metric", "target", "expected"),
    [
        (_Metric(), _Target(75, "at_least"), "On track at 75% or more; at risk from 71.25%; off"),
        (_Metric(), None, "No target set"),
        # Its own bounds replace the unit's: a growth rate that may pass 100%.
        (
            _Metric(direction="lower", tolerance=5, bound_max=200),
            _Target(98, "at_most"),
            "On track at 98% or less; at risk up to 103%; off track above.",
        ),
    ],
)
def test_metric_rule_text_reads_the_metric(metric, target, expected) -> None:
    assert metric_rule_text(metric, target).startswith(expected)
