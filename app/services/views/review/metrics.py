"""The review's metrics: every live metric of the reviewed plans judged in a fixed number of
column queries, and the off-target ones placed where a coordinator will see them.

A metric that measures a focus area, one of its goals or one of its strategies shows on that
focus area's row. Every other off-target metric — one measuring a statement (San José's measure
standards), a goal or a strategy in no focus area, or the plan as a whole — used to reach no row,
so the review said "0 off target" while such a metric was off track. Those are listed apart,
grouped by what they measure, and the status filter finds them as it finds rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import literal, union_all
from sqlmodel import Session, col, select

from app.models import Goal, Measurement, Metric, Plan, Statement
from app.models.base import is_live
from app.services.reading.metric_values import TargetFacts, newest_measurement, targets_by_metric
from app.services.rules import metric_rule

# Worst first: off target, then late (stale: the newest due value is missing).
OFF_TARGET = ("off_track", "at_risk", "stale")
# A row lists this many of its off-target metrics; the focus area's page lists them all.
OFF_TARGET_LISTED = 5
# What a metric may measure, in the order its groups are listed under a plan.
SUBJECT_ORDER = ("statement", "goal", "strategy", "plan")


class MetricFacts(NamedTuple):
    """The columns of a metric the review reads."""

    id: int
    plan_id: int
    code: str
    name: str
    unit: str
    direction: str
    tolerance: float | None
    tolerance_kind: str
    department_id: int | None
    statement_id: int | None
    focus_area_id: int | None
    goal_id: int | None
    strategy_id: int | None
    frequency: str | None
    reporting_window_days: int | None
    plan_end: dt.date | None  # its plan's period end: no value is owed after it

    def reporting(self, today: dt.date) -> metric_rule.Reporting:
        return metric_rule.reporting_of(self, today=today, last_day=self.plan_end)


# A metric judged by code: (its columns, its targets, its latest (period, value), status code).
Judged = tuple[MetricFacts, list[TargetFacts], tuple[dt.date, float] | None, str]


@dataclass
class ReviewMetric:
    """An off-target metric: its status worded (only these are; the others are judged by code)."""

    metric: MetricFacts
    status: metric_rule.MetricStatus


@dataclass
class MetricGroup:
    """Off-target metrics of one plan measuring the same thing that is not a focus area."""

    plan: Plan
    subject: str  # one of SUBJECT_ORDER
    measures: str  # in the plan's words: "Standard 1: Timely", "The plan as a whole"
    metrics: list[ReviewMetric]  # worst first

    @property
    def headline(self) -> str:
        return self.metrics[0].status.code


def metric_statuses(session: Session, plan_ids: list[int], *, today: dt.date) -> list[Judged]:
    """Every live metric of the plans with its targets (oldest first), latest value and status
    code on `today`, in two column queries (each metric's latest value found by the database)."""
    metrics: list[tuple[MetricFacts, tuple[dt.date, float] | None]] = [
        (MetricFacts(*row[:-2]), (row[-2], row[-1]) if row[-2] is not None else None)
        for row in session.exec(
            select(  # type: ignore[call-overload]
                Metric.id,
                Metric.plan_id,
                Metric.code,
                Metric.name,
                Metric.unit,
                Metric.direction,
                Metric.tolerance,
                Metric.tolerance_kind,
                Metric.department_id,
                Metric.statement_id,
                Metric.focus_area_id,
                Metric.goal_id,
                Metric.strategy_id,
                Metric.frequency,
                Metric.reporting_window_days,
                Plan.period_end,
                newest_measurement(Measurement.period),
                newest_measurement(Measurement.value),
            )
            .join(Plan, col(Plan.id) == col(Metric.plan_id))
            .where(col(Metric.plan_id).in_(plan_ids), is_live(Metric))
            .order_by(Metric.position, Metric.id)
        )
    ]
    of_plans = select(Metric.id).where(col(Metric.plan_id).in_(plan_ids), is_live(Metric))
    targets_of = targets_by_metric(session, of_plans)
    out = []
    for m, last in metrics:
        targets = targets_of.get(m.id, [])
        code = metric_rule.value_status(
            direction=m.direction,
            targets=targets,
            value=last[1] if last else None,
            period=last[0] if last else None,
            tolerance=m.tolerance,
            tolerance_kind=m.tolerance_kind,
            reporting=m.reporting(today),
        )
        out.append((m, targets, last, code))
    return out


def worded(judged: list[Judged], limit: int | None = None, *, today: dt.date) -> list[ReviewMetric]:
    """The first `limit` of these off-target or late metrics, worst first, worded by the same
    rule with its reason (only these: a city's focus area can have dozens)."""
    worst = sorted(judged, key=lambda j: OFF_TARGET.index(j[3]))[:limit]
    return [
        ReviewMetric(
            m,
            metric_rule.metric_status(
                direction=m.direction,
                targets=targets,
                latest_value=last[1] if last else None,
                latest_period=last[0] if last else None,
                tolerance=m.tolerance,
                tolerance_kind=m.tolerance_kind,
                unit=m.unit,
                reporting=m.reporting(today),
            ),
        )
        for m, targets, last, _ in worst
    ]


def subject_of(m: MetricFacts, goal_focus: dict[int, int | None]) -> str:
    """What a metric outside every focus area measures (the plan when it names nothing)."""
    if m.statement_id is not None:
        return "statement"
    if m.goal_id is not None and m.goal_id in goal_focus:
        return "goal"
    if m.strategy_id is not None:
        return "strategy"
    return "plan"


def _names(
    session: Session, *, statement_ids: set[int], goal_ids: set[int]
) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:
    """Codes and titles of the statements and goals named, in one statement that runs even when
    none is (so the review's cost does not depend on which metrics are off target today)."""
    rows = session.exec(
        union_all(
            select(literal("statement"), Statement.id, Statement.code, Statement.title).where(
                col(Statement.id).in_(statement_ids)
            ),
            select(literal("goal"), Goal.id, Goal.code, Goal.title).where(
                col(Goal.id).in_(goal_ids)
            ),
        )
    ).all()
    named: dict[str, dict[int, tuple[str, str]]] = {"statement": {}, "goal": {}}
    for kind, item_id, code, title in rows:
        named[kind][item_id] = (code, title)
    return named["statement"], named["goal"]


def metric_groups(
    session: Session,
    *,
    plans: dict[int, Plan],
    outside: list[Judged],
    goal_focus: dict[int, int | None],
    strategy_names: dict[int, tuple[str, str]],
    status: str = "",
    today: dt.date,
) -> list[MetricGroup]:
    """`outside`: the off-target metrics that reach no focus area's row, grouped by plan (in the
    order of `plans`) and what they measure; with `status`, only the metrics of that status."""
    chosen = [j for j in outside if not status or j[3] == status]
    statements, goals = _names(
        session,
        statement_ids={j[0].statement_id for j in chosen if j[0].statement_id is not None},
        goal_ids={j[0].goal_id for j in chosen if j[0].goal_id is not None},
    )
    grouped: dict[tuple[int, str, int | None], list[Judged]] = defaultdict(list)
    for j in chosen:
        m = j[0]
        subject = subject_of(m, goal_focus)
        subject_id = {"statement": m.statement_id, "goal": m.goal_id, "strategy": m.strategy_id}
        grouped[(m.plan_id, subject, subject_id.get(subject))].append(j)
    plan_rank = {plan_id: rank for rank, plan_id in enumerate(plans)}
    groups = []
    for (plan_id, subject, subject_id), judged in sorted(
        grouped.items(),
        key=lambda item: (
            plan_rank[item[0][0]],
            SUBJECT_ORDER.index(item[0][1]),
            item[0][2] or 0,
        ),
    ):
        plan = plans[plan_id]
        found = {"statement": statements, "goal": goals, "strategy": strategy_names}.get(
            subject, {}
        )
        code, title = found.get(subject_id, ("", "")) if subject_id is not None else ("", "")
        measures = (
            "The plan as a whole"
            if subject == "plan"
            else f"{plan.term(subject)} {code}: {title}".replace("  ", " ")
        )
        groups.append(MetricGroup(plan, subject, measures, worded(judged, today=today)))
    return groups
