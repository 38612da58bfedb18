"""The whole plan, loaded for reading with its roll-ups, in a fixed number of queries.

Every page and the tree API read a plan through here. Each table is read once for the plan (never
once per row), so the database work does not grow with the number of strategies shown.

Two loads, one set of rules:
- `load_plan_tree`: everything, steps and metrics included (the tree API, a focus area's page, a
  strategy's page).
- `load_plan_outline`: what the overview and the roadmap show: every strategy with its roll-up,
  but its steps only counted (GROUP BY in the database) and the metrics and quick wins only
  counted. Same `PlanTree` shape, with `outline=True`, empty step and metric lists and the counts.

Both read strategies, steps, metrics, targets and measurements as plain column rows (the
`*Row` named tuples below), not ORM objects: a city's plan has thousands of them and an ORM object
costs ~20 µs to build. Their fields carry the ORM attribute names, so templates read either.
Each strategy's and metric's roll-up goes through the same function (`rolled_up_strategy`,
`metric_node`) whichever way it was loaded, and those call the rules of app.services.rollup.

Strategies that belong to no (live) focus area — plans that hang strategies on goals or on the
plan itself — are kept in `PlanTree.unplaced` and are part of `PlanTree.strategies`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import Select, and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    StrategyGoal,
    WorkplanStep,
)
from app.models.base import is_live
from app.services import rollup
from app.services.errors import NotFound

# --- rows: the columns a reader sees, without ORM objects ----------------------------------------


class StrategyRow(NamedTuple):
    id: int
    plan_id: int
    focus_area_id: int | None
    department_id: int | None
    phase_id: int | None
    code: str
    position: int
    title: str
    description: str
    term: str | None
    priority: int | None
    leads: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    progress: int
    narrative: str
    update_cadence_days: int
    last_update_at: dt.datetime | None
    version: int


class StepRow(NamedTuple):
    id: int
    strategy_id: int
    parent_id: int | None
    position: int
    title: str
    completion_measure: str
    owner: str
    due: dt.date | None
    done_on: dt.date | None
    version: int


class MetricRow(NamedTuple):
    id: int
    plan_id: int
    statement_id: int | None
    goal_id: int | None
    strategy_id: int | None
    focus_area_id: int | None
    department_id: int | None
    code: str
    position: int
    name: str
    description: str
    kind: str
    unit: str
    direction: str
    horizon: str | None
    frequency: str | None
    tolerance: float | None
    baseline_value: float | None
    baseline_date: dt.date | None
    version: int


class TargetRow(NamedTuple):
    id: int
    metric_id: int
    value: float
    comparator: str
    label: str
    effective_from: dt.date | None


class MeasurementRow(NamedTuple):
    id: int
    metric_id: int
    period: dt.date
    value: float


R = TypeVar("R", bound=tuple[Any, ...])


def _columns(row_type: type[tuple[Any, ...]], model: type) -> list[Any]:
    """The model's columns named by the row type's fields, in order."""
    return [getattr(model, name) for name in row_type._fields]  # type: ignore[attr-defined]


def _rows(session: Session, row_type: type[R], query: Select[Any]) -> list[R]:
    """Run a column query on the session's connection: plain rows, without the ORM's loading
    machinery (which costs more than the query itself for a thousand rows)."""
    make = row_type._make  # type: ignore[attr-defined]
    return [make(r) for r in session.connection().execute(query)]


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
    status: rollup.MetricStatus
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


def get_plan(*, session: Session, slug: str) -> Plan:
    plan = session.exec(select(Plan).where(Plan.slug == slug)).first()
    if plan is None or plan.archived_at is not None:
        raise NotFound(f"No plan '{slug}'.")
    return plan


# --- the roll-ups, one function each whichever way the item was loaded ---------------------------


class StrategyRollupFacts(Protocol):
    """What rolling a strategy up reads: a Strategy, the tree's StrategyRow and the review's
    StrategyFacts all have it."""

    @property
    def progress(self) -> int: ...
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
) -> tuple[int, str, rollup.EffectiveStatus]:
    """(% progress, its source, effective status) of a strategy, by the rules of rollup."""
    progress, source = rollup.strategy_progress(
        steps_total=steps_total, steps_done=steps_done, entered_progress=s.progress
    )
    status = rollup.effective_status(
        status=s.status,
        planned_start=s.planned_start,
        planned_end=s.planned_end,
        last_update_at=s.last_update_at,
        cadence_days=s.update_cadence_days,
        today=today,
        now=now,
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
) -> MetricNode:
    in_force = rollup.target_in_force(targets=targets, period=last.period if last else today)
    status = rollup.metric_status(
        direction=m.direction,
        targets=targets,
        latest_value=last.value if last else None,
        latest_period=last.period if last else None,
        tolerance=m.tolerance,
        unit=m.unit,
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


def _oldest_first(targets: Iterable[Any]) -> list[Any]:
    return sorted(targets, key=lambda t: t.effective_from or dt.date.min)


# --- loading for other pages (ORM objects; my work, review, plan list, scorecard) ----------------


def _newest_periods(metric_ids: Any) -> Any:
    return (
        select(Measurement.metric_id, func.max(Measurement.period).label("period"))
        .where(col(Measurement.metric_id).in_(metric_ids), is_live(Measurement))
        .group_by(Measurement.metric_id)
        .subquery()
    )


def latest_measurements(session: Session, metric_ids: list[int]) -> dict[int, Measurement]:
    """The newest live measurement of each metric, in one query."""
    if not metric_ids:
        return {}
    newest = _newest_periods(metric_ids)
    rows = session.exec(
        select(Measurement)
        .join(
            newest,
            (Measurement.metric_id == newest.c.metric_id) & (Measurement.period == newest.c.period),
        )
        .where(is_live(Measurement))
    ).all()
    return {m.metric_id: m for m in rows}


def build_metric_nodes(
    session: Session,
    metrics: list[Metric],
    *,
    departments: dict[int, Department],
    labels: dict[int, str] | None = None,
) -> list[MetricNode]:
    metric_ids = [m.id for m in metrics if m.id is not None]
    targets_of: dict[int, list[MetricTarget]] = defaultdict(list)
    if metric_ids:
        for t in session.exec(
            select(MetricTarget).where(col(MetricTarget.metric_id).in_(metric_ids))
        ):
            targets_of[t.metric_id].append(t)
    latest = latest_measurements(session, metric_ids)
    today = dt.date.today()
    return [
        metric_node(
            m,
            targets=_oldest_first(targets_of.get(m.id, [])),  # type: ignore[arg-type]
            last=latest.get(m.id),  # type: ignore[arg-type]
            departments=departments,
            label=(labels or {}).get(m.id, ""),  # type: ignore[arg-type]
            today=today,
        )
        for m in metrics
    ]


def build_strategy_nodes(
    session: Session,
    strategies: list[Strategy],
    *,
    departments: dict[int, Department],
    phases: dict[int, Phase],
    goal_codes: dict[int, str],
    today: dt.date,
    now: dt.datetime,
) -> list[StrategyNode]:
    ids = [s.id for s in strategies if s.id is not None]
    steps: list[WorkplanStep] = []
    links: list[tuple[int, int]] = []
    if ids:
        steps = list(
            session.exec(
                select(WorkplanStep)
                .where(col(WorkplanStep.strategy_id).in_(ids), is_live(WorkplanStep))
                .order_by(WorkplanStep.position, WorkplanStep.id)
            )
        )
        links = [
            (link.strategy_id, link.goal_id)
            for link in session.exec(
                select(StrategyGoal).where(col(StrategyGoal.strategy_id).in_(ids))
            )
        ]
    return strategy_nodes(
        strategies,
        steps=steps,
        links=links,
        departments=departments,
        phases=phases,
        goal_codes=goal_codes,
        today=today,
        now=now,
    )


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
) -> list[StrategyNode]:
    """Nodes from the strategies and either their live steps (in order) or, for an outline,
    their (total, done) step counts."""
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
            s, steps_total=total, steps_done=done, today=today, now=now
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


# --- the plan ------------------------------------------------------------------------------------


def _plan_strategy_ids(plan: Plan) -> Any:
    return select(Strategy.id).where(Strategy.plan_id == plan.id, is_live(Strategy))


def _plan_metric_ids(plan: Plan) -> Any:
    return select(Metric.id).where(Metric.plan_id == plan.id, is_live(Metric))


def step_counts(session: Session, strategy_ids: Any) -> dict[int, tuple[int, int]]:
    """(live steps, of which done) per strategy, sub-steps included, counted by the database.

    The same steps `load_plan_tree` lists: a strategy's live top-level steps and the live
    sub-steps of those (a sub-step of an archived step is not counted).
    """
    parent = aliased(WorkplanStep)
    owner = func.coalesce(parent.strategy_id, WorkplanStep.strategy_id)
    query = (
        select(owner, func.count(), func.count(WorkplanStep.done_on))
        .select_from(WorkplanStep)
        .outerjoin(parent, parent.id == WorkplanStep.parent_id)
        .where(
            col(WorkplanStep.strategy_id).in_(strategy_ids),
            is_live(WorkplanStep),
            or_(
                col(WorkplanStep.parent_id).is_(None),
                and_(
                    col(parent.parent_id).is_(None),
                    col(parent.archived_at).is_(None),
                    col(parent.strategy_id).in_(strategy_ids),
                ),
            ),
        )
        .group_by(owner)
    )
    return {sid: (total, done) for sid, total, done in session.execute(query)}


def _load(
    session: Session, plan: Plan, *, outline: bool, today: dt.date | None, now: dt.datetime | None
) -> PlanTree:
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    departments = {
        d.id: d
        for d in session.exec(select(Department).where(Department.organization_id == org.id))
    }
    statements = list(
        session.exec(
            select(Statement).where(Statement.plan_id == plan.id).order_by(Statement.position)
        )
    )
    phases = list(
        session.exec(select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.position))
    )
    goals = list(
        session.exec(
            select(Goal)
            .where(Goal.plan_id == plan.id, is_live(Goal))
            .order_by(Goal.position, Goal.id)
        )
    )
    focus_areas = list(
        session.exec(
            select(FocusArea)
            .where(FocusArea.plan_id == plan.id, is_live(FocusArea))
            .order_by(FocusArea.position)
        )
    )
    strategies = _rows(
        session,
        StrategyRow,
        select(*_columns(StrategyRow, Strategy))
        .where(Strategy.plan_id == plan.id, is_live(Strategy))
        .order_by(Strategy.position, Strategy.id),
    )
    strategy_ids = _plan_strategy_ids(plan)
    links = session.execute(
        select(StrategyGoal.strategy_id, StrategyGoal.goal_id).where(
            col(StrategyGoal.strategy_id).in_(strategy_ids)
        )
    ).all()
    common: dict[str, Any] = {
        "links": links,
        "departments": departments,
        "phases": {p.id: p for p in phases},
        "goal_codes": {g.id: g.code for g in goals},
        "today": today,
        "now": now,
    }
    metric_nodes: list[MetricNode] = []
    quick_wins: list[QuickWin] = []
    if outline:
        counts = step_counts(session, strategy_ids)
        nodes = strategy_nodes(strategies, steps=None, counts=counts, **common)
        metric_count, quick_win_count = session.execute(
            select(
                select(func.count())
                .select_from(Metric)
                .where(Metric.plan_id == plan.id, is_live(Metric))
                .scalar_subquery(),
                select(func.count())
                .select_from(QuickWin)
                .where(QuickWin.plan_id == plan.id, is_live(QuickWin))
                .scalar_subquery(),
            )
        ).one()
    else:
        steps = _rows(
            session,
            StepRow,
            select(*_columns(StepRow, WorkplanStep))
            .where(col(WorkplanStep.strategy_id).in_(strategy_ids), is_live(WorkplanStep))
            .order_by(WorkplanStep.position, WorkplanStep.id),
        )
        nodes = strategy_nodes(strategies, steps=steps, **common)
        metrics = _rows(
            session,
            MetricRow,
            select(*_columns(MetricRow, Metric))
            .where(Metric.plan_id == plan.id, is_live(Metric))
            .order_by(Metric.position, Metric.id),
        )
        labels = _measures_labels(plan, metrics, statements, goals, focus_areas, strategies)
        metric_nodes = _metric_nodes_of_plan(
            session, plan, metrics, departments=departments, labels=labels, today=today
        )
        quick_wins = list(
            session.exec(
                select(QuickWin)
                .where(QuickWin.plan_id == plan.id, is_live(QuickWin))
                .order_by(QuickWin.number)
            )
        )
        metric_count, quick_win_count = len(metric_nodes), len(quick_wins)
    personas = list(
        session.exec(select(Persona).where(Persona.plan_id == plan.id).order_by(Persona.position))
    )
    journeys_of: dict[int, list[Journey]] = defaultdict(list)
    if personas:
        for j in session.exec(
            select(Journey)
            .where(col(Journey.persona_id).in_([p.id for p in personas]))
            .order_by(Journey.position)
        ):
            journeys_of[j.persona_id].append(j)

    noun = plan.term("strategies").lower()
    # Grouped in one pass each (plan order kept), not scanned again for every focus area.
    strategies_of: dict[int | None, list[StrategyNode]] = defaultdict(list)
    for n in nodes:
        strategies_of[n.strategy.focus_area_id].append(n)
    goals_of: dict[int | None, list[Goal]] = defaultdict(list)
    for g in goals:
        goals_of[g.focus_area_id].append(g)
    metrics_of: dict[int | None, list[MetricNode]] = defaultdict(list)
    for m in metric_nodes:
        metrics_of[m.metric.focus_area_id].append(m)
    fa_nodes = []
    for fa in focus_areas:
        own = strategies_of.get(fa.id, [])
        fa_nodes.append(
            FocusAreaNode(
                focus_area=fa,
                goals=goals_of.get(fa.id, []),
                strategies=own,
                rollup=rollup.rollup_group(items=[n.rollup_input for n in own], noun=noun),
                metrics=metrics_of.get(fa.id, []),
            )
        )
    placed = {fa.id for fa in focus_areas}
    return PlanTree(
        plan=plan,
        organization=org,
        owning_department=departments.get(plan.owning_department_id)
        if plan.owning_department_id
        else None,
        departments=departments,  # type: ignore[arg-type]
        statements=statements,
        phases=phases,
        goals=goals,
        focus_areas=fa_nodes,
        metrics=metric_nodes,
        quick_wins=quick_wins,
        personas=[PersonaNode(p, journeys_of.get(p.id, [])) for p in personas],  # type: ignore[arg-type]
        rollup=rollup.rollup_group(items=[n.rollup_input for n in nodes], noun=noun),
        today=today,
        unplaced=[n for n in nodes if n.strategy.focus_area_id not in placed],
        outline=outline,
        metric_count=metric_count,
        quick_win_count=quick_win_count,
    )


def _metric_nodes_of_plan(
    session: Session,
    plan: Plan,
    metrics: list[MetricRow],
    *,
    departments: dict[int, Department],
    labels: dict[int, str],
    today: dt.date,
) -> list[MetricNode]:
    metric_ids = _plan_metric_ids(plan)
    targets_of: dict[int, list[TargetRow]] = defaultdict(list)
    for t in _rows(
        session,
        TargetRow,
        select(*_columns(TargetRow, MetricTarget))
        .where(col(MetricTarget.metric_id).in_(metric_ids))
        .order_by(MetricTarget.id),
    ):
        targets_of[t.metric_id].append(t)
    newest = _newest_periods(metric_ids)
    latest = {
        m.metric_id: m
        for m in _rows(
            session,
            MeasurementRow,
            select(*_columns(MeasurementRow, Measurement))
            .join(
                newest,
                (Measurement.metric_id == newest.c.metric_id)
                & (Measurement.period == newest.c.period),
            )
            .where(is_live(Measurement)),
        )
    }
    return [
        metric_node(
            m,
            targets=_oldest_first(targets_of.get(m.id, [])),
            last=latest.get(m.id),
            departments=departments,
            label=labels.get(m.id, ""),
            today=today,
        )
        for m in metrics
    ]


def load_plan_tree(
    *, session: Session, plan: Plan, today: dt.date | None = None, now: dt.datetime | None = None
) -> PlanTree:
    """The whole plan: every strategy with its steps, every metric with its status."""
    return _load(session, plan, outline=False, today=today, now=now)


def load_plan_outline(
    *, session: Session, plan: Plan, today: dt.date | None = None, now: dt.datetime | None = None
) -> PlanTree:
    """The plan as the overview and the roadmap show it: every strategy rolled up as in
    `load_plan_tree`, its steps counted by the database; metrics and quick wins only counted."""
    return _load(session, plan, outline=True, today=today, now=now)


def _measures_labels(
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


def plan_stamp(
    *, session: Session, plan: Plan, today: dt.date | None = None, now: dt.datetime | None = None
) -> str:
    """A digest that changes whenever what `load_plan_tree` would say about the plan changes,
    read in two small queries instead of the whole plan (for the tree API's ETag).

    What it covers: every accepted change to the plan writes a history entry carrying the plan's
    id (QUALITY.md row 10; imports and archiving too), so the newest entry (its id, and its time,
    which tells a restored backup from the database it replaced) stands for the plan's data; the
    plan row and organisation name, read with it; and what changes with time alone: the date
    (overdue, targets in force) and each strategy's effective status (staleness falls due at any
    moment of a day), by the same rule `load_plan_tree` applies.
    """
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    newest = (
        select(HistoryEntry.id)
        .where(HistoryEntry.plan_id == plan.id)
        .order_by(col(HistoryEntry.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    head = session.execute(
        select(
            Organization.name,
            newest,
            select(HistoryEntry.at).where(HistoryEntry.id == newest).scalar_subquery(),
        ).where(Organization.id == plan.organization_id)
    ).one()
    timed = session.execute(
        select(
            Strategy.status,
            Strategy.planned_start,
            Strategy.planned_end,
            Strategy.last_update_at,
            Strategy.update_cadence_days,
        )
        .where(Strategy.plan_id == plan.id, is_live(Strategy))
        .order_by(Strategy.position, Strategy.id)
    )
    statuses = ",".join(
        rollup.effective_status(
            status=status,
            planned_start=start,
            planned_end=end,
            last_update_at=last,
            cadence_days=cadence,
            today=today,
            now=now,
        ).code
        for status, start, end, last, cadence in timed
    )
    parts = (plan.id, plan.version, plan.updated_at, plan.archived_at, *head, today, statuses)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
