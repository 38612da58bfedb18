"""A metric's at-risk band read as a share of its target (tolerance_kind "share", a percentage
of |target|) rather than an amount in its unit: the rule, its edges and the sentence."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.services.rules.measurement_rules import Bounds
from app.services.rules.metric_rule import allowed_band, judge_value, tolerance_problem
from app.services.rules.metric_rule_text import metric_rule_text, rule_sentence


def status(value: float, target: float, comparator: str, tolerance: float, kind: str) -> str:
    return judge_value(
        direction="higher" if comparator in ("at_least", "above") else "lower",
        value=value,
        target_value=target,
        comparator=comparator,
        tolerance=tolerance,
        tolerance_kind=kind,
    ).code


def test_share_is_a_percentage_of_the_target() -> None:
    assert allowed_band(tolerance=5, tolerance_kind="share", target_value=75) == 3.75
    assert allowed_band(tolerance=5, tolerance_kind="share", target_value=-40) == 2
    assert allowed_band(tolerance=5, tolerance_kind="absolute", target_value=75) == 5
    assert allowed_band(tolerance=None, tolerance_kind="share", target_value=75) == 3.75


def test_share_band_at_least_edges() -> None:
    # 10% of 80 is 8: at risk down to 72, off track below it.
    assert status(80, 80, "at_least", 10, "share") == "on_track"
    assert status(72, 80, "at_least", 10, "share") == "at_risk"
    assert status(71.99, 80, "at_least", 10, "share") == "off_track"
    # The same number read in the unit would be 10 points: 71 would still be at risk.
    assert status(71, 80, "at_least", 10, "absolute") == "at_risk"
    assert status(71, 80, "at_least", 10, "share") == "off_track"


def test_share_band_at_most_edges() -> None:
    # 20% of 300 seconds is 60: at risk up to 360.
    assert status(360, 300, "at_most", 20, "share") == "at_risk"
    assert status(360.5, 300, "at_most", 20, "share") == "off_track"


def test_zero_share_leaves_no_band() -> None:
    assert status(79.99, 80, "at_least", 0, "share") == "off_track"


def test_sentence_reads_the_share() -> None:
    text = rule_sentence(
        target_value=75,
        comparator="at_least",
        direction="higher",
        tolerance=5,
        tolerance_kind="share",
        unit="percent",
        bounds=Bounds(0.0, 100.0),
    )
    assert text == "On track at 75% or more; at risk from 71.25%; off track below."
    absolute = rule_sentence(
        target_value=75,
        comparator="at_least",
        direction="higher",
        tolerance=5,
        unit="percent",
        bounds=Bounds(0.0, 100.0),
    )
    assert absolute == "On track at 75% or more; at risk from 70%; off track below."


@dataclass
class _Metric:
    tolerance_kind: str
    unit: str = "count"
    direction: str = "lower"
    tolerance: float | None = 10
    bound_min: float | None = None
    bound_max: float | None = None


@dataclass
class _Target:
    value: float
    comparator: str


def test_metric_rule_text_uses_the_metrics_kind() -> None:
    assert metric_rule_text(_Metric("share"), _Target(200, "at_most")).startswith(
        "On track at 200 or less; at risk up to 220; off track above."
    )
    assert metric_rule_text(_Metric("absolute"), _Target(200, "at_most")).startswith(
        "On track at 200 or less; at risk up to 210; off track above."
    )


@pytest.mark.parametrize(
    ("tolerance", "kind", "refused"),
    [
        (100, "share", False),
        (100.5, "share", True),
        (150, "absolute", False),
        (None, "share", False),
    ],
)
def test_a_share_is_at_most_100(tolerance, kind, refused) -> None:
    assert (tolerance_problem(tolerance, kind) is not None) == refused
