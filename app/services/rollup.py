"""The roll-up rules of PRODUCT.md, as pure functions on plain values.

Pure so they are unit-tested on every edge case, and so a page can roll up hundreds of strategies
loaded in a few bulk queries (see app.services.plan_tree) without a query per row.

- A strategy's progress comes from its steps when it has any (done / total), else from its owner.
- Its status is the owner's, except: past its planned end and not complete → overdue; no update
  within its cadence → stale. A strategy never updated is stale only once its planned start has
  passed (work that has not begun is not late news).
- A group (focus area, plan) shows the distribution of its strategies' statuses, their mean
  progress, and the worst status as its headline, with the strategies that made it so.
- A metric compares its latest measurement with the target in force for that period, in its
  direction: met → on track; within tolerance → at risk; else off track; none → no data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.models.enums import Comparator, Direction, StrategyStatus

# Worst first. Off track is an owner's explicit alarm; overdue is a missed commitment the owner
# has not called; at risk is a warning; stale means we do not know; on hold and not started are
# deliberate states; on track and complete are good news.
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


@dataclass(frozen=True)
class EffectiveStatus:
    code: str
    reason: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.code]


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

    @property
    def headline_label(self) -> str:
        return LABELS[self.headline]


def strategy_progress(*, steps_total: int, steps_done: int, entered_progress: int) -> tuple[int, str]:
    """(% progress, where it came from): "steps" when it has steps, else "entered"."""
    if steps_total > 0:
        return round(100 * steps_done / steps_total), "steps"
    return entered_progress, "entered"


def effective_status(
    *,
    status: str,
    planned_start: dt.date | None,
    planned_end: dt.date | None,
    last_update_at: dt.datetime | None,
    cadence_days: int,
    today: dt.date,
    now: dt.datetime,
) -> EffectiveStatus:
    if status == StrategyStatus.complete:
        return EffectiveStatus("complete")
    if planned_end is not None and planned_end < today:
        return EffectiveStatus("overdue", f"planned end {planned_end} passed and not complete")
    if last_update_at is not None:
        updated = last_update_at if last_update_at.tzinfo else last_update_at.replace(tzinfo=dt.UTC)
        age = (now - updated).days
        if age > cadence_days:
            return EffectiveStatus("stale", f"no update in {age} days (expected every {cadence_days})")
    elif planned_start is not None and planned_start + dt.timedelta(days=cadence_days) < today:
        return EffectiveStatus("stale", f"started {planned_start} and never updated")
    return EffectiveStatus(str(status))


def rollup_group(*, items: Sequence[StrategyRollupInput], noun: str = "strategies") -> GroupRollup:
    distribution = {code: 0 for code in SEVERITY}
    for item in items:
        distribution[item.status.code] = distribution.get(item.status.code, 0) + 1
    if not items:
        return GroupRollup(distribution, None, "no_data", f"no {noun} yet", (), 0)
    mean = round(sum(item.progress for item in items) / len(items))
    headline = next(code for code in SEVERITY if distribution[code])
    culprits = tuple(item.code for item in items if item.status.code == headline)
    count = len(culprits)
    if headline == "complete":
        why = f"all {len(items)} {noun} are complete"
    else:
        why = f"{count} of {len(items)} {noun} {'is' if count == 1 else 'are'} {LABELS[headline].lower()}: {', '.join(culprits)}"
    return GroupRollup(distribution, mean, headline, why, culprits, len(items))


class TargetLike(Protocol):
    value: float
    comparator: str
    effective_from: dt.date | None


@dataclass(frozen=True)
class MetricStatus:
    code: str
    reason: str

    @property
    def label(self) -> str:
        return LABELS[self.code]


def target_in_force(*, targets: Sequence[TargetLike], period: dt.date) -> TargetLike | None:
    """The target that judged `period`: the latest one in force on that date.

    A target with no date is the plan's original one, in force from the beginning.
    """
    in_force = [t for t in targets if t.effective_from is None or t.effective_from <= period]
    if not in_force:
        return None
    return max(in_force, key=lambda t: t.effective_from or dt.date.min)


def _met(value: float, target: float, comparator: str) -> bool:
    return {
        Comparator.at_least: value >= target,
        Comparator.at_most: value <= target,
        Comparator.exactly: value == target,
        Comparator.above: value > target,
        Comparator.below: value < target,
    }[Comparator(comparator)]


def _fmt(number: float) -> str:
    return f"{number:g}"


def metric_status(
    *,
    direction: str,
    targets: Sequence[TargetLike],
    latest_value: float | None,
    latest_period: dt.date | None,
    tolerance: float | None,
) -> MetricStatus:
    if latest_value is None or latest_period is None:
        return MetricStatus("no_data", "no measurement yet")
    target = target_in_force(targets=targets, period=latest_period)
    if target is None:
        return MetricStatus("no_target", f"latest {_fmt(latest_value)}; no target set")
    allowed = tolerance if tolerance is not None else abs(target.value) * DEFAULT_TOLERANCE_SHARE
    gap = abs(latest_value - target.value)
    against = f"{_fmt(latest_value)} against a target of {Comparator(target.comparator).value.replace('_', ' ')} {_fmt(target.value)}"
    if _met(latest_value, target.value, target.comparator):
        return MetricStatus("on_track", f"{against}: met")
    # For "exactly" a miss on the good side of the direction is not a miss worth flagging.
    if target.comparator == Comparator.exactly and direction != Direction.hold:
        better = latest_value > target.value if direction == Direction.higher else latest_value < target.value
        if better:
            return MetricStatus("on_track", f"{against}: better than target")
    if gap <= allowed:
        return MetricStatus("at_risk", f"{against}: {_fmt(gap)} off, within the tolerance of {_fmt(allowed)}")
    return MetricStatus("off_track", f"{against}: {_fmt(gap)} off, beyond the tolerance of {_fmt(allowed)}")
