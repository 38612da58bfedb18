"""The window every stored date must lie in, and the reason a date outside it is refused.

A date a client sends (API, page form or plan file) is checked here before it is stored:
- a plan's own dates (its period, adoption, schedule origin) and dates that record facts rather
  than plans (a metric's baseline, a step's done date) lie in 1900–2200, the years any plan we
  track can speak of;
- what the plan schedules (step due dates, focus areas' active dates, targets' effective dates)
  lies in the plan's period where it has one, else in 1900–2200;
- planned spans (strategies' and phases') are written at quarter precision, so they may use the
  whole quarters the period starts and ends in; on a plan-relative schedule they lie between the
  origin and year 99 ("Y1 Q1" … "Y99 Q4" are the only quarters such a plan can write).

A date of 0001-01-01 once made a public roadmap answer 500 to everyone, and 9999-12-31 made it
6 MB: the window keeps such dates out; `roadmap` bounds its columns for rows stored before this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models import Plan
from app.models.enums import ScheduleStyle
from app.services.errors import FieldProblem
from app.services.rules.quarters import RELATIVE_YEARS, quarter_end, quarter_label, quarter_start

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)


@dataclass(frozen=True)
class DateWindow:
    first: dt.date
    last: dt.date
    # The bounds in words, for the message: "the plan's period starts (2023-03-07)"…
    first_reason: str
    last_reason: str

    def problem(self, field: str, day: dt.date | None) -> FieldProblem | None:
        if day is None:
            return None
        if day < self.first:
            return FieldProblem(field, f"{day} is before {self.first_reason}")
        if day > self.last:
            return FieldProblem(field, f"{day} is after {self.last_reason}")
        return None

    def check(self, days: dict[str, dt.date | None], problems: list[FieldProblem]) -> None:
        """Add a problem for each named date outside the window."""
        for field, day in days.items():
            if (found := self.problem(field, day)) is not None:
                problems.append(found)

    def clamp(self, day: dt.date) -> dt.date:
        return min(max(day, self.first), self.last)


SANE = DateWindow(
    EARLIEST,
    LATEST,
    f"the earliest date PlanTrack accepts ({EARLIEST})",
    f"the latest date PlanTrack accepts ({LATEST})",
)


def plan_window(period_start: dt.date | None, period_end: dt.date | None) -> DateWindow:
    """The plan's period where it has one (either end may be open), else 1900–2200."""
    return DateWindow(
        period_start or EARLIEST,
        period_end or LATEST,
        f"the plan's period starts ({period_start})" if period_start else SANE.first_reason,
        f"the plan's period ends ({period_end})" if period_end else SANE.last_reason,
    )


def _written(day: dt.date) -> str:
    return quarter_label(day).replace("-", " ")


def span_window(
    period_start: dt.date | None,
    period_end: dt.date | None,
    origin: dt.date | None = None,
) -> DateWindow:
    """Where planned spans may run: the period widened to whole quarters (spans are planned by
    quarter: a plan adopted on 7 March may plan work "from 2023 Q1"); on a relative schedule
    (`origin` given) also from the origin through year 99."""
    window = plan_window(period_start, period_end)
    first, last = window.first, window.last
    first_reason, last_reason = window.first_reason, window.last_reason
    if period_start:
        first = quarter_start(quarter_label(period_start))
        first_reason = f"the plan's period, which starts in {_written(period_start)} ({first})"
    if period_end:
        last = quarter_end(quarter_label(period_end))
        last_reason = f"the plan's period, which ends in {_written(period_end)} ({last})"
    if origin is not None:
        origin_month = origin.replace(day=1)
        if origin_month > first:
            first, first_reason = origin_month, f"the plan's first quarter, Y1 Q1 ({origin_month})"
        year_99 = quarter_end(f"Y{RELATIVE_YEARS} Q4", origin)
        if year_99 < last:
            last = year_99
            last_reason = f"the last quarter a relative plan writes, Y{RELATIVE_YEARS} Q4 ({last})"
    return DateWindow(first, last, first_reason, last_reason)


def scheduled_window(plan: Plan) -> DateWindow:
    """Where what this plan schedules (due dates, targets…) may fall."""
    return plan_window(plan.period_start, plan.period_end)


def planned_span_window(plan: Plan) -> DateWindow:
    """Where this plan's planned spans may run."""
    relative = plan.schedule == ScheduleStyle.relative and plan.schedule_origin is not None
    origin = plan.schedule_origin if relative else None
    return span_window(plan.period_start, plan.period_end, origin)


def changed_dates(
    item: object, changes: dict[str, object], names: tuple[str, ...]
) -> dict[str, dt.date | None]:
    """The named dates an edit sets to a new value. A date stored before the window existed is
    not checked again when an edit leaves it as it is (a form sends every field back)."""
    out: dict[str, dt.date | None] = {}
    for name in names:
        if name in changes and changes[name] != getattr(item, name):
            value = changes[name]
            out[name] = value if isinstance(value, dt.date) else None
    return out
