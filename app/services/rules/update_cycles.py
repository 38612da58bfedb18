"""When an update is due: the organisation's reporting calendar applied to strategies, quick wins
and metrics. The one place the due-date rule lives; My work and the reminders read it.

The calendar (`Calendar`): reporting periods of a month or a quarter (quarters begin in January,
April, July and October), and a due day D (1-28): a period's updates are due on day D of the month
after it ends. Since every period ends on a month's last day, that is D days after its end, which
is exactly a metric's reporting window of D days (services.rules.metric_rule), so every item's due
date is computed by that one rule (`metric_rule.Reporting`):

- A metric owes a value for each period of its own frequency, within its own reporting window
  when it has one, else within the calendar's D days. Ad hoc (or unset) frequency: never due.
- A strategy owes a progress update each cycle of its cadence on the calendar: the calendar's
  period, or the longer calendar-aligned period its `update_cadence_days` spans (90 days on a
  monthly calendar → quarterly; 180 → half-yearly; 365 → yearly), due D days after it ends.
- A quick win owes a progress update each calendar period (quick wins have no cadence of their
  own: they are small and short, so the calendar's rhythm is theirs).
- A value answers its period and every earlier one (the metric rule). A progress update answers
  the period whose window it falls in: the days after the previous period's due date up to this
  period's (with due day 10, an update on 3 November is October's, one on 11 November is
  November's), and every earlier one; so an update in the days before a due date is the update
  that date asked for, and the next one is owed a period later.
  An item never updated owes from the period after the one it started in (its planned start, else
  when it was created): nothing is owed for a period before it existed. A complete item owes
  nothing.
- Only an adopted plan's items owe anything: a draft is still being written, an archived plan is
  over. An adopted plan's strategies and quick wins owe progress updates after its period has
  ended, until they are complete: a plan running past its nominal end is still being carried out
  (the roll-up's staleness does not stop at the period's end either, so the two never disagree).
  Its metrics owe no value for a period after the plan's end, since a value's period must lie
  within the plan's (the metric rule's `last_day`).
- Overdue: the newest period whose due date has passed has no answer (due date = that one's).
  Otherwise the next due date is the due date of the first period the latest answer does not
  cover.

Dates are the organisation's calendar dates: `local_date` (services.rules.local_time)
reads a stored UTC moment in its zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.models.enums import Frequency, ReportingCadence
from app.services.rules.local_time import local_date as local_date
from app.services.rules.local_time import local_moment_text as local_moment_text
from app.services.rules.local_time import zone_of as zone_of
from app.services.rules.local_time import zone_problem as zone_problem
from app.services.rules.metric_rule import Reporting
from app.services.rules.reporting_periods import Period, is_regular, period_of

DUE_DAY_MIN, DUE_DAY_MAX = 1, 28
# Average days per month, to read a cadence in days as a number of months.
_DAYS_PER_MONTH = 365.25 / 12
# Calendar-aligned cycles a cadence may span, shortest first (months).
_CYCLES: tuple[tuple[int, str], ...] = (
    (1, Frequency.monthly),
    (3, Frequency.quarterly),
    (6, Frequency.semiannual),
    (12, Frequency.annual),
)


@dataclass(frozen=True)
class Calendar:
    cadence: str = ReportingCadence.monthly
    due_day: int = 10

    @classmethod
    def of(cls, organization: Any) -> Calendar:
        """An organisation's calendar (any row with `reporting_cadence`, `reporting_due_day`)."""
        return cls(organization.reporting_cadence, organization.reporting_due_day)

    @property
    def months(self) -> int:
        return 3 if self.cadence == ReportingCadence.quarterly else 1

    def cycle_of(self, cadence_days: int | None) -> str:
        """The frequency of a strategy's cycle: the calendar's period, or the shortest longer
        calendar-aligned one whose length covers `cadence_days`."""
        wanted = max(self.months, round((cadence_days or 0) / _DAYS_PER_MONTH))
        for months, frequency in _CYCLES:
            if months >= wanted and months % self.months == 0:
                return frequency
        return Frequency.annual

    def due_of(self, period: Period) -> dt.date:
        """Day `due_day` of the month after `period` ends."""
        return period.end + dt.timedelta(days=self.due_day)


@dataclass(frozen=True)
class Due:
    """What one item owes: the period, its due date, and whether that date has passed."""

    period: Period
    due: dt.date
    frequency: str
    overdue: bool

    def sort_key(self) -> tuple[int, dt.date]:
        """Overdue first (the oldest due date first), then the soonest due."""
        return (0 if self.overdue else 1, self.due)


def due_state(
    *,
    frequency: str | None,
    window_days: int,
    answered: dt.date | None,
    since: dt.date | None,
    today: dt.date,
    last_day: dt.date | None = None,
) -> Due | None:
    """What an item reported `frequency`-ly, due `window_days` after each period ends, owes on
    `today`: `answered` is the day of its latest update (or its latest value's period), `since`
    the day it began (it first owes the period after the one `since` falls in); `last_day` the
    plan's end (nothing is owed after it). None when nothing is owed (ad hoc, or past the end)."""
    if not is_regular(frequency) or (answered is None and since is None):
        return None
    assert frequency is not None
    # Never updated: as if answered on `since`, so the period it began in is not owed.
    covered = answered if answered is not None else since
    assert covered is not None
    reporting = Reporting(
        frequency=frequency, window_days=window_days, today=today, last_day=last_day
    )
    late = reporting.late(covered)
    if late is not None:
        return Due(late.period, late.due, frequency, overdue=True)
    # Not late: the first period the answer does not cover, which is due on or after today.
    period = period_of(covered, frequency)
    while period.start <= covered:
        period = period_of(period.end + dt.timedelta(days=1), frequency)
    if last_day is not None and period.start > last_day:
        return None
    window = dt.timedelta(days=window_days)
    return Due(period, period.end + window, frequency, overdue=period.end + window < today)


def _update_answers(last_update: dt.date | None, calendar: Calendar) -> dt.date | None:
    """A day in the period a progress update on `last_update` answers (see the module)."""
    if last_update is None:
        return None
    return last_update - dt.timedelta(days=calendar.due_day)


def strategy_due(
    calendar: Calendar,
    *,
    cadence_days: int | None,
    last_update: dt.date | None,
    started: dt.date | None,
    complete: bool,
    today: dt.date,
) -> Due | None:
    """What a strategy owes (nothing when complete; no end date: see the module)."""
    if complete:
        return None
    return due_state(
        frequency=calendar.cycle_of(cadence_days),
        window_days=calendar.due_day,
        answered=_update_answers(last_update, calendar),
        since=started,
        today=today,
    )


def quick_win_due(
    calendar: Calendar,
    *,
    last_update: dt.date | None,
    started: dt.date | None,
    complete: bool,
    today: dt.date,
) -> Due | None:
    # A quick win is a strategy on the calendar's own period (no cadence of its own).
    return strategy_due(
        calendar,
        cadence_days=None,
        last_update=last_update,
        started=started,
        complete=complete,
        today=today,
    )


def metric_due(
    calendar: Calendar,
    *,
    frequency: str | None,
    window_days: int | None,
    latest_period: dt.date | None,
    started: dt.date | None,
    today: dt.date,
    last_day: dt.date | None = None,
) -> Due | None:
    """A metric's next value: its own frequency, its own window else the calendar's due day."""
    return due_state(
        frequency=frequency,
        window_days=window_days if window_days is not None else calendar.due_day,
        answered=latest_period,
        since=started,
        today=today,
        last_day=last_day,
    )
