"""Checks a plan file's cross-references before anything is written.

Pydantic checks each field on its own; this checks what needs the whole file: codes unique within
the plan (a strategy's code across the focus areas and the top-level `strategies`), every
department / goal / phase / statement / strategy code named somewhere is defined,
quarters written in the plan's schedule style, spans and targets in order, measurements inside
their metric's bounds and the plan's reporting window, and each strategy's status and progress by
the rules of app.services.changes.strategy_progress.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.models import Metric, Plan
from app.models.enums import ProgressCounting, ScheduleStyle
from app.services.changes.strategy_progress import ProgressFacts, progress_problems
from app.services.plan_file.dates import check_dates
from app.services.plan_file.reading import LineIndex, Loc, PlanFileProblem, format_loc
from app.services.plan_file.schema import MetricIn, PlanFile, StrategyIn
from app.services.rules.measurement_rules import reporting_window, value_problem
from app.services.rules.metric_rule import tolerance_problem
from app.services.rules.quarters import (
    CALENDAR_QUARTER,
    RELATIVE_QUARTER,
    QuarterError,
    quarter_start,
)


class _Collector:
    def __init__(self, lines: LineIndex) -> None:
        self.lines = lines
        self.problems: list[PlanFileProblem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(PlanFileProblem(format_loc(loc), self.lines.line_of(loc), message))


def _duplicates(
    found: Iterable[tuple[Loc, str | int | None]], what: str, report: _Collector
) -> set[str]:
    items = [(loc, str(code)) for loc, code in found if code is not None]
    counts = Counter(code for _, code in items)
    for loc, code in items:
        if counts[code] > 1:
            report.add(loc, f"{what} '{code}' is used more than once in this plan")
    return {code for _, code in items}


def every_strategy(plan: PlanFile) -> list[tuple[Loc, StrategyIn]]:
    """Each strategy with where it is written: inside its focus area, or in the top-level list of
    strategies in no focus area."""
    return [
        (("focus_areas", i, "strategies", j), s)
        for i, fa in enumerate(plan.focus_areas)
        for j, s in enumerate(fa.strategies)
    ] + [(("strategies", j), s) for j, s in enumerate(plan.strategies)]


def check_plan_file(plan: PlanFile, lines: LineIndex) -> list[PlanFileProblem]:
    report = _Collector(lines)
    departments = _duplicates(
        ((("departments", i, "code"), d.code) for i, d in enumerate(plan.departments)),
        "department code",
        report,
    )
    statements = _duplicates(
        ((("statements", i, "code"), s.code) for i, s in enumerate(plan.statements)),
        "statement code",
        report,
    )
    phases = _duplicates(
        ((("phases", i, "code"), p.code) for i, p in enumerate(plan.phases)), "phase code", report
    )
    focus_areas = _duplicates(
        ((("focus_areas", i, "code"), f.code) for i, f in enumerate(plan.focus_areas)),
        "focus area code",
        report,
    )
    goal_locs = [(("goals", i, "code"), g.code) for i, g in enumerate(plan.goals)] + [
        (("focus_areas", i, "goals", j, "code"), g.code)
        for i, fa in enumerate(plan.focus_areas)
        for j, g in enumerate(fa.goals)
    ]
    goals = _duplicates(goal_locs, "goal code", report)
    strategies = _duplicates(
        ((loc + ("code",), s.code) for loc, s in every_strategy(plan)),
        "strategy code",
        report,
    )
    _duplicates(
        ((("metrics", i, "code"), m.code) for i, m in enumerate(plan.metrics)),
        "metric code",
        report,
    )
    _duplicates(
        ((("quick_wins", i, "number"), q.number) for i, q in enumerate(plan.quick_wins)),
        "quick win number",
        report,
    )

    def known(loc: Loc, code: str | None, pool: set[str], what: str) -> None:
        if code is not None and code not in pool:
            defined = ", ".join(sorted(pool)) or "none"
            report.add(loc, f"unknown {what} '{code}' (defined: {defined})")

    known(("plan", "owning_department"), plan.plan.owning_department, departments, "department")
    _check_schedule(plan, report)
    check_dates(plan, report.add, every_strategy(plan))
    for i, fa in enumerate(plan.focus_areas):
        if fa.active_from and fa.active_to and fa.active_to < fa.active_from:
            report.add(("focus_areas", i, "active_to"), "is before active_from")
    for loc, s in every_strategy(plan):
        _check_progress(loc, s, report)
        known(loc + ("department",), s.department, departments, "department")
        known(loc + ("phase",), s.phase, phases, "phase")
        for k, goal in enumerate(s.goals):
            known(loc + ("goals", k), goal, goals, "goal")
    for i, m in enumerate(plan.metrics):
        loc = ("metrics", i)
        known(loc + ("department",), m.department, departments, "department")
        known(loc + ("measures", "statement"), m.measures.statement, statements, "statement")
        known(loc + ("measures", "goal"), m.measures.goal, goals, "goal")
        known(loc + ("measures", "strategy"), m.measures.strategy, strategies, "strategy")
        known(loc + ("measures", "focus_area"), m.measures.focus_area, focus_areas, "focus area")
        dates = [t.effective_from for t in m.targets]
        if dates[1:] != sorted(d for d in dates[1:] if d) or len(set(dates)) != len(dates):
            report.add(
                loc + ("targets",), "targets must be in order of effective_from, each date once"
            )
        periods = Counter(ms.period for ms in m.measurements)
        for k, ms in enumerate(m.measurements):
            if periods[ms.period] > 1:
                report.add(
                    loc + ("measurements", k, "period"), f"period {ms.period} is given twice"
                )
        _check_measurements(plan, m, loc, report)
        band = tolerance_problem(m.tolerance, m.tolerance_kind)
        if band is not None:
            report.add(loc + ("tolerance",), band)
    for i, q in enumerate(plan.quick_wins):
        known(("quick_wins", i, "department"), q.department, departments, "department")
    return report.problems


def _check_measurements(plan: PlanFile, m: MetricIn, loc: Loc, report: _Collector) -> None:
    """The rules a measurement entered on a page obeys (app.services.rules.measurement_rules): a
    value inside the metric's bounds, a period inside the plan's reporting window."""
    metric = Metric(
        unit=m.unit,
        bound_min=m.bounds.min if m.bounds else None,
        bound_max=m.bounds.max if m.bounds else None,
        baseline_date=m.baseline.date if m.baseline else None,
    )
    window = Plan(period_start=plan.plan.period_start, adopted_on=plan.plan.adopted_on)
    window.period_end = plan.plan.period_end
    for k, ms in enumerate(m.measurements):
        here = loc + ("measurements", k)
        problem = value_problem(metric, float(ms.value))
        if problem is not None:
            report.add(here + ("value",), problem.message)
        start, end, why = reporting_window(window, metric)
        if start is not None and ms.period < start:
            report.add(
                here + ("period",), f"{ms.period} is before this plan's measurements begin ({why})"
            )
        elif end is not None and ms.period > end:
            report.add(here + ("period",), f"{ms.period} is after the plan's period ends")


def _check_progress(loc: Loc, s: StrategyIn, report: _Collector) -> None:
    """The rules of status and progress the app holds every strategy to (strategy_progress)."""
    total, done = s.step_counts
    if s.progress_counting == ProgressCounting.by_steps and not total:
        report.add(loc + ("progress_counting",), "by_steps, but it has no steps to count")
        return
    facts = ProgressFacts(s.status, s.counting, s.progress, total, done)
    for problem in progress_problems(facts):
        field = problem.field if problem.field in ("status", "progress") else "status"
        report.add(loc + (field,), problem.message)


def _check_schedule(plan: PlanFile, report: _Collector) -> None:
    relative = plan.plan.schedule == ScheduleStyle.relative
    if relative and plan.plan.schedule_origin is None:
        report.add(("plan", "schedule_origin"), "is required when schedule is relative")
    if (
        plan.plan.period_start
        and plan.plan.period_end
        and plan.plan.period_end < plan.plan.period_start
    ):
        report.add(("plan", "period_end"), "is before period_start")
    style = RELATIVE_QUARTER if relative else CALENDAR_QUARTER
    example = "Y2 Q2" if relative else "2019-Q2"
    spans: list[tuple[Loc, str | None, str | None]] = [
        (("phases", i), p.start, p.end) for i, p in enumerate(plan.phases)
    ] + [(loc, s.planned_start, s.planned_end) for loc, s in every_strategy(plan)]
    origin = plan.plan.schedule_origin
    for loc, start, end in spans:
        names = ("start", "end") if loc[0] == "phases" else ("planned_start", "planned_end")
        ok = True
        for name, value in zip(names, (start, end), strict=True):
            if value is not None and not style.match(value):
                report.add(
                    loc + (name,),
                    f"must be written like '{example}' on a {plan.plan.schedule} schedule",
                )
                ok = False
        if ok and start and end and (not relative or origin):
            try:
                ordered = quarter_start(end, origin) >= quarter_start(start, origin)
            except QuarterError:  # a quarter outside the calendar: check_dates names it
                continue
            if not ordered:
                report.add(loc + (names[1],), f"{end} is before {start}")
