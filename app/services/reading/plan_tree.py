"""The whole plan, loaded for reading with its roll-ups, in a fixed number of queries.

Every page and the tree API read a plan through here. Each table is read once for the plan (never
once per row), so the database work does not grow with the number of strategies shown.

Two loads, one set of rules:
- `load_plan_tree`: everything, steps and metrics included (the tree API, a focus area's page, a
  strategy's page).
- `load_plan_outline`: what the overview and the roadmap show: every strategy with its roll-up,
  but its steps only counted (GROUP BY in the database) and the metrics and quick wins only
  counted. Same `PlanTree` shape, with `outline=True`, empty step and metric lists and the counts.

Both read strategies, steps, metrics, targets and measurements as plain column rows
(app.services.reading.plan_rows), not ORM objects, and make their nodes and roll-ups with
app.services.reading.plan_nodes, as the pages that load ORM objects do.

Strategies that belong to no (live) focus area — plans that hang strategies on goals or on the
plan itself — are kept in `PlanTree.unplaced` and are part of `PlanTree.strategies`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
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
from app.models.base import is_live
from app.services.errors import NotFound
from app.services.reading.node_builders import newest_periods
from app.services.reading.plan_nodes import (
    FocusAreaNode,
    MetricNode,
    PersonaNode,
    PlanTree,
    StrategyNode,
    measures_labels,
    metric_node,
    oldest_first,
    strategy_nodes,
)
from app.services.reading.plan_rows import (
    MeasurementRow,
    MetricRow,
    StepRow,
    StrategyRow,
    TargetRow,
    columns,
    rows,
)
from app.services.reading.visibility import metrics_shown
from app.services.rules import clock, rollup
from app.services.rules.local_time import local_today


def get_plan(*, session: Session, slug: str) -> Plan:
    plan = session.exec(select(Plan).where(Plan.slug == slug)).first()
    if plan is None or plan.archived_at is not None:
        raise NotFound(f"No plan '{slug}'.")
    return plan


def _plan_strategy_ids(plan: Plan) -> Any:
    return select(Strategy.id).where(Strategy.plan_id == plan.id, is_live(Strategy))


def _plan_metric_ids(plan: Plan, internal: bool = True) -> Any:
    return select(Metric.id).where(
        Metric.plan_id == plan.id, is_live(Metric), metrics_shown(internal)
    )


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
    session: Session,
    plan: Plan,
    *,
    outline: bool,
    today: dt.date | None,
    now: dt.datetime | None,
    internal: bool,
) -> PlanTree:
    now = now or clock.clock()
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    today = today or local_today(org.time_zone, now)
    departments = {
        d.id: d
        for d in session.exec(select(Department).where(Department.organization_id == org.id))
    }
    statements = list(
        session.exec(
            select(Statement)
            .where(Statement.plan_id == plan.id, is_live(Statement))
            .order_by(Statement.position)
        )
    )
    phases = list(
        session.exec(
            select(Phase).where(Phase.plan_id == plan.id, is_live(Phase)).order_by(Phase.position)
        )
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
    strategies = rows(
        session,
        StrategyRow,
        select(*columns(StrategyRow, Strategy))
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
        "words": plan.status_words or {},
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
                .where(Metric.plan_id == plan.id, is_live(Metric), metrics_shown(internal))
                .scalar_subquery(),
                select(func.count())
                .select_from(QuickWin)
                .where(QuickWin.plan_id == plan.id, is_live(QuickWin))
                .scalar_subquery(),
            )
        ).one()
    else:
        steps = rows(
            session,
            StepRow,
            select(*columns(StepRow, WorkplanStep))
            .where(col(WorkplanStep.strategy_id).in_(strategy_ids), is_live(WorkplanStep))
            .order_by(WorkplanStep.position, WorkplanStep.id),
        )
        nodes = strategy_nodes(strategies, steps=steps, **common)
        metrics = rows(
            session,
            MetricRow,
            select(*columns(MetricRow, Metric))
            .where(Metric.plan_id == plan.id, is_live(Metric), metrics_shown(internal))
            .order_by(Metric.position, Metric.id),
        )
        labels = measures_labels(plan, metrics, statements, goals, focus_areas, strategies)
        metric_nodes = _metric_nodes_of_plan(
            session,
            plan,
            metrics,
            departments=departments,
            labels=labels,
            today=today,
            internal=internal,
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
        session.exec(
            select(Persona)
            .where(Persona.plan_id == plan.id, is_live(Persona))
            .order_by(Persona.position)
        )
    )
    journeys_of: dict[int, list[Journey]] = defaultdict(list)
    if personas:
        for j in session.exec(
            select(Journey)
            .where(col(Journey.persona_id).in_([p.id for p in personas]), is_live(Journey))
            .order_by(Journey.position)
        ):
            journeys_of[j.persona_id].append(j)

    noun = plan.term("strategies").lower()
    words = plan.status_words or {}
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
                rollup=rollup.rollup_group(
                    items=[n.rollup_input for n in own], noun=noun, words=words
                ),
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
        rollup=rollup.rollup_group(items=[n.rollup_input for n in nodes], noun=noun, words=words),
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
    internal: bool,
) -> list[MetricNode]:
    metric_ids = _plan_metric_ids(plan, internal)
    targets_of: dict[int, list[TargetRow]] = defaultdict(list)
    for t in rows(
        session,
        TargetRow,
        select(*columns(TargetRow, MetricTarget))
        .where(col(MetricTarget.metric_id).in_(metric_ids))
        .order_by(MetricTarget.id),
    ):
        targets_of[t.metric_id].append(t)
    newest = newest_periods(metric_ids)
    latest = {
        m.metric_id: m
        for m in rows(
            session,
            MeasurementRow,
            select(*columns(MeasurementRow, Measurement))
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
            targets=oldest_first(targets_of.get(m.id, [])),
            last=latest.get(m.id),
            departments=departments,
            label=labels.get(m.id, ""),
            today=today,
            plan_end=plan.period_end,
        )
        for m in metrics
    ]


def load_plan_tree(
    *,
    session: Session,
    plan: Plan,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    internal: bool,
) -> PlanTree:
    """The whole plan: every strategy with its steps, every metric with its status.
    `internal`: whether internal metrics are included (`can_read_internal` of the reader)."""
    return _load(session, plan, outline=False, today=today, now=now, internal=internal)


def load_plan_outline(
    *,
    session: Session,
    plan: Plan,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    internal: bool,
) -> PlanTree:
    """The plan as the overview and the roadmap show it: every strategy rolled up as in
    `load_plan_tree`, its steps counted by the database; metrics and quick wins only counted."""
    return _load(session, plan, outline=True, today=today, now=now, internal=internal)
