"""The whole plan, loaded for reading with its roll-ups, in a fixed number of queries.

Every page and the tree API read a plan through here. Each table is read once for the plan (never
once per row), so the database work does not grow with the number of strategies shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
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
from app.services import rollup
from app.services.errors import NotFound


@dataclass
class StepNode:
    step: WorkplanStep
    sub_steps: list[WorkplanStep] = field(default_factory=list)


@dataclass
class StrategyNode:
    strategy: Strategy
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
    metric: Metric
    department: Department | None
    targets: list[MetricTarget]
    latest: Measurement | None
    target_in_force: MetricTarget | None
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

    @property
    def strategies(self) -> list[StrategyNode]:
        return [s for fa in self.focus_areas for s in fa.strategies]


def get_plan(*, session: Session, slug: str) -> Plan:
    plan = session.exec(select(Plan).where(Plan.slug == slug)).first()
    if plan is None or plan.archived_at is not None:
        raise NotFound(f"No plan '{slug}'.")
    return plan


def _live(model: type) -> object:
    return col(model.archived_at).is_(None)  # type: ignore[attr-defined]


def latest_measurements(session: Session, metric_ids: list[int]) -> dict[int, Measurement]:
    """The newest live measurement of each metric, in one query."""
    if not metric_ids:
        return {}
    newest = (
        select(Measurement.metric_id, func.max(Measurement.period).label("period"))
        .where(col(Measurement.metric_id).in_(metric_ids), _live(Measurement))
        .group_by(Measurement.metric_id)
        .subquery()
    )
    rows = session.exec(
        select(Measurement)
        .join(
            newest,
            (Measurement.metric_id == newest.c.metric_id) & (Measurement.period == newest.c.period),
        )
        .where(_live(Measurement))
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
    nodes = []
    for m in metrics:
        targets = sorted(targets_of.get(m.id, []), key=lambda t: t.effective_from or dt.date.min)  # type: ignore[arg-type]
        last = latest.get(m.id)  # type: ignore[arg-type]
        in_force = rollup.target_in_force(
            targets=targets, period=last.period if last else dt.date.today()
        )
        status = rollup.metric_status(
            direction=m.direction,
            targets=targets,
            latest_value=last.value if last else None,
            latest_period=last.period if last else None,
            tolerance=m.tolerance,
            unit=m.unit,
        )
        nodes.append(
            MetricNode(
                metric=m,
                department=departments.get(m.department_id) if m.department_id else None,
                targets=targets,
                latest=last,
                target_in_force=in_force,
                status=status,
                measures_label=(labels or {}).get(m.id, ""),  # type: ignore[arg-type]
            )
        )
    return nodes


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
    steps_of: dict[int, list[WorkplanStep]] = defaultdict(list)
    subs_of: dict[int, list[WorkplanStep]] = defaultdict(list)
    goals_of: dict[int, list[str]] = defaultdict(list)
    if ids:
        steps = session.exec(
            select(WorkplanStep)
            .where(col(WorkplanStep.strategy_id).in_(ids), _live(WorkplanStep))
            .order_by(WorkplanStep.position, WorkplanStep.id)
        ).all()
        for step in steps:
            (subs_of[step.parent_id] if step.parent_id else steps_of[step.strategy_id]).append(step)
        for link in session.exec(
            select(StrategyGoal).where(col(StrategyGoal.strategy_id).in_(ids))
        ):
            if link.goal_id in goal_codes:
                goals_of[link.strategy_id].append(goal_codes[link.goal_id])
    nodes = []
    for s in strategies:
        top = steps_of.get(s.id, [])  # type: ignore[arg-type]
        every = top + [sub for step in top for sub in subs_of.get(step.id, [])]  # type: ignore[arg-type]
        done = sum(1 for step in every if step.done_on is not None)
        progress, source = rollup.strategy_progress(
            steps_total=len(every), steps_done=done, entered_progress=s.progress
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
        nodes.append(
            StrategyNode(
                strategy=s,
                department=departments.get(s.department_id) if s.department_id else None,
                phase=phases.get(s.phase_id) if s.phase_id else None,
                goal_codes=sorted(goals_of.get(s.id, [])),  # type: ignore[arg-type]
                steps=[StepNode(step, subs_of.get(step.id, [])) for step in top],  # type: ignore[arg-type]
                steps_total=len(every),
                steps_done=done,
                progress=progress,
                progress_source=source,
                status=status,
            )
        )
    return nodes


def load_plan_tree(
    *, session: Session, plan: Plan, today: dt.date | None = None, now: dt.datetime | None = None
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
            .where(Goal.plan_id == plan.id, _live(Goal))
            .order_by(Goal.position, Goal.id)
        )
    )
    focus_areas = list(
        session.exec(
            select(FocusArea)
            .where(FocusArea.plan_id == plan.id, _live(FocusArea))
            .order_by(FocusArea.position)
        )
    )
    strategies = list(
        session.exec(
            select(Strategy)
            .where(Strategy.plan_id == plan.id, _live(Strategy))
            .order_by(Strategy.position, Strategy.id)
        )
    )
    strategy_nodes = build_strategy_nodes(
        session,
        strategies,
        departments=departments,
        phases={p.id: p for p in phases},  # type: ignore[misc]
        goal_codes={g.id: g.code for g in goals},
        today=today,
        now=now,  # type: ignore[misc]
    )
    metrics = list(
        session.exec(
            select(Metric).where(Metric.plan_id == plan.id, _live(Metric)).order_by(Metric.position)
        )
    )
    labels = _measures_labels(plan, metrics, statements, goals, focus_areas, strategies)
    metric_nodes = build_metric_nodes(session, metrics, departments=departments, labels=labels)
    quick_wins = list(
        session.exec(
            select(QuickWin)
            .where(QuickWin.plan_id == plan.id, _live(QuickWin))
            .order_by(QuickWin.number)
        )
    )
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
    for n in strategy_nodes:
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
        rollup=rollup.rollup_group(items=[n.rollup_input for n in strategy_nodes], noun=noun),
        today=today,
    )


def _measures_labels(
    plan: Plan,
    metrics: list[Metric],
    statements: list[Statement],
    goals: list[Goal],
    focus_areas: list[FocusArea],
    strategies: list[Strategy],
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
