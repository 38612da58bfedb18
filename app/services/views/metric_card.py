"""A metric as its card shows it: the plan's words for its target, period and direction, and its
series, each measurement paired with the target in force for its period and its status then.

Apart from the scorecard's page (services.views.scorecard) because a card is shown alone too (a
metric's own page, `reasons=True`, words each point's status) and its words are the pages' too;
the scorecard only counts, filters and pages the cards. `metric_cards` reads any number of metrics
in a fixed number of queries, whatever the number of measurements.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

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
from app.models.base import is_live
from app.models.enums import Comparator, Horizon
from app.services.reading.node_builders import build_metric_nodes
from app.services.reading.plan_nodes import MetricNode, measures_labels
from app.services.reading.zones import organization_today
from app.services.rules import metric_rule
from app.services.rules.metric_rule_text import metric_rule_text
from app.services.rules.reporting_periods import period_text
from app.services.rules.value_text import format_value

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
AXIS_SUFFIX: dict[str, str] = {
    "percent": "%",
    "seconds": " s",
    "minutes": " min",
    "hours": " h",
    "days": " d",
}


def target_text(target: MetricTarget | None, unit: str) -> str:
    """The plan's own words for a target ("90% or higher"), else comparator, value and unit."""
    if target is None:
        return ""
    if target.label:
        return target.label
    words = COMPARATOR_WORDS.get(target.comparator, target.comparator.replace("_", " "))
    return f"{words} {format_value(target.value, unit)}"


class MeasurementRow(NamedTuple):
    """The columns of a measurement a series shows (read as columns: a page has thousands)."""

    id: int
    period: dt.date
    value: float
    note: str
    entered_by_id: int | None
    updated_at: dt.datetime | None
    version: int = 1  # what a void form sends back


@dataclass
class SeriesPoint:
    measurement: MeasurementRow
    target: MetricTarget | None
    status: metric_rule.MetricStatus

    @property
    def target_value(self) -> float | None:
        return self.target.value if self.target is not None else None


@dataclass
class MetricCard:
    node: MetricNode
    points: list[SeriesPoint]  # oldest first
    entered_by: dict[int, str]
    words: dict[str, str] = field(default_factory=dict)  # the plan's status words

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

    @cached_property
    def target(self) -> str:
        return target_text(self.node.target_in_force, self.node.metric.unit)

    @cached_property
    def rule(self) -> str:
        """How the metric is judged against the target shown, as one sentence."""
        return metric_rule_text(self.node.metric, self.node.target_in_force, self.words)

    def value(self, number: float | None) -> str:
        return "" if number is None else format_value(number, self.node.metric.unit)

    def period(self, day: dt.date) -> str:
        return period_text(day, self.node.metric.frequency)

    @cached_property
    def series_rows(self) -> list[tuple[str, str, str, metric_rule.MetricStatus]]:
        """Each point as its values table shows it, oldest first: (period, value, target in
        force, status), worded once here rather than by a macro per cell."""
        unit = self.node.metric.unit
        return [
            (
                self.period(p.measurement.period),
                self.value(p.measurement.value),
                target_text(p.target, unit) or "—",
                p.status,
            )
            for p in self.points
        ]

    @cached_property
    def chart(self) -> dict[str, Any]:
        """What app/static/scorecard.js draws: the measurements and the target in force for
        each period (null where none was), read from a data- attribute, never inline script."""
        m = self.node.metric
        return {
            "title": m.name,
            "unit": m.unit,
            "suffix": AXIS_SUFFIX.get(m.unit, ""),
            "periods": [period for period, _, _, _ in self.series_rows],
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


def metric_cards(
    session: Session, plan: Plan, metrics: list[Metric], *, reasons: bool
) -> list[MetricCard]:
    """Cards of `metrics` with their series. `reasons`: word each point's status (a metric's
    own page); else only its code (the scorecard, with a chart per metric)."""
    ids = [m.id for m in metrics if m.id is not None]
    # Every query runs even when it has nothing to look for, so a page's query count never
    # depends on its data.
    departments = {
        d.id: d
        for d in session.exec(
            select(Department).where(
                col(Department.id).in_({m.department_id for m in metrics if m.department_id})
            )
        )
    }
    statements = list(session.exec(select(Statement).where(Statement.plan_id == plan.id)))

    def named(model: Any, wanted: set[int | None]) -> list[Any]:
        # Only what the labels read (id, code, title), of only what these metrics measure.
        return list(
            session.exec(
                select(model.id, model.code, model.title).where(
                    col(model.id).in_(wanted - {None}), is_live(model)
                )
            )
        )

    goals = named(Goal, {m.goal_id for m in metrics})
    focus_areas = named(FocusArea, {m.focus_area_id for m in metrics})
    strategies = named(Strategy, {m.strategy_id for m in metrics})
    labels = measures_labels(plan, metrics, statements, goals, focus_areas, strategies)
    nodes = build_metric_nodes(
        session,
        metrics,
        departments=departments,
        labels=labels,  # type: ignore[arg-type]
        plan_end=plan.period_end,
        today=organization_today(session, plan.organization_id),
    )
    measured: dict[int, list[MeasurementRow]] = defaultdict(list)
    for row in session.exec(
        select(
            Measurement.metric_id,
            Measurement.id,
            Measurement.period,
            Measurement.value,
            Measurement.note,
            Measurement.entered_by_id,
            Measurement.updated_at,
            Measurement.version,
        )
        .where(col(Measurement.metric_id).in_(ids), is_live(Measurement))
        .order_by(Measurement.metric_id, Measurement.period)
    ):
        measured[row[0]].append(MeasurementRow(*row[1:]))
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
            target = metric_rule.target_in_force(targets=node.targets, period=row.period)
            if reasons:
                status = metric_rule.metric_status(
                    direction=m.direction,
                    targets=node.targets,
                    latest_value=row.value,
                    latest_period=row.period,
                    tolerance=m.tolerance,
                    tolerance_kind=m.tolerance_kind,
                    unit=m.unit,
                )
            else:
                code = metric_rule.value_status(
                    direction=m.direction,
                    targets=[target] if target is not None else [],
                    value=row.value,
                    period=row.period,
                    tolerance=m.tolerance,
                    tolerance_kind=m.tolerance_kind,
                )
                status = metric_rule.MetricStatus(code, "")
            points.append(SeriesPoint(row, target, status))
        cards.append(
            MetricCard(node=node, points=points, entered_by=people, words=plan.status_words or {})
        )
    return cards
