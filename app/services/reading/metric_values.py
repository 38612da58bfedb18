"""Many metrics' newest values and targets read as columns, for the pages that judge every
metric of a plan or an organisation at once (the scorecard's counts, the review)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from app.models import Measurement, Metric, MetricTarget
from app.models.base import is_live


class TargetFacts(NamedTuple):
    """A target's columns: enough for metric_rule.target_in_force and the rule."""

    value: float
    comparator: str
    effective_from: dt.date | None


def newest_measurement(column: Any) -> Any:
    """The column of a metric's newest live measurement, as a correlated subquery: the index on
    (metric_id, period) finds it without reading the metric's other measurements."""
    return (
        select(column)
        .where(col(Measurement.metric_id) == col(Metric.id), is_live(Measurement))
        .order_by(col(Measurement.period).desc())
        .limit(1)
        .correlate(Metric)
        .scalar_subquery()
    )


def targets_by_metric(session: Session, metric_ids: Any) -> dict[int, list[TargetFacts]]:
    """Each metric's targets, the original one (no date) first, then by the date they apply
    from; `metric_ids` is a select of the metrics' ids, so this is one query however many."""
    targets: dict[int, list[TargetFacts]] = defaultdict(list)
    for metric_id, value, comparator, since in session.exec(
        select(  # type: ignore[call-overload]
            MetricTarget.metric_id,
            MetricTarget.value,
            MetricTarget.comparator,
            MetricTarget.effective_from,
        )
        .where(col(MetricTarget.metric_id).in_(metric_ids))
        .order_by(MetricTarget.id)
    ):
        targets[metric_id].append(TargetFacts(value, comparator, since))
    for facts in targets.values():
        facts.sort(key=lambda t: t.effective_from or dt.date.min)
    return targets
