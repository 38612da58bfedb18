"""Read models of what a plan measures: metrics with their targets and bounds, and measurements.

Apart from the plan's other read models (app.routes.api.schemas) because a metric answers with
its whole target history and its own range for a value, and a measurement hides its note and
void reason from readers who may not see internal narratives.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from app.models import Metric, MetricTarget
from app.models.enums import Comparator, Direction, Frequency, Horizon, ToleranceKind, Unit
from app.models.metric import REPORTING_WINDOW_DOC, TOLERANCE_KIND_DOC
from app.routes.api.schemas import INTERNAL_NOTE, _Editable, _Read
from app.services.rules.metric_rule import target_in_force
from app.services.rules.metric_rule_text import metric_rule_text


class TargetRead(_Read):
    id: int
    value: float
    comparator: Comparator
    label: str
    effective_from: dt.date | None = Field(
        description="In force from this day until the next target's; none: from the start"
    )


class BoundsRead(_Read):
    min: float | None = Field(description="The lowest value allowed; null: the unit's")
    max: float | None = Field(description="The highest value allowed; null: the unit's")


class MetricRead(_Editable):
    id: int
    plan_id: int
    statement_id: int | None
    goal_id: int | None
    strategy_id: int | None
    focus_area_id: int | None
    department_id: int | None
    code: str
    position: int
    name: str
    description: str
    kind: str
    unit: Unit
    direction: Direction
    horizon: Horizon | None
    frequency: Frequency | None
    reporting_window_days: int | None = Field(description=REPORTING_WINDOW_DOC)
    data_source: str
    tolerance: float | None = Field(
        description="The at-risk band, read by tolerance_kind; null: 5% of the target"
    )
    tolerance_kind: ToleranceKind = Field(description=TOLERANCE_KIND_DOC)
    baseline_value: float | None
    baseline_date: dt.date | None
    baseline_note: str
    bounds: BoundsRead | None = Field(
        description="The metric's own range for a value, replacing its unit's (a percentage "
        "is 0 to 100; counts and durations are 0 or more); null: the unit's"
    )
    internal: bool = Field(
        description="For the plan's organisation only: never shown to anonymous readers"
    )
    targets: list[TargetRead] = Field(
        description="Oldest first; a revision keeps the target it replaced"
    )
    rule: str = Field(
        description="How the metric is judged, as one sentence: what is on track, at risk and "
        "off track against the target in force for its latest value (today's when it has none), "
        'e.g. "On track at 75% or more; at risk from 71.25%; off track below."; '
        '"No target set: not judged." without a target; with a reporting window, then when '
        "values are due: \"Reported monthly, due within 30 days of each month's end; stale when "
        'a value is late."'
    )

    @classmethod
    def of(
        cls, metric: Metric, targets: list[MetricTarget], latest: dt.date | None, today: dt.date
    ) -> MetricRead:
        """`latest`: the period of its latest live value, which picks the target in force (else
        the one of `today`, the plan's organisation's day)."""
        in_force = target_in_force(targets=targets, period=latest or today)
        return cls.model_validate(
            {
                **metric.model_dump(),
                "bounds": None
                if metric.bound_min is None and metric.bound_max is None
                else {"min": metric.bound_min, "max": metric.bound_max},
                "targets": [TargetRead.model_validate(t) for t in targets],
                "rule": metric_rule_text(metric, in_force),
            }
        )


class MeasurementRead(_Editable):
    id: int
    metric_id: int
    period: dt.date = Field(description="The first day of the period the value is for")
    value: float
    note: str | None = Field(description=INTERNAL_NOTE)
    void_reason: str | None = Field(
        description="Why the value was voided (its `archived_at` says when); empty while it "
        "stands. Null when the reader may not see internal narratives"
    )
    voided_by_id: int | None = Field(
        description="The user who voided it. Null while it stands, or when the reader may not "
        "see internal narratives"
    )

    INTERNAL_FIELDS = ("note", "void_reason", "voided_by_id")
