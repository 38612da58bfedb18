"""The metric rule of PRODUCT.md, as pure functions on plain values: how a metric's latest
value fares against the target in force for its period.

Apart from the strategies' roll-up (services.rules.rollup) because a metric is judged against
targets that change over time, not by its owner's status; it shares only the status words.
Pure and keyword-only so every edge case is unit-tested without a database, and so a chart can
judge thousands of points (`value_status`, the code alone) without wording a reason for each.

Metric
- The latest measurement against the target in force for that measurement's period (a revised
  target keeps the one it replaced, so old periods stay judged by the target of their time).
  Met → on track; not met but within tolerance → at risk; else off track; no measurement → no
  data; a measurement but no target in force → no target. Tolerance is the metric's own if set,
  read by its kind: "absolute" in the metric's unit (points for a percentage), "share" as a
  percentage of |target| (5 means 5%); else 5% of |target| (so a target of 0 has no tolerance).
  "At least", "at most" and "exactly" are met by the target value itself; "above" and "below"
  are not. For "exactly", a miss on the side the direction calls better (higher or lower) is
  met; with direction "hold" any miss counts.

Lateness (a metric's reporting window)
- A metric with a regular frequency (not ad hoc) and a reporting window of N days owes a value
  for each period (services.rules.reporting_periods: calendar months, quarters, half-years,
  years, two-year periods, weeks) by N days after the period ends. The newest period whose due
  date has passed by today (the organisation's calendar day) must have a value: the latest
  measurement's period is on or after that period's start (a newer value also answers for it).
  If not, the metric is late: its status is stale, with the missing period, its due date and the
  latest value judged as above in the reason. Except: a latest value off track stays off track
  (the owner's alarm outranks everything), its reason adding that the next value is late.
- A plan whose period has ended owes no value after its last period (`last_day`).
- No reporting window, no frequency or an ad hoc one: never late, exactly the rule above. No
  measurement at all stays no data (nothing was ever reported, which says more than "late").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from app.models.enums import Comparator, Direction, Frequency, ToleranceKind
from app.services.rules.reporting_periods import (
    FREQUENCY_WORDS,
    Period,
    day_text,
    is_regular,
    period_of,
    period_text,
    previous_period,
)
from app.services.rules.rollup import label
from app.services.rules.value_text import format_difference, format_value

DEFAULT_TOLERANCE_SHARE = 0.05
# A share-of-target tolerance is a percentage (5 means 5% of |target|), at most the target itself.
MAX_SHARE_PERCENT = 100.0
# Stored floats are decimals entered by people: 84.99999999999999 is their 85.
_EPS = 1e-9


class TargetLike(Protocol):
    value: float
    comparator: str
    effective_from: dt.date | None


T = TypeVar("T", bound=TargetLike)


@dataclass(frozen=True)
class MetricStatus:
    code: str
    reason: str

    @property
    def label(self) -> str:
        return label(self.code)


def target_in_force(*, targets: Sequence[T], period: dt.date) -> T | None:
    """The target that judges `period`: the latest whose effective_from is on or before it.

    No effective_from means the plan's original target, in force from the beginning. On a tie
    (two undated targets) the later one in `targets` wins, as callers list them oldest first.
    """
    best: T | None = None
    for target in targets:
        start = target.effective_from or dt.date.min
        if start <= period and (best is None or start >= (best.effective_from or dt.date.min)):
            best = target
    return best


def _met(value: float, target: float, comparator: Comparator) -> bool:
    equal = math.isclose(value, target, rel_tol=_EPS, abs_tol=_EPS)
    match comparator:
        case Comparator.at_least:
            return equal or value > target
        case Comparator.at_most:
            return equal or value < target
        case Comparator.exactly:
            return equal
        case Comparator.above:
            return not equal and value > target
        case Comparator.below:
            return not equal and value < target


def allowed_band(
    *, tolerance: float | None, tolerance_kind: str | None, target_value: float
) -> float:
    """How far from the target a miss is still at risk: the tolerance read by its kind."""
    if tolerance is None:
        return abs(target_value) * DEFAULT_TOLERANCE_SHARE
    if tolerance_kind == ToleranceKind.share:
        return abs(target_value) * tolerance / 100
    return tolerance


def tolerance_problem(tolerance: float | None, tolerance_kind: str | None) -> str | None:
    """Why this tolerance cannot be read by its kind (a share above 100%), or None."""
    share = tolerance_kind == ToleranceKind.share
    if share and tolerance is not None and tolerance > MAX_SHARE_PERCENT:
        return "a share of the target is a percentage from 0 to 100"
    return None


@dataclass(frozen=True)
class LateValue:
    """The newest period whose value was due and is missing."""

    period: Period
    due: dt.date
    frequency: str
    window_days: int

    def __str__(self) -> str:
        every = FREQUENCY_WORDS[self.frequency][0]
        days = "day" if self.window_days == 1 else "days"
        name = period_text(self.period.start, self.frequency)
        if self.frequency == Frequency.weekly:
            name = f"the week of {self.period.start.isoformat()}"
        elif self.frequency == Frequency.biennial:
            name = f"{self.period.start.year}–{self.period.end.year}"
        return (
            f"no value for {name}, due "
            f"{day_text(self.due)} ({every}, within {self.window_days} {days})"
        )


@dataclass(frozen=True)
class Reporting:
    """When a metric's values are due: its frequency and reporting window, judged on `today`;
    `last_day` is the plan's period end (no value is owed for a period after it)."""

    frequency: str | None
    window_days: int | None
    today: dt.date  # the organisation's day (services.reading.zones.organization_today)
    last_day: dt.date | None = None

    @property
    def judged(self) -> bool:
        """Whether lateness applies at all: a window and a regular frequency."""
        return self.window_days is not None and is_regular(self.frequency)

    def late(self, latest_period: dt.date | None) -> LateValue | None:
        """The newest period whose due date (its end + the window) has passed, when the latest
        value (`latest_period`) is older than that period; else None (not late)."""
        if not self.judged or latest_period is None:
            return None
        assert self.frequency is not None and self.window_days is not None
        today = self.today
        newest = today if self.last_day is None else min(today, self.last_day)
        period = period_of(newest, self.frequency)
        window = dt.timedelta(days=self.window_days)
        while period.end + window >= today:  # not yet due: the one before
            period = previous_period(period, self.frequency)
        if latest_period >= period.start:
            return None
        return LateValue(period, period.end + window, self.frequency, self.window_days)


def reporting_of(metric: Any, *, today: dt.date, last_day: dt.date | None = None) -> Reporting:
    """The `Reporting` of a metric (a Metric or any row with `frequency` and
    `reporting_window_days`), on `today` (the organisation's day)."""
    return Reporting(
        frequency=metric.frequency,
        window_days=metric.reporting_window_days,
        today=today,
        last_day=last_day,
    )


@dataclass(frozen=True)
class MetricVerdict:
    """How one value fares against one target: the metric rule, without its words.

    `how` says which branch of the rule decided: "met", "better" (an "exactly" target missed on
    the side the direction calls better), "within" or "beyond" the tolerance `allowed`.
    """

    code: str
    how: str
    gap: float
    allowed: float


def judge_value(
    *,
    direction: str,
    value: float,
    target_value: float,
    comparator: str,
    tolerance: float | None,
    tolerance_kind: str | None = ToleranceKind.absolute,
) -> MetricVerdict:
    """The metric rule on plain values (rules in the module docstring): the one place it lives.

    `metric_status` words its verdict; `value_status` returns only the code, for pages that
    judge every measurement of a series (thousands of points) and show the reason for none.
    """
    comparing = Comparator(comparator)
    allowed = allowed_band(
        tolerance=tolerance, tolerance_kind=tolerance_kind, target_value=target_value
    )
    gap = abs(value - target_value)
    if _met(value, target_value, comparing):
        return MetricVerdict("on_track", "met", gap, allowed)
    if comparing == Comparator.exactly and Direction(direction) != Direction.hold:
        better = value > target_value
        if better == (Direction(direction) == Direction.higher):
            return MetricVerdict("on_track", "better", gap, allowed)
    if gap <= allowed or math.isclose(gap, allowed, rel_tol=_EPS, abs_tol=_EPS):
        return MetricVerdict("at_risk", "within", gap, allowed)
    return MetricVerdict("off_track", "beyond", gap, allowed)


def value_status(
    *,
    direction: str,
    targets: Sequence[TargetLike],
    value: float | None,
    period: dt.date | None,
    tolerance: float | None,
    tolerance_kind: str | None = ToleranceKind.absolute,
    reporting: Reporting | None = None,
) -> str:
    """The status code `metric_status` would give this value for this period, without building
    its reason: "no_data", "no_target", "on_track", "at_risk", "off_track" or "stale".

    `reporting`: the metric's frequency and window, to judge lateness; None judges the value
    alone (a point of a series, judged for its own period)."""
    if value is None or period is None:
        return "no_data"
    _, verdict = _judged(
        direction=direction,
        targets=targets,
        value=value,
        period=period,
        tolerance=tolerance,
        tolerance_kind=tolerance_kind,
    )
    code = verdict.code if verdict is not None else "no_target"
    if code != "off_track" and reporting is not None and reporting.late(period) is not None:
        return "stale"
    return code


def _judged(
    *,
    direction: str,
    targets: Sequence[TargetLike],
    value: float,
    period: dt.date,
    tolerance: float | None,
    tolerance_kind: str | None,
) -> tuple[TargetLike | None, MetricVerdict | None]:
    """The target in force for `period` and the value's verdict against it (None, None when no
    target is in force): the one judging both `value_status` and `metric_status` word."""
    target = target_in_force(targets=targets, period=period)
    if target is None:
        return None, None
    verdict = judge_value(
        direction=direction,
        value=value,
        target_value=target.value,
        comparator=target.comparator,
        tolerance=tolerance,
        tolerance_kind=tolerance_kind,
    )
    return target, verdict


def metric_status(
    *,
    direction: str,
    targets: Sequence[TargetLike],
    latest_value: float | None,
    latest_period: dt.date | None,
    tolerance: float | None,
    unit: str | None = None,
    tolerance_kind: str | None = ToleranceKind.absolute,
    reporting: Reporting | None = None,
) -> MetricStatus:
    """Latest measurement against the target then in force, and whether the next value is
    late (rules in the module docstring). `reporting` as for `value_status`.

    `unit` (app.models.enums.Unit) only decorates the reason: "82% against … 85%".
    """
    if latest_value is None or latest_period is None:
        return MetricStatus("no_data", "no measurement yet")
    late = reporting.late(latest_period) if reporting is not None else None
    status = _value_judged(
        direction=direction,
        targets=targets,
        latest_value=latest_value,
        latest_period=latest_period,
        tolerance=tolerance,
        unit=unit,
        tolerance_kind=tolerance_kind,
        period_words=reporting.frequency if late is not None else None,
    )
    if late is None or reporting is None:
        return status
    if status.code == "off_track":
        return MetricStatus("off_track", f"{status.reason}; and the next value is late: {late}")
    return MetricStatus("stale", f"{late}; latest: {status.reason}")


def _value_judged(
    *,
    direction: str,
    targets: Sequence[TargetLike],
    latest_value: float,
    latest_period: dt.date,
    tolerance: float | None,
    unit: str | None,
    tolerance_kind: str | None,
    period_words: str | None,
) -> MetricStatus:
    """The latest value judged and worded; `period_words` (its frequency) names its period in
    the reason ("82% for September 2026 against …"), as a late metric's reason does."""
    value = format_value(latest_value, unit)
    if period_words is not None:
        value = f"{value} for {period_text(latest_period, period_words)}"
    target, verdict = _judged(
        direction=direction,
        targets=targets,
        value=latest_value,
        period=latest_period,
        tolerance=tolerance,
        tolerance_kind=tolerance_kind,
    )
    if target is None or verdict is None:
        when = "" if period_words is not None else f" for {latest_period}"
        return MetricStatus("no_target", f"{value}{when}; no target in force for that period")
    comparing = Comparator(target.comparator).value.replace("_", " ")
    against = f"{value} against a target of {comparing} {format_value(target.value, unit)}"
    if verdict.how == "met":
        return MetricStatus(verdict.code, f"{against}: met")
    if verdict.how == "better":
        return MetricStatus(verdict.code, f"{against}: better than target")
    side = "above" if latest_value > target.value else "below"
    miss = f"{against}: {format_difference(verdict.gap, unit)} {side}"
    tolerance_text = format_difference(verdict.allowed, unit)
    if verdict.how == "within":
        return MetricStatus(verdict.code, f"{miss}, within the tolerance of {tolerance_text}")
    return MetricStatus(verdict.code, f"{miss}, beyond the tolerance of {tolerance_text}")
