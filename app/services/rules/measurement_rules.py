"""What a measurement may be: a value inside its metric's bounds, for a period inside the plan.

A lead's typing mistake must not become the figure a council sees: 150% (or -5%) of calls
resolved on first call, or a value for January 1999 on a plan adopted in 2023, is refused with
the reason, on the page and in the API alike (both call `check_measurement`).

- Bounds come from the unit: a percentage is 0–100, counts and durations are never negative.
  A metric may say otherwise with its own `bounds` (a growth rate that may pass 100%, say):
  each side it gives replaces the unit's side.
- A period lies in the plan's reporting window: from the plan's period start (or, for a plan
  that states none, the month it was adopted; a metric's baseline date, if earlier, opens it
  sooner) to the plan's period end, and never after the current period (the current month).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from app.models import Metric, Plan
from app.models.enums import Unit
from app.services.errors import FieldProblem
from app.services.rules.value_text import format_value

# The bounds each unit implies; a unit not listed (rate, score, currency) has none.
UNIT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    Unit.percent: (0.0, 100.0),
    Unit.count: (0.0, None),
    Unit.seconds: (0.0, None),
    Unit.minutes: (0.0, None),
    Unit.hours: (0.0, None),
    Unit.days: (0.0, None),
}


class Bounds(NamedTuple):
    low: float | None
    high: float | None


def bounds_of(metric: Metric) -> Bounds:
    """The lowest and highest value a measurement of `metric` may have (None: no limit)."""
    low, high = UNIT_BOUNDS.get(metric.unit, (None, None))
    if metric.bound_min is not None:
        low = metric.bound_min
    if metric.bound_max is not None:
        high = metric.bound_max
    return Bounds(low, high)


def _bounds_words(metric: Metric, bounds: Bounds) -> str:
    own = metric.bound_min is not None or metric.bound_max is not None
    unit = metric.unit
    if bounds.low is not None and bounds.high is not None:
        span = f"between {format_value(bounds.low, unit)} and {format_value(bounds.high, unit)}"
    elif bounds.low is not None:
        span = f"{format_value(bounds.low, unit)} or more"
    else:
        span = f"{format_value(bounds.high, unit)} or less"  # type: ignore[arg-type]
    if own:
        return f"this metric's values are {span} (its bounds)"
    noun = {
        Unit.percent: "a percentage",
        Unit.count: "a count",
    }.get(unit, "a duration")  # type: ignore[call-overload]
    return f"{noun} is {span}"


def value_problem(metric: Metric, value: float, *, field: str = "value") -> FieldProblem | None:
    bounds = bounds_of(metric)
    if (bounds.low is None or value >= bounds.low) and (
        bounds.high is None or value <= bounds.high
    ):
        return None
    hint = ""
    if metric.unit == Unit.percent and bounds.high == 100 and value > 100:
        hint = "; if this metric may pass 100%, its bounds must say so"
    return FieldProblem(
        field,
        f"{format_value(value, metric.unit)} is outside the range: "
        f"{_bounds_words(metric, bounds)}{hint}",
    )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def reporting_window(plan: Plan, metric: Metric) -> tuple[dt.date | None, dt.date | None, str]:
    """(first period, last period, what the first one is): the months a measurement may be for."""
    start, why = None, ""
    if plan.period_start is not None:
        start, why = _month(plan.period_start), f"the plan's period starts {plan.period_start}"
    elif plan.adopted_on is not None:
        start, why = _month(plan.adopted_on), f"the plan was adopted {plan.adopted_on}"
    if metric.baseline_date is not None and (start is None or metric.baseline_date < start):
        start = _month(metric.baseline_date)
        why = f"this metric's baseline is for {metric.baseline_date}"
    end = _month(plan.period_end) if plan.period_end is not None else None
    return start, end, why


def period_problem(
    plan: Plan, metric: Metric, period: dt.date, *, today: dt.date, field: str = "period"
) -> FieldProblem | None:
    if _month(period) > _month(today):
        return FieldProblem(
            field,
            f"{period:%B %Y} is in the future; record a value once its period has begun "
            f"(the current period is {today:%B %Y})",
        )
    start, end, why = reporting_window(plan, metric)
    if start is not None and period < start:
        return FieldProblem(
            field, f"{period:%B %Y} is before this plan's measurements begin ({why})"
        )
    if end is not None and period > end:
        return FieldProblem(
            field,
            f"{period:%B %Y} is after the plan's period, which ends {plan.period_end}",
        )
    return None


def recordable_months(
    plan: Plan, metric: Metric, *, today: dt.date
) -> tuple[dt.date | None, dt.date]:
    """(first, newest) month a value may be recorded for: what a form offers and defaults to.

    After a plan's period has ended the newest is its last month, not the current one, so the
    form never opens on a period it would refuse.
    """
    start, end, _ = reporting_window(plan, metric)
    newest = _month(today) if end is None else min(_month(today), end)
    return start, newest


def check_measurement(
    plan: Plan, metric: Metric, *, period: dt.date, value: float, today: dt.date
) -> list[FieldProblem]:
    """Every reason this value for this period cannot be stored; empty when it can."""
    problems = [
        period_problem(plan, metric, period, today=today),
        value_problem(metric, value),
    ]
    return [p for p in problems if p is not None]


def bounds_problem(low: float | None, high: float | None) -> FieldProblem | None:
    """A metric's own bounds must leave room for a value."""
    if low is not None and high is not None and low > high:
        return FieldProblem("bounds", f"min ({low:g}) must not be above max ({high:g})")
    return None
