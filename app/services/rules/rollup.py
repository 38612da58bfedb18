"""The roll-up rules of PRODUCT.md for strategies and their groups, and the status words every
page shows, as pure functions on plain values.

Pure and keyword-only so every edge case is unit-tested without a database, and so a page can roll
up hundreds of strategies loaded in a few bulk queries (see reading.plan_tree), never a query
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

The metric rule (a value against the target in force) is in services.rules.metric_rule, and how
a value is written in services.rules.value_text: a metric's status is judged by other rules than a
strategy's, and shares only the status words kept here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.models.enums import ProgressCounting, StrategyStatus

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
# A "why" names at most this many strategies, so a big plan's headline stays one readable line.
WHY_LIST_LIMIT = 10


def label(code: str, words: Mapping[str, str] | None = None) -> str:
    """The word for a status code: the plan's own (`words`, its status_words) where it has one,
    else ours. Only the word: the code, and so the colour and every rule, stay ours."""
    if words and words.get(code):
        return words[code]
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
    words: Mapping[str, str] | None = None,
) -> EffectiveStatus:
    """The status a reader sees, with its reason (rules in the module docstring); the reason
    names the owner's status in the plan's `words` where it has them."""
    if status == StrategyStatus.complete:
        return EffectiveStatus("complete", "marked complete by its owner")
    owner = f" (owner's status: {label(status, words)})"
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


def rollup_group(
    *,
    items: Sequence[StrategyRollupInput],
    noun: str = "strategies",
    words: Mapping[str, str] | None = None,
) -> GroupRollup:
    """Distribution, mean progress and worst-status headline of a focus area or plan.

    `noun` is the plan's own plural ("recommendations"), used in the reason, and `words` its
    status words: "Needs Improvement: 2 of 5 recommendations (1.1, 1.2)" where the plan has its
    own word for the headline, else "2 of 5 recommendations are off track: 1.1, 1.2". Ties for
    the worst status all appear in `culprits`, in the order given (the plan's order).
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
    if words and words.get(headline):
        which = f"all {total} {noun}" if count == total else f"{count} of {total} {noun}"
        names = "" if headline == "complete" else f" ({_name_list(culprits)})"
        why = f"{label(headline, words)}: {which}{names}"
    elif headline == "complete":
        why = f"all {total} {noun} are complete"
    else:
        verb = "is" if count == 1 else "are"
        why = f"{count} of {total} {noun} {verb} {label(headline).lower()}: {_name_list(culprits)}"
    return GroupRollup(
        distribution, mean, headline, why, culprits, total, tuple(i.title for i in worst)
    )
