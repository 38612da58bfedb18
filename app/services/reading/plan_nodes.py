"""The nodes a plan is read as, and the roll-ups that make them.

A strategy or metric may be loaded as plain column rows (services.reading.plan_rows, for the whole
plan) or as ORM objects (app.services.reading.node_builders, for other pages). Each strategy's and
metric's roll-up goes through the same function (`rolled_up_strategy`, `metric_node`) whichever
way it was loaded, and those call the rules of app.services.rules (rollup, metric_rule).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Measurement,
    Metric,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    WorkplanStep,
)
from app.services.reading.plan_rows import MeasurementRow, MetricRow, StepRow, StrategyRow
from app.services.rules import metric_rule, rollup

# --- nodes ---------------------------------------------------------------------------------------


@dataclass
class StepNode:
    step: WorkplanStep | StepRow
    sub_steps: list[Any] = field(default_factory=list)  # WorkplanStep | StepRow


@dataclass
class StrategyNode:
    strategy: Strategy | StrategyRow
    department: Department | None
    phase: Phase | None
    goal_codes: list[str]
    steps: list[StepNode]
    steps_total: int
    steps_done: int
    progress: int
    progress_source: str
    status: rollup.EffectiveStatus

    @property
    def rollup_input(self) -> rollup.StrategyRollupInput:
        return rollup.StrategyRollupInput(
            code=self.strategy.code,
            title=self.strategy.title,
            status=self.status,
            progress=self.progress,
        )


@dataclass
class MetricNode:
    metric: Metric | MetricRow
    department: Department | None
    targets: list[Any]  # MetricTarget | TargetRow, oldest first
    latest: Measurement | MeasurementRow | None
    target_in_force: Any  # MetricTarget | TargetRow | None
    status: metric_rule.MetricStatus
    measures_label: str


@dataclass
class FocusAreaNode:
    focus_area: FocusArea
    goals: list[Goal]
    strategies: list[StrategyNode]
    rollup: rollup.GroupRollup
    metrics: list[MetricNode] = field(default_factory=list)


@dataclass
class PersonaNode:
    persona: Persona
    journeys: list[Journey]


@dataclass
class PlanTree:
    plan: Plan
    organization: Organization
    owning_department: Department | None
    departments: dict[int, Department]
    statements: list[Statement]
    phases: list[Phase]
    goals: list[Goal]
    focus_areas: list[FocusAreaNode]
    metrics: list[MetricNode]
    quick_wins: list[QuickWin]
    personas: list[PersonaNode]
    rollup: rollup.GroupRollup
    today: dt.date
    # Strategies under no live focus area (on goals or the plan itself), in the plan's order.
    unplaced: list[StrategyNode] = field(default_factory=list)
    # An outline (load_plan_outline) has no steps, metrics or quick wins, only their counts.
    outline: bool = False
    metric_count: int = 0
    quick_win_count: int = 0

    @property
    def strategies(self) -> list[StrategyNode]:
        """Every live strategy: focus area by focus area, then those under none."""
        return [s for fa in self.focus_areas for s in fa.strategies] + self.unplaced


# --- the roll-ups, one function each whichever way the item was loaded ---------------------------


class StrategyRollupFacts(Protocol):
    """What rolling a strategy up reads: a Strategy, the tree's StrategyRow and the review's
    StrategyFacts all have it."""

    @property
    def progress(self) -> int: ...
    @property
    def progress_counting(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def planned_start(self) -> dt.date | None: ...
    @property
    def planned_end(self) -> dt.date | None: ...
    @property
    def last_update_at(self) -> dt.datetime | None: ...
    @property
    def update_cadence_days(self) -> int: ...


def rolled_up_strategy(
    s: StrategyRollupFacts,
    *,
    steps_total: int,
    steps_done: int,
    today: dt.date,
    now: dt.datetime,
    words: Mapping[str, str] | None = None,
) -> tuple[int, str, rollup.EffectiveStatus]:
    """(% progress, its source, effective status) of a strategy, by the rules of rollup; its
    reason in the plan's status `words`."""
    progress, source = rollup.strategy_progress(
        steps_total=steps_total,
        steps_done=steps_done,
        entered_progress=s.progress,
        counting=s.progress_counting,
    )
    status = rollup.effective_status(
        status=s.status,
        planned_start=s.planned_start,
        planned_end=s.planned_end,
        last_update_at=s.last_update_at,
        cadence_days=s.update_cadence_days,
        today=today,
        now=now,
        words=words,
    )
    return progress, source, status


def metric_node(
    m: Metric | MetricRow,
    *,
    targets: list[Any],
    last: Measurement | MeasurementRow | None,
    departments: dict[int, Department],
    label: str,
    today: dt.date,
    plan_end: dt.date | None = None,
) -> MetricNode:
    """The metric with its target in force and its status on `today` (late when its newest
    due value is missing; `plan_end`, its plan's period end, after which none is owed)."""
    in_force = metric_rule.target_in_force(targets=targets, period=last.period if last else today)
    status = metric_rule.metric_status(
        direction=m.direction,
        targets=targets,
        latest_value=last.value if last else None,
        latest_period=last.period if last else None,
        tolerance=m.tolerance,
        tolerance_kind=m.tolerance_kind,
        unit=m.unit,
        reporting=metric_rule.reporting_of(m, today=today, last_day=plan_end),
    )
    return MetricNode(
        metric=m,
        department=departments.get(m.department_id) if m.department_id else None,
        targets=targets,
        latest=last,
        target_in_force=in_force,
        status=status,
        measures_label=label,
    )


def oldest_first(targets: Iterable[Any]) -> list[Any]:
    return sorted(targets, key=lambda t: t.effective_from or dt.date.min)


def strategy_nodes(
    strategies: Sequence[Strategy | StrategyRow],
    *,
    steps: Sequence[WorkplanStep | StepRow] | None,
    counts: dict[int, tuple[int, int]] | None = None,
    links: Iterable[tuple[int, int]],
    departments: dict[int, Department],
    phases: dict[int, Phase],
    goal_codes: dict[int, str],
    today: dt.date,
    now: dt.datetime,
    words: Mapping[str, str] | None = None,
) -> list[StrategyNode]:
    """Nodes from the strategies and either their live steps (in order) or, for an outline,
    their (total, done) step counts; reasons in the plan's status `words`."""
    steps_of: dict[int, list[Any]] = defaultdict(list)
    subs_of: dict[int, list[Any]] = defaultdict(list)
    for step in steps or ():
        (subs_of[step.parent_id] if step.parent_id else steps_of[step.strategy_id]).append(step)
    goals_of: dict[int, list[str]] = defaultdict(list)
    for strategy_id, goal_id in links:
        if goal_id in goal_codes:
            goals_of[strategy_id].append(goal_codes[goal_id])
    nodes = []
    for s in strategies:
        top = steps_of.get(s.id, [])  # type: ignore[arg-type]
        if counts is not None:
            total, done = counts.get(s.id, (0, 0))  # type: ignore[arg-type]
        else:
            every = top + [sub for step in top for sub in subs_of.get(step.id, [])]
            total, done = len(every), sum(1 for step in every if step.done_on is not None)
        progress, source, status = rolled_up_strategy(
            s, steps_total=total, steps_done=done, today=today, now=now, words=words
        )
        nodes.append(
            StrategyNode(
                strategy=s,
                department=departments.get(s.department_id) if s.department_id else None,
                phase=phases.get(s.phase_id) if s.phase_id else None,
                goal_codes=sorted(goals_of.get(s.id, [])),  # type: ignore[arg-type]
                steps=[StepNode(step, subs_of.get(step.id, [])) for step in top],
                steps_total=total,
                steps_done=done,
                progress=progress,
                progress_source=source,
                status=status,
            )
        )
    return nodes


# --- what each metric measures -------------------------------------------------------------------


def measures_labels(
    plan: Plan,
    metrics: Sequence[Metric | MetricRow],
    statements: list[Statement],
    goals: list[Goal],
    focus_areas: list[FocusArea],
    strategies: Sequence[Strategy | StrategyRow],
) -> dict[int, str]:
    """What each metric measures, in the plan's words ("Standard 3: Accessible")."""
    by_statement = {s.id: s for s in statements}
    by_goal = {g.id: g for g in goals}
    by_fa = {f.id: f for f in focus_areas}
    by_strategy = {s.id: s for s in strategies}
    out: dict[int, str] = {}
    for m in metrics:
        label = "The plan as a whole"
        if m.statement_id in by_statement:
            s = by_statement[m.statement_id]
            label = f"{plan.term('statement')} {s.code or ''}: {s.title}".replace("  ", " ")
        elif m.goal_id in by_goal:
            g = by_goal[m.goal_id]
            label = f"{plan.term('goal')} {g.code}: {g.title}"
        elif m.focus_area_id in by_fa:
            f = by_fa[m.focus_area_id]
            label = f"{plan.term('focus_area')} {f.code}: {f.title}"
        elif m.strategy_id in by_strategy:
            st = by_strategy[m.strategy_id]
            label = f"{plan.term('strategy')} {st.code}: {st.title}"
        out[m.id] = label  # type: ignore[index]
    return out
