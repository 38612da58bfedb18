"""The roll-up rules of PRODUCT.md, as pure functions on plain values.

Pure and keyword-only so every edge case is unit-tested without a database, and so a page can roll
up hundreds of strategies loaded in a few bulk queries (see app.services.plan_tree), never a query
per row. Every result carries a human reason, because the page shows why, not just what.

Strategy
- Progress is counted as the strategy says (`progress_counting`): by its workplan steps (done /
  total, sub-steps included by the caller) or as its owner entered it by hand. Counted by steps
  with no live step left, the entered figure stands. Rounded half up, except that 100% means
  every step is done and 0% means none is: 199 of 200 shows 99%, 1 of 300 shows 1%.
- Status is the owner's, except: complete is always complete; past its planned end (the day after
  it) and not complete → overdue; no update within its cadence → stale. Overdue outranks stale
  (a missed date is the bigger news). A strategy never updated is stale only once a full cadence
  has passed since its planned start: imported work that has not begun is not late news, and one
  with no planned start cannot be judged late. Age is counted in whole days elapsed.

Group (focus area, plan)
- The distribution of its strategies' effective statuses (every code, in SEVERITY order), their
  mean progress, and the worst status as headline, with the strategies that made it so.

Metric
- The latest measurement against the target in force for that measurement's period (a revised
  target keeps the one it replaced, so old periods stay judged by the target of their time).
  Met → on track; not met but within tolerance → at risk; else off track; no measurement → no
  data; a measurement but no target in force → no target. Tolerance is the metric's own if set,
  else 5% of |target| (so a target of 0 has no tolerance). "At least", "at most" and "exactly" are
  met by the target value itself; "above" and "below" are not. For "exactly", a miss on the side
  the direction calls better (higher or lower) is met; with direction "hold" any miss counts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from app.models.enums import Comparator, Direction, ProgressCounting, StrategyStatus

# Worst first. Off track is the owner's own alarm, so it outranks everything; overdue is a missed
# commitment the owner has not (yet) called; at risk is a warning; stale means we do not know, which
# is worse than a deliberate pause (on hold) or work not yet begun; on track and complete are good.
SEVERITY: tuple[str, ...] = (
    "off_track",
    "overdue",
    "at_risk",
    "stale",
    "on_hold",
    "not_started",
    "on_track",
    "complete",
)
SEVERITY_RANK: dict[str, int] = {code: rank for rank, code in enumerate(SEVERITY)}
LABELS: dict[str, str] = {
    "off_track": "Off track",
    "overdue": "Overdue",
    "at_risk": "At risk",
    "stale": "Stale",
    "on_hold": "On hold",
    "not_started": "Not started",
    "on_track": "On track",
    "complete": "Complete",
    "no_data": "No data",
    "no_target": "No target",
}
DEFAULT_TOLERANCE_SHARE = 0.05
# A "why" names at most this many strategies, so a big plan's headline stays one readable line.
WHY_LIST_LIMIT = 10
# Stored floats are decimals entered by people: 84.99999999999999 is their 85.
_EPS = 1e-9


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True)
class EffectiveStatus:
    code: str
    reason: str = ""

    @property
    def label(self) -> str:
        return label(self.code)


@dataclass(frozen=True)
class StrategyRollupInput:
    code: str
    title: str
    status: EffectiveStatus
    progress: int


@dataclass(frozen=True)
class GroupRollup:
    distribution: dict[str, int]
    mean_progress: int | None
    headline: str
    why: str
    culprits: tuple[str, ...]
    total: int
    culprit_titles: tuple[str, ...] = ()

    @property
    def headline_label(self) -> str:
        return label(self.headline)


def _round_half_up(x: float) -> int:
    # Python's round() is banker's rounding: 1 of 8 steps would show 12%, which looks like a bug.
    return math.floor(x + 0.5)


def strategy_progress(
    *, steps_total: int, steps_done: int, entered_progress: int, counting: str = "by_steps"
) -> tuple[int, str]:
    """(% progress, where it came from): "steps" when counted by its steps and it has some,
    else "entered"."""
    if steps_total <= 0 or counting == ProgressCounting.by_hand:
        return max(0, min(100, entered_progress)), "entered"
    if not 0 <= steps_done <= steps_total:
        raise ValueError(f"steps_done={steps_done} is outside 0..{steps_total}")
    if steps_done == steps_total:
        return 100, "steps"
    if steps_done == 0:
        return 0, "steps"
    return max(1, min(99, _round_half_up(100 * steps_done / steps_total))), "steps"


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; the app only ever stores UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def effective_status(
    *,
    status: str,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None,
    last_update_at: dt.datetime | None,
    cadence_days: int,
    today: dt.date,
    now: dt.datetime,
) -> EffectiveStatus:
    """The status a reader sees, with its reason (rules in the module docstring)."""
    if status == StrategyStatus.complete:
        return EffectiveStatus("complete", "marked complete by its owner")
    owner = f" (owner's status: {label(status)})"
    if planned_end is not None and planned_end < today:
        return EffectiveStatus(
            "overdue", f"planned end {planned_end} passed and not complete{owner}"
        )
    if last_update_at is not None:
        age = (_utc(now) - _utc(last_update_at)).days
        if age > cadence_days:
            return EffectiveStatus(
                "stale", f"no update in {age} days (cadence {cadence_days} days){owner}"
            )
    elif planned_start is not None and (today - planned_start).days > cadence_days:
        return EffectiveStatus(
            "stale",
            f"planned start {planned_start} passed {(today - planned_start).days} days ago"
            f" and never updated (cadence {cadence_days} days){owner}",
        )
    if status not in SEVERITY_RANK:
        raise ValueError(f"unknown strategy status {status!r}")
    return EffectiveStatus(str(status), "as reported by its owner")


def _name_list(names: Sequence[str]) -> str:
    shown = ", ".join(names[:WHY_LIST_LIMIT])
    more = len(names) - WHY_LIST_LIMIT
    return f"{shown} and {more} more" if more > 0 else shown


def rollup_group(*, items: Sequence[StrategyRollupInput], noun: str = "strategies") -> GroupRollup:
    """Distribution, mean progress and worst-status headline of a focus area or plan.

    `noun` is the plan's own plural ("recommendations"), used in the reason. Ties for the worst
    status all appear in `culprits`, in the order given (the plan's order).
    """
    distribution = {code: 0 for code in SEVERITY}
    for item in items:
        if item.status.code not in distribution:
            raise ValueError(f"unknown status {item.status.code!r} for {item.code}")
        distribution[item.status.code] += 1
    total = len(items)
    if not total:
        return GroupRollup(distribution, None, "no_data", f"no {noun} yet", (), 0)
    mean = _round_half_up(sum(item.progress for item in items) / total)
    headline = next(code for code in SEVERITY if distribution[code])
    worst = [item for item in items if item.status.code == headline]
    culprits = tuple(item.code or item.title for item in worst)
    count = len(culprits)
    if headline == "complete":
        why = f"all {total} {noun} are complete"
    else:
        verb = "is" if count == 1 else "are"
        why = f"{count} of {total} {noun} {verb} {label(headline).lower()}: {_name_list(culprits)}"
    return GroupRollup(
        distribution, mean, headline, why, culprits, total, tuple(i.title for i in worst)
    )


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


_UNIT_SUFFIX = {
    "percent": "%",
    "seconds": " s",
    "minutes": " minutes",
    "hours": " hours",
    "days": " days",
}


def _clock(number: float) -> str | None:
    """Minutes with seconds as the plans write a wait ("4:22"), or None for whole minutes."""
    total = round(abs(number) * 60)
    if total % 60 == 0:
        return None
    return f"{'-' if number < 0 else ''}{total // 60}:{total % 60:02d}"


def _fmt(number: float, unit: str | None = None) -> str:
    """At most two decimals, no trailing zeros, thousands separated: what people write.
    Minutes with seconds read as a clock ("4:22"), as the plans write a wait."""
    if unit == "minutes":
        clock = _clock(number)
        if clock is not None:
            return clock
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    if text in ("0", "-0") and number != 0:
        text = f"{number:.3g}"
    suffix = _UNIT_SUFFIX.get(unit or "", "")
    if text == "1" and suffix.endswith("s") and len(suffix) > 2:
        suffix = suffix[:-1]  # "1 minute", not "1 minutes"
    return text + suffix


def _difference(gap: float, unit: str | None) -> str:
    """A difference between two values: percentages differ by points (82% against 86% is 4
    points, not "4%", which would read as 4% of 86)."""
    if unit == "percent":
        amount = _fmt(gap)
        return f"{amount} point" if amount == "1" else f"{amount} points"
    return _fmt(gap, unit)


def format_value(number: float, unit: str | None = None) -> str:
    """A value as people write it ("82.5%", "10 minutes"), for pages: the roll-up reasons' form."""
    return _fmt(number, unit)


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
    *, direction: str, value: float, target_value: float, comparator: str, tolerance: float | None
) -> MetricVerdict:
    """The metric rule on plain values (rules in the module docstring): the one place it lives.

    `metric_status` words its verdict; `value_status` returns only the code, for pages that
    judge every measurement of a series (thousands of points) and show the reason for none.
    """
    comparing = Comparator(comparator)
    allowed = tolerance if tolerance is not None else abs(target_value) * DEFAULT_TOLERANCE_SHARE
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
) -> str:
    """The status code `metric_status` would give this value for this period, without building
    its reason: "no_data", "no_target", "on_track", "at_risk" or "off_track"."""
    if value is None or period is None:
        return "no_data"
    target = target_in_force(targets=targets, period=period)
    if target is None:
        return "no_target"
    return judge_value(
        direction=direction,
        value=value,
        target_value=target.value,
        comparator=target.comparator,
        tolerance=tolerance,
    ).code


def metric_status(
    *,
    direction: str,
    targets: Sequence[TargetLike],
    latest_value: float | None,
    latest_period: dt.date | None,
    tolerance: float | None,
    unit: str | None = None,
) -> MetricStatus:
    """Latest measurement against the target then in force (rules in the module docstring).

    `unit` (app.models.enums.Unit) only decorates the reason: "82% against … 85%".
    """
    if latest_value is None or latest_period is None:
        return MetricStatus("no_data", "no measurement yet")
    target = target_in_force(targets=targets, period=latest_period)
    if target is None:
        return MetricStatus(
            "no_target",
            f"{_fmt(latest_value, unit)} for {latest_period}; no target in force for that period",
        )
    verdict = judge_value(
        direction=direction,
        value=latest_value,
        target_value=target.value,
        comparator=target.comparator,
        tolerance=tolerance,
    )
    against = (
        f"{_fmt(latest_value, unit)} against a target of"
        f" {Comparator(target.comparator).value.replace('_', ' ')} {_fmt(target.value, unit)}"
    )
    if verdict.how == "met":
        return MetricStatus(verdict.code, f"{against}: met")
    if verdict.how == "better":
        return MetricStatus(verdict.code, f"{against}: better than target")
    side = "above" if latest_value > target.value else "below"
    miss = f"{against}: {_difference(verdict.gap, unit)} {side}"
    tolerance_text = _difference(verdict.allowed, unit)
    if verdict.how == "within":
        return MetricStatus(verdict.code, f"{miss}, within the tolerance of {tolerance_text}")
    return MetricStatus(verdict.code, f"{miss}, beyond the tolerance of {tolerance_text}")
