"""Nodes for the strategies and metrics other pages load as ORM objects (my work, the review,
the plan list, the scorecard), rolled up by the same functions as the whole plan's
(app.services.reading.plan_nodes). The whole plan reads its newest measurements with the same query
(`newest_periods`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    Department,
    Measurement,
    Metric,
    MetricTarget,
    Phase,
    Strategy,
    StrategyGoal,
    WorkplanStep,
)
from app.models.base import is_live
from app.services.reading.plan_nodes import (
    MetricNode,
    StrategyNode,
    metric_node,
    oldest_first,
    strategy_nodes,
)


def newest_periods(metric_ids: Any) -> Any:
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
    newest = newest_periods(metric_ids)
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
    plan_end: dt.date | None = None,
    today: dt.date,
) -> list[MetricNode]:
    """Nodes of `metrics` (of one plan, whose period ends `plan_end`), judged on `today` (the
    plan's organisation's day: services.reading.zones.organization_today)."""
    metric_ids = [m.id for m in metrics if m.id is not None]
    targets_of: dict[int, list[MetricTarget]] = defaultdict(list)
    if metric_ids:
        for t in session.exec(
            select(MetricTarget).where(col(MetricTarget.metric_id).in_(metric_ids))
        ):
            targets_of[t.metric_id].append(t)
    latest = latest_measurements(session, metric_ids)
    return [
        metric_node(
            m,
            targets=oldest_first(targets_of.get(m.id, [])),  # type: ignore[arg-type]
            last=latest.get(m.id),  # type: ignore[arg-type]
            departments=departments,
            label=(labels or {}).get(m.id, ""),  # type: ignore[arg-type]
            today=today,
            plan_end=plan_end,
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
    words: Mapping[str, str] | None = None,
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
        words=words,
    )
