"""A plan's scorecard: every metric with what it measures, its target, status and measurements.

The series behind each trend chart pairs every measurement with the target in force for its
period (a revised target keeps the old one for the old periods, so the target line steps), and
with the status that measurement had against it.

The scorecard shows its metrics a page at a time (PER_PAGE, in plan order): the status counts and
the filters need every metric's latest status, which three column queries give (no ORM objects,
no reason text); the page's metrics alone are then loaded whole, with their series. A chart's
points are judged with `rollup.value_status` (the code only): a metric's page words each one.
Everything is read in a fixed number of queries whatever the number of metrics or measurements.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
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
from app.models.enums import Comparator, Frequency, Horizon
from app.services import rollup
from app.services.errors import NotFound
from app.services.metric_values import newest_measurement, targets_by_metric
from app.services.node_builders import build_metric_nodes
from app.services.plan_nodes import MetricNode, measures_labels

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


PER_PAGE = 25


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

    @cached_property
    def target(self) -> str:
        return target_text(self.node.target_in_force, self.node.metric.unit)

    def value(self, number: float | None) -> str:
        return "" if number is None else rollup.format_value(number, self.node.metric.unit)

    def period(self, day: dt.date) -> str:
        return period_text(day, self.node.metric.frequency)

    @cached_property
    def series_rows(self) -> list[tuple[str, str, str, rollup.MetricStatus]]:
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


@dataclass
class Scorecard:
    """One page of a plan's scorecard: every metric counted, this page's metrics in full."""

    plan: Plan
    total: int  # live metrics of the plan
    counts: dict[str, int]  # every metric's latest status → how many
    horizon_codes: set[str]
    matching: int  # metrics that pass the filters
    metrics: list[MetricCard]  # this page's, in plan order, with their series
    horizon: str = ""
    status: str = ""
    page: int = 1
    per_page: int = PER_PAGE

    def horizons(self) -> list[tuple[str, str]]:
        return [(code, text) for code, text in HORIZON_LABELS.items() if code in self.horizon_codes]

    def status_counts(self) -> dict[str, int]:
        return dict(self.counts)

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of this page's first metric among those matching."""
        return (self.page - 1) * self.per_page + 1 if self.metrics else 0

    @property
    def last(self) -> int:
        return self.first + len(self.metrics) - 1 if self.metrics else 0

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    def query(self, page: int) -> str:
        """The query string of another page with the same filters."""
        parts = [
            f"{name}={value}"
            for name, value in (("horizon", self.horizon), ("status", self.status))
            if value
        ]
        if page > 1:
            parts.append(f"page={page}")
        return "?" + "&".join(parts) if parts else ""


def _latest_statuses(session: Session, plan: Plan) -> list[tuple[int, str | None, str]]:
    """(id, horizon, latest status code) of every live metric of `plan`, in plan order: two
    column queries, no ORM objects and no reason text."""
    metrics = session.exec(
        select(  # type: ignore[call-overload]
            Metric.id,
            Metric.horizon,
            Metric.direction,
            Metric.tolerance,
            newest_measurement(Measurement.period),
            newest_measurement(Measurement.value),
        )
        .where(Metric.plan_id == plan.id, is_live(Metric))
        .order_by(Metric.position, Metric.id)
    ).all()
    of_plan = select(Metric.id).where(Metric.plan_id == plan.id, is_live(Metric))
    targets_of = targets_by_metric(session, of_plan)
    out = []
    for metric_id, horizon, direction, tolerance, period, value in metrics:
        targets = targets_of.get(metric_id, [])
        code = rollup.value_status(
            direction=direction, targets=targets, value=value, period=period, tolerance=tolerance
        )
        out.append((metric_id, horizon, code))
    return out


def _metric_cards(
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
    nodes = build_metric_nodes(session, metrics, departments=departments, labels=labels)  # type: ignore[arg-type]
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
            target = rollup.target_in_force(targets=node.targets, period=row.period)
            if reasons:
                status = rollup.metric_status(
                    direction=m.direction,
                    targets=node.targets,
                    latest_value=row.value,
                    latest_period=row.period,
                    tolerance=m.tolerance,
                    unit=m.unit,
                )
            else:
                code = rollup.value_status(
                    direction=m.direction,
                    targets=[target] if target is not None else [],
                    value=row.value,
                    period=row.period,
                    tolerance=m.tolerance,
                )
                status = rollup.MetricStatus(code, "")
            points.append(SeriesPoint(row, target, status))
        cards.append(MetricCard(node=node, points=points, entered_by=people))
    return cards


def load_scorecard(
    *,
    session: Session,
    plan: Plan,
    horizon: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Scorecard:
    """Page `page` of the live metrics of `plan` that are of `horizon` and have `status` ("" for
    any), in plan order, each with its series; with every metric's status counted. A page past
    the last shows the last."""
    statuses = _latest_statuses(session, plan)
    counts: dict[str, int] = defaultdict(int)
    for _, _, code in statuses:
        counts[code] += 1
    matching = [
        metric_id
        for metric_id, of_horizon, code in statuses
        if (not horizon or of_horizon == horizon) and (not status or code == status)
    ]
    pages = max(1, -(-len(matching) // per_page))
    page = min(max(1, page), pages)
    wanted = matching[(page - 1) * per_page : page * per_page]
    rank = {metric_id: n for n, metric_id in enumerate(wanted)}
    metrics = sorted(
        session.exec(select(Metric).where(col(Metric.id).in_(wanted))),
        key=lambda m: rank[m.id],  # type: ignore[index]
    )
    return Scorecard(
        plan=plan,
        total=len(statuses),
        counts=dict(counts),
        horizon_codes={h for _, h, _ in statuses if h},
        matching=len(matching),
        metrics=_metric_cards(session, plan, metrics, reasons=False),
        horizon=horizon,
        status=status,
        page=page,
        per_page=per_page,
    )


def load_metric_card(*, session: Session, plan: Plan, code: str) -> MetricCard:
    """One live metric of `plan` by its code, with all its measurements and targets."""
    metric = session.exec(
        select(Metric).where(Metric.plan_id == plan.id, Metric.code == code, is_live(Metric))
    ).first()
    if metric is None:
        raise NotFound(f"No metric '{code}' in this plan.")
    return _metric_cards(session, plan, [metric], reasons=True)[0]
