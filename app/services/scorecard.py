"""A plan's scorecard: every metric with what it measures, its target, status and measurements.

The series behind each trend chart pairs every measurement with the target in force for its
period (a revised target keeps the old one for the old periods, so the target line steps), and
with the status that measurement had against it. Everything is read in a fixed number of queries
whatever the number of metrics or measurements: all measurements of all the plan's metrics in
one query, grouped here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Measurement,
    Metric,
    MetricTarget,
    Plan,
    Statement,
    Strategy,
    User,
)
from app.models.enums import Comparator, Frequency, Horizon
from app.services import rollup
from app.services.errors import NotFound
from app.services.plan_tree import MetricNode, _measures_labels, build_metric_nodes

HORIZON_LABELS: dict[str, str] = {
    Horizon.vision: "Vision measure",
    Horizon.near_term: "Near-term",
    Horizon.long_term: "Long-term",
}
COMPARATOR_WORDS: dict[str, str] = {
    Comparator.at_least: "at least",
    Comparator.at_most: "at most",
    Comparator.exactly: "exactly",
    Comparator.above: "above",
    Comparator.below: "below",
}
DIRECTION_WORDS: dict[str, str] = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "hold": "Hold steady",
}
# What a chart's value axis reads, as a suffix of each tick ("85%", "10 min").
AXIS_SUFFIX: dict[str, str] = {"percent": "%", "minutes": " min", "hours": " h", "days": " d"}


def target_text(target: MetricTarget | None, unit: str) -> str:
    """The plan's own words for a target ("90% or higher"), else comparator, value and unit."""
    if target is None:
        return ""
    if target.label:
        return target.label
    words = COMPARATOR_WORDS.get(target.comparator, target.comparator.replace("_", " "))
    return f"{words} {rollup.format_value(target.value, unit)}"


def period_text(period: dt.date, frequency: str | None) -> str:
    """A measurement's period as its frequency reads it: "June 2025", "2025 Q2", "2025"."""
    if frequency == Frequency.quarterly:
        return f"{period.year} Q{(period.month - 1) // 3 + 1}"
    if frequency in (Frequency.annual, Frequency.biennial):
        return str(period.year)
    if frequency == Frequency.semiannual:
        return f"{period.year} H{1 if period.month <= 6 else 2}"
    if frequency == Frequency.weekly:
        return f"Week of {period.isoformat()}"
    return period.strftime("%B %Y")


@dataclass
class SeriesPoint:
    measurement: Measurement
    target: MetricTarget | None
    status: rollup.MetricStatus

    @property
    def target_value(self) -> float | None:
        return self.target.value if self.target is not None else None


@dataclass
class MetricCard:
    node: MetricNode
    points: list[SeriesPoint]  # oldest first
    entered_by: dict[int, str]

    @property
    def metric(self) -> Metric:
        return self.node.metric

    @property
    def key(self) -> str:
        return f"metric-{self.node.metric.id}"

    @property
    def horizon_label(self) -> str:
        horizon = self.node.metric.horizon
        if not horizon:
            return ""
        return HORIZON_LABELS.get(horizon, horizon.replace("_", " ").capitalize())

    @property
    def target(self) -> str:
        return target_text(self.node.target_in_force, self.node.metric.unit)

    def value(self, number: float | None) -> str:
        return "" if number is None else rollup.format_value(number, self.node.metric.unit)

    def period(self, day: dt.date) -> str:
        return period_text(day, self.node.metric.frequency)

    @property
    def chart(self) -> dict[str, Any]:
        """What app/static/scorecard.js draws: the measurements and the target in force for
        each period (null where none was), read from a data- attribute, never inline script."""
        m = self.node.metric
        return {
            "title": m.name,
            "unit": m.unit,
            "suffix": AXIS_SUFFIX.get(m.unit, ""),
            "periods": [self.period(p.measurement.period) for p in self.points],
            "values": [p.measurement.value for p in self.points],
            "targets": [p.target_value for p in self.points],
            "targetLabel": "Target" + (f" ({self.target})" if self.target else ""),
        }

    @property
    def chart_summary(self) -> str:
        """The chart in one sentence, for screen readers (the values table has the detail)."""
        if not self.points:
            return "No data yet."
        first, last = self.points[0], self.points[-1]
        text = (
            f"{len(self.points)} measurement{'s' if len(self.points) != 1 else ''} from "
            f"{self.period(first.measurement.period)} ({self.value(first.measurement.value)}) to "
            f"{self.period(last.measurement.period)} ({self.value(last.measurement.value)})"
        )
        if self.target:
            text += f"; target {self.target}"
        return text + "."


@dataclass
class Scorecard:
    plan: Plan
    metrics: list[MetricCard]

    def horizons(self) -> list[tuple[str, str]]:
        seen = {c.metric.horizon for c in self.metrics if c.metric.horizon}
        return [(code, label) for code, label in HORIZON_LABELS.items() if code in seen]

    def filtered(self, *, horizon: str = "", status: str = "") -> list[MetricCard]:
        """The metrics of one horizon and/or one status ("" for any)."""
        return [
            c
            for c in self.metrics
            if (not horizon or c.metric.horizon == horizon)
            and (not status or c.node.status.code == status)
        ]

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for card in self.metrics:
            counts[card.node.status.code] += 1
        return dict(counts)


def _live(model: type) -> Any:
    return col(model.archived_at).is_(None)  # type: ignore[attr-defined]


def _metric_cards(session: Session, plan: Plan, metrics: list[Metric]) -> list[MetricCard]:
    departments = {
        d.id: d
        for d in session.exec(
            select(Department).where(Department.organization_id == plan.organization_id)
        )
    }
    statements = list(session.exec(select(Statement).where(Statement.plan_id == plan.id)))
    goals = list(session.exec(select(Goal).where(Goal.plan_id == plan.id, _live(Goal))))
    focus_areas = list(
        session.exec(select(FocusArea).where(FocusArea.plan_id == plan.id, _live(FocusArea)))
    )
    strategies = list(
        session.exec(select(Strategy).where(Strategy.plan_id == plan.id, _live(Strategy)))
    )
    labels = _measures_labels(plan, metrics, statements, goals, focus_areas, strategies)
    nodes = build_metric_nodes(session, metrics, departments=departments, labels=labels)  # type: ignore[arg-type]
    ids = [m.id for m in metrics if m.id is not None]
    measured: dict[int, list[Measurement]] = defaultdict(list)
    # Every query runs even when it has nothing to look for, so a page's query count never
    # depends on its data.
    for row in session.exec(
        select(Measurement)
        .where(col(Measurement.metric_id).in_(ids), _live(Measurement))
        .order_by(Measurement.metric_id, Measurement.period)
    ):
        measured[row.metric_id].append(row)
    people_ids = {m.entered_by_id for rows in measured.values() for m in rows if m.entered_by_id}
    people: dict[int, str] = {}
    for uid, username, display in session.exec(
        select(User.id, User.username, User.display_name).where(col(User.id).in_(people_ids))
    ):
        people[uid] = display or username  # type: ignore[index]
    cards = []
    for node in nodes:
        m = node.metric
        points = []
        for row in measured.get(m.id, []):  # type: ignore[arg-type]
            target = rollup.target_in_force(targets=node.targets, period=row.period)
            status = rollup.metric_status(
                direction=m.direction,
                targets=node.targets,
                latest_value=row.value,
                latest_period=row.period,
                tolerance=m.tolerance,
                unit=m.unit,
            )
            points.append(SeriesPoint(row, target, status))
        cards.append(MetricCard(node=node, points=points, entered_by=people))
    return cards


def load_scorecard(*, session: Session, plan: Plan) -> Scorecard:
    """Every live metric of `plan` in plan order, with its series."""
    metrics = list(
        session.exec(
            select(Metric)
            .where(Metric.plan_id == plan.id, _live(Metric))
            .order_by(Metric.position, Metric.id)
        )
    )
    return Scorecard(plan=plan, metrics=_metric_cards(session, plan, metrics))


def load_metric_card(*, session: Session, plan: Plan, code: str) -> MetricCard:
    """One live metric of `plan` by its code, with all its measurements and targets."""
    metric = session.exec(
        select(Metric).where(Metric.plan_id == plan.id, Metric.code == code, _live(Metric))
    ).first()
    if metric is None:
        raise NotFound(f"No metric '{code}' in this plan.")
    return _metric_cards(session, plan, [metric])[0]
