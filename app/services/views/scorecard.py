"""A plan's scorecard: every metric with what it measures, its target, status and measurements.

The series behind each trend chart pairs every measurement with the target in force for its
period (a revised target keeps the old one for the old periods, so the target line steps), and
with the status that measurement had against it.

The scorecard shows its metrics a page at a time (PER_PAGE, in plan order): the status counts and
the filters need every metric's latest status, which three column queries give (no ORM objects,
no reason text); the page's metrics alone are then loaded whole, with their series. A chart's
points are judged with `metric_rule.value_status` (the code only): a metric's page words each one.
Everything is read in a fixed number of queries whatever the number of metrics or measurements.

A metric's card (its words, its series) is services.views.metric_card's; this module counts the
statuses, filters and pages the cards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Measurement, Metric, Plan
from app.models.base import is_live
from app.services.errors import NotFound
from app.services.reading.metric_values import newest_measurement, targets_by_metric
from app.services.reading.visibility import metrics_shown
from app.services.reading.zones import organization_today
from app.services.rules import metric_rule
from app.services.views.metric_card import (
    HORIZON_LABELS,
    MetricCard,
    metric_cards,
)

PER_PAGE = 25


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


def _latest_statuses(
    session: Session, plan: Plan, internal: bool = True
) -> list[tuple[int, str | None, str]]:
    """(id, horizon, latest status code) of every live metric of `plan`, in plan order: two
    column queries, no ORM objects and no reason text."""
    metrics = session.exec(
        select(  # type: ignore[call-overload]
            Metric.id,
            Metric.horizon,
            Metric.direction,
            Metric.tolerance,
            Metric.tolerance_kind,
            Metric.frequency,
            Metric.reporting_window_days,
            newest_measurement(Measurement.period),
            newest_measurement(Measurement.value),
        )
        .where(Metric.plan_id == plan.id, is_live(Metric), metrics_shown(internal))
        .order_by(Metric.position, Metric.id)
    ).all()
    of_plan = select(Metric.id).where(
        Metric.plan_id == plan.id, is_live(Metric), metrics_shown(internal)
    )
    targets_of = targets_by_metric(session, of_plan)
    today = organization_today(session, plan.organization_id)
    out = []
    for metric_id, horizon, direction, tolerance, kind, every, window, period, value in metrics:
        targets = targets_of.get(metric_id, [])
        code = metric_rule.value_status(
            direction=direction,
            targets=targets,
            value=value,
            period=period,
            tolerance=tolerance,
            tolerance_kind=kind,
            reporting=metric_rule.Reporting(every, window, today, plan.period_end),
        )
        out.append((metric_id, horizon, code))
    return out


def load_scorecard(
    *,
    session: Session,
    plan: Plan,
    horizon: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
    internal: bool = True,
) -> Scorecard:
    """Page `page` of the live metrics of `plan` that are of `horizon` and have `status` ("" for
    any), in plan order, each with its series; with every metric's status counted. A page past
    the last shows the last."""
    statuses = _latest_statuses(session, plan, internal)
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
        metrics=metric_cards(session, plan, metrics, reasons=False),
        horizon=horizon,
        status=status,
        page=page,
        per_page=per_page,
    )


def load_metric_card(
    *, session: Session, plan: Plan, code: str, internal: bool = True
) -> MetricCard:
    """One live metric of `plan` by its code, with all its measurements and targets (an internal
    one only when `internal`: NotFound for the public)."""
    metric = session.exec(
        select(Metric).where(
            Metric.plan_id == plan.id,
            Metric.code == code,
            is_live(Metric),
            metrics_shown(internal),
        )
    ).first()
    if metric is None:
        raise NotFound(f"No metric '{code}' in this plan.")
    return metric_cards(session, plan, [metric], reasons=True)[0]
