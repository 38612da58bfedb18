"""One item of a department's work (a strategy, quick win or metric) as its block on My work
shows it: its node, with its workplan steps or its targets and latest value, and what the user may
do to it. The page builds its items' nodes here, for all of them at once; the `load_*_work`
functions reload one item the same way, for the fragment an inline edit answers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Department,
    Measurement,
    Metric,
    MetricTarget,
    Phase,
    Plan,
    QuickWin,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.base import is_live
from app.services.accounts.permissions import Action, can
from app.services.reading.plan_nodes import MetricNode, StrategyNode, metric_node, strategy_nodes
from app.services.reading.zones import organization_today
from app.services.rules import clock
from app.services.views.my_work.departments import MetricWork, QuickWinWork, StrategyWork


def page_strategy_nodes(
    session: Session,
    strategies: list[Strategy],
    *,
    plan_ids: list[int],
    departments: dict[int, Department],
    today: dt.date,
    now: dt.datetime,
) -> list[StrategyNode]:
    """Nodes of `strategies` with their live workplan steps, rolled up by plan_nodes' rules
    (two queries, which run even for no strategies)."""
    phases = {p.id: p for p in session.exec(select(Phase).where(col(Phase.plan_id).in_(plan_ids)))}
    steps = list(
        session.exec(
            select(WorkplanStep)
            .where(
                col(WorkplanStep.strategy_id).in_([s.id for s in strategies]),
                is_live(WorkplanStep),
            )
            .order_by(WorkplanStep.position, WorkplanStep.id)
        )
    )
    return strategy_nodes(
        strategies,
        steps=steps,
        links=[],  # the page shows no goals
        departments=departments,
        phases=phases,  # type: ignore[arg-type]
        goal_codes={},
        today=today,
        now=now,
    )


def page_metric_nodes(
    session: Session,
    metrics: list[Metric],
    *,
    departments: dict[int, Department],
    today: dt.date,
    plan_ends: dict[int, dt.date | None],
) -> list[MetricNode]:
    """Nodes of `metrics` with their targets and latest measurement, judged by plan_nodes'
    rules (two queries, which run even for no metrics); `plan_ends`: each plan's period end."""
    ids = [m.id for m in metrics]
    targets_of: dict[int, list[MetricTarget]] = {}
    for t in session.exec(
        select(MetricTarget).where(col(MetricTarget.metric_id).in_(ids)).order_by(MetricTarget.id)
    ):
        targets_of.setdefault(t.metric_id, []).append(t)
    newest = (
        select(Measurement.metric_id, func.max(Measurement.period).label("period"))
        .where(col(Measurement.metric_id).in_(ids), is_live(Measurement))
        .group_by(Measurement.metric_id)
        .subquery()
    )
    latest = {
        m.metric_id: m
        for m in session.exec(
            select(Measurement)
            .join(
                newest,
                (col(Measurement.metric_id) == newest.c.metric_id)
                & (col(Measurement.period) == newest.c.period),
            )
            .where(is_live(Measurement))
        )
    }
    return [
        metric_node(
            m,
            targets=sorted(
                targets_of.get(m.id, []),  # type: ignore[arg-type]
                key=lambda t: t.effective_from or dt.date.min,
            ),
            last=latest.get(m.id),  # type: ignore[arg-type]
            departments=departments,
            label="",
            today=today,
            plan_end=plan_ends.get(m.plan_id),
        )
        for m in metrics
    ]


def strategy_work(
    session: Session, user: User | None, node: StrategyNode, plan: Plan
) -> StrategyWork:
    # `can` finds the plan in the session's identity map: no query per row.
    kind = plan.term("strategy").lower()
    return StrategyWork(
        node=node,
        plan=plan,
        can_progress=can(session, user, Action.progress, node.strategy, kind=kind),
        can_edit=can(session, user, Action.edit, node.strategy, kind=kind),
    )


def metric_work(session: Session, user: User | None, node: MetricNode, plan: Plan) -> MetricWork:
    return MetricWork(
        node=node,
        plan=plan,
        can_record=can(session, user, Action.record_measurement, node.metric, kind="metric"),
    )


def quick_win_work(session: Session, user: User | None, qw: QuickWin, plan: Plan) -> QuickWinWork:
    return QuickWinWork(
        quick_win=qw,
        plan=plan,
        can_progress=can(session, user, Action.progress, qw, kind="quick win"),
    )


def _departments_of(session: Session, plan: Plan) -> dict[int, Department]:
    return {
        d.id: d  # type: ignore[misc]
        for d in session.exec(
            select(Department).where(Department.organization_id == plan.organization_id)
        )
    }


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    assert plan is not None
    return plan


def load_strategy_work(
    *,
    session: Session,
    strategy: Strategy,
    user: User | None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> StrategyWork:
    """One strategy's block, as the page shows it (after an inline edit)."""
    now = now or clock.clock()
    plan = _plan(session, strategy.plan_id)
    today = today or organization_today(session, plan.organization_id, now)
    (node,) = page_strategy_nodes(
        session,
        [strategy],
        plan_ids=[plan.id],  # type: ignore[list-item]
        departments=_departments_of(session, plan),
        today=today,
        now=now,
    )
    return strategy_work(session, user, node, plan)


def load_metric_work(*, session: Session, metric: Metric, user: User | None) -> MetricWork:
    plan = _plan(session, metric.plan_id)
    (node,) = page_metric_nodes(
        session,
        [metric],
        departments=_departments_of(session, plan),
        today=organization_today(session, plan.organization_id),
        plan_ends={plan.id: plan.period_end},  # type: ignore[dict-item]
    )
    return metric_work(session, user, node, plan)


def load_quick_win_work(
    *, session: Session, quick_win: QuickWin, user: User | None
) -> QuickWinWork:
    return quick_win_work(session, user, quick_win, _plan(session, quick_win.plan_id))
