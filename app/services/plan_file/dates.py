"""A plan file's dates lie where the API's would (see `plan_dates`): checked before anything is
written, each refusal naming the line and field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.models.enums import ScheduleStyle
from app.services.plan_file.reading import Loc
from app.services.plan_file.schema import PlanFile, StepIn, StrategyIn, SubStepIn
from app.services.rules.plan_dates import SANE, DateWindow, plan_window, span_window
from app.services.rules.quarters import QuarterError, quarter_end, quarter_start

Report = Callable[[Loc, str], None]


def _check(window: DateWindow, loc: Loc, day: dt.date | None, report: Report) -> None:
    if (problem := window.problem(str(loc[-1]), day)) is not None:
        report(loc, problem.message)


def _check_quarter(
    window: DateWindow,
    loc: Loc,
    text: str | None,
    *,
    end: bool,
    origin: dt.date | None,
    report: Report,
) -> None:
    """A span's first quarter is checked by its first day, its last quarter by its last day."""
    if text is None:
        return
    try:
        day = quarter_end(text, origin) if end else quarter_start(text, origin)
    except QuarterError as exc:  # e.g. "0000-Q1"; a wrong style is reported by the schedule check
        if "schedule_origin" not in str(exc):
            report(loc, str(exc))
        return
    if (problem := window.problem(str(loc[-1]), day)) is not None:
        report(loc, f"{text} ({problem.message})")


def _steps(loc: Loc, steps: list[StepIn] | list[SubStepIn]) -> list[tuple[Loc, StepIn | SubStepIn]]:
    out: list[tuple[Loc, StepIn | SubStepIn]] = []
    for i, step in enumerate(steps):
        out.append((loc + ("steps", i), step))
        if isinstance(step, StepIn):
            out += _steps(loc + ("steps", i), step.steps)
    return out


def check_dates(
    plan_file: PlanFile, report: Report, strategies: list[tuple[Loc, StrategyIn]]
) -> None:
    """`strategies`: every strategy with where it is written (checking.every_strategy)."""
    p = plan_file.plan
    for name in ("period_start", "period_end", "adopted_on", "schedule_origin"):
        _check(SANE, ("plan", name), getattr(p, name), report)
    # A period outside the accepted years is reported above; the other dates are then checked
    # against the accepted years rather than repeating the same fault on every line.
    start = p.period_start if SANE.problem("", p.period_start) is None else None
    end = p.period_end if SANE.problem("", p.period_end) is None else None
    scheduled = plan_window(start, end)
    relative = p.schedule == ScheduleStyle.relative
    origin = p.schedule_origin if relative else None
    spans = span_window(start, end, origin)

    def span(loc: Loc, first: str | None, last: str | None) -> None:
        names = ("start", "end") if loc[0] == "phases" else ("planned_start", "planned_end")
        _check_quarter(spans, loc + (names[0],), first, end=False, origin=origin, report=report)
        _check_quarter(spans, loc + (names[1],), last, end=True, origin=origin, report=report)

    for i, phase in enumerate(plan_file.phases):
        span(("phases", i), phase.start, phase.end)
    for i, fa in enumerate(plan_file.focus_areas):
        _check(scheduled, ("focus_areas", i, "active_from"), fa.active_from, report)
        _check(scheduled, ("focus_areas", i, "active_to"), fa.active_to, report)
    for loc, s in strategies:
        span(loc, s.planned_start, s.planned_end)
        for step_loc, step in _steps(loc, s.steps):
            _check(scheduled, step_loc + ("due",), step.due, report)
            # When a step was done is a fact, not a plan: it may precede the period.
            _check(SANE, step_loc + ("done_on",), step.done_on, report)
    for i, metric in enumerate(plan_file.metrics):
        if metric.baseline is not None:
            # A baseline usually predates the plan: only the accepted years bound it.
            _check(SANE, ("metrics", i, "baseline", "date"), metric.baseline.date, report)
        for k, target in enumerate(metric.targets):
            loc = ("metrics", i, "targets", k, "effective_from")
            _check(scheduled, loc, target.effective_from, report)
    for i, quick_win in enumerate(plan_file.quick_wins):
        first, last = quick_win.planned_start, quick_win.planned_end
        _check(spans, ("quick_wins", i, "planned_start"), first, report)
        _check(spans, ("quick_wins", i, "planned_end"), last, report)
        if first and last and last < first:
            report(("quick_wins", i, "planned_end"), f"{last} is before the planned start {first}")
