"""Metrics, their dated targets and their measurements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic as pd
from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field

from app.models.base import (
    MAX_ID,
    ClientInput,
    RowId,
    Timestamped,
    Versioned,
    enum_check,
    enum_field,
)
from app.models.enums import Comparator, Direction, Frequency, Horizon, ToleranceKind, Unit


class Metric(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        enum_check("unit", Unit),
        enum_check("direction", Direction),
        enum_check("horizon", Horizon, nullable=True),
        enum_check("frequency", Frequency, nullable=True),
        CheckConstraint("tolerance IS NULL OR tolerance >= 0", name="tolerance_positive"),
        CheckConstraint(
            "reporting_window_days IS NULL"
            " OR (reporting_window_days >= 0 AND reporting_window_days <= 366)",
            name="reporting_window_days_range",
        ),
        enum_check("tolerance_kind", ToleranceKind),
        # A metric measures at most one thing; none means the plan as a whole (a vision measure).
        CheckConstraint(
            "(CASE WHEN statement_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN goal_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN strategy_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN focus_area_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="measures_one",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    statement_id: int | None = Field(default=None, foreign_key="statement.id", ondelete="SET NULL")
    goal_id: int | None = Field(default=None, foreign_key="goal.id", ondelete="SET NULL")
    strategy_id: int | None = Field(default=None, foreign_key="strategy.id", ondelete="SET NULL")
    focus_area_id: int | None = Field(
        default=None, foreign_key="focus_area.id", ondelete="SET NULL"
    )
    department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL", index=True
    )
    code: str = Field(sa_type=String(20))
    position: int = 0
    name: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)
    kind: str = Field(default="", sa_type=String(300))
    unit: str = enum_field(Unit)
    direction: str = enum_field(Direction)
    horizon: str | None = enum_field(Horizon, None, nullable=True)
    frequency: str | None = enum_field(Frequency, None, nullable=True)
    # How many days after a period ends its value is due (a monthly metric within 30 days).
    # None: not set, never late. app.services.rules.metric_rule.late_period applies it.
    reporting_window_days: int | None = None
    data_source: str = Field(default="", sa_type=String(300))
    tolerance: float | None = None
    # How `tolerance` is read: "absolute" in the metric's unit, or "share": a percentage of
    # |target| (5 means 5%). app.services.rules.metric_rule.allowed_band applies it.
    tolerance_kind: str = enum_field(ToleranceKind, ToleranceKind.absolute)
    baseline_value: float | None = None
    baseline_date: dt.date | None = None
    baseline_note: str = Field(default="", sa_type=Text)
    # The metric's own range for a measurement, replacing its unit's (a percentage is 0–100):
    # None keeps the unit's side. app.services.rules.measurement_rules applies them.
    bound_min: float | None = None
    bound_max: float | None = None
    # Internal metrics are for the plan's organisation only: never shown to anonymous readers
    # (public site, open data, pages, API, exports). app.services.reading.visibility applies it.
    internal: bool = Field(default=False, sa_column_kwargs={"default": False})


class MetricTarget(Timestamped, table=True):
    """A target in force from `effective_from`; a revision adds a row and keeps the old one."""

    __tablename__ = "metric_target"
    __table_args__ = (
        enum_check("comparator", Comparator),
        UniqueConstraint("metric_id", "effective_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    metric_id: int = Field(foreign_key="metric.id", ondelete="CASCADE", index=True)
    value: float
    comparator: str = enum_field(Comparator)
    label: str = Field(default="", sa_type=String(300))
    # NULL: in force from the beginning (the plan's original target).
    effective_from: dt.date | None = None


class Measurement(Versioned, table=True):
    __table_args__ = (UniqueConstraint("metric_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    metric_id: int = Field(foreign_key="metric.id", ondelete="CASCADE", index=True)
    period: dt.date
    value: float
    note: str = Field(default="", sa_type=Text)
    entered_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    # A voided measurement is archived (gone from charts and statuses) and says who voided it
    # and why; the history keeps the value it had.
    void_reason: str = Field(default="", sa_type=Text)
    voided_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


MAX_REPORTING_WINDOW_DAYS = 366
REPORTING_WINDOW_DOC = (
    "How many days after each period (by `frequency`) ends its value is due, 0 to 366; null: "
    "not set, so the metric is never late. A metric whose newest due value is missing is stale, "
    "unless its latest value is off track."
)


def reporting_window_field() -> Any:
    return pd.Field(
        default=None, ge=0, le=MAX_REPORTING_WINDOW_DAYS, description=REPORTING_WINDOW_DOC
    )


TOLERANCE_KIND_DOC = (
    'How `tolerance` (the at-risk band) is read: "absolute", in the metric\'s unit (points for '
    'a percentage), or "share", a percentage of the target (5 means 5% of |target|, at most '
    "100). Blank tolerance: 5% of the target either way."
)


INTERNAL_DOC = (
    "An internal metric is for the plan's organisation only: anonymous readers (the public site, "
    "open data, published pages and the API) never see it."
)


MEASURES_DOC = (
    "What the metric measures (a statement, goal, strategy or focus area of its plan), at most "
    "one: sending any of `statement_id`, `goal_id`, `strategy_id`, `focus_area_id` replaces "
    "what it measured, the ones not sent are cleared; all null: the plan as a whole."
)


class BoundsIn(ClientInput):
    """A metric's own range for its values; each side given replaces the unit's."""

    model_config = pd.ConfigDict(extra="forbid")

    min: float | None = pd.Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)
    max: float | None = pd.Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)

    @pd.model_validator(mode="after")
    def _ordered(self) -> BoundsIn:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be above max")
        return self


class TargetIn(ClientInput):
    value: float = pd.Field(allow_inf_nan=False, ge=-1e12, le=1e12)
    comparator: Comparator
    label: str = pd.Field(default="", max_length=300)
    effective_from: dt.date | None = None


class MetricCreate(ClientInput):
    code: str = pd.Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")
    name: str = pd.Field(min_length=1, max_length=300)
    description: str = pd.Field(default="", max_length=20_000)
    kind: str = pd.Field(default="", max_length=300)
    unit: Unit
    direction: Direction
    horizon: Horizon | None = None
    frequency: Frequency | None = None
    reporting_window_days: int | None = reporting_window_field()
    data_source: str = pd.Field(default="", max_length=300)
    department_id: RowId | None = None
    statement_id: RowId | None = None
    goal_id: RowId | None = None
    strategy_id: RowId | None = None
    focus_area_id: RowId | None = None
    tolerance: float | None = pd.Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    tolerance_kind: ToleranceKind = pd.Field(
        default=ToleranceKind.absolute, description=TOLERANCE_KIND_DOC
    )
    baseline_value: float | None = pd.Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)
    baseline_date: dt.date | None = None
    bounds: BoundsIn | None = None
    target: TargetIn | None = None
    internal: bool = pd.Field(default=False, description=INTERNAL_DOC)


class MetricUpdate(ClientInput):
    version: int = pd.Field(ge=1, le=MAX_ID)
    name: str | None = pd.Field(default=None, min_length=1, max_length=300)
    description: str | None = pd.Field(default=None, max_length=20_000)
    kind: str | None = pd.Field(default=None, max_length=300)
    unit: Unit | None = None
    direction: Direction | None = None
    horizon: Horizon | None = None
    frequency: Frequency | None = None
    reporting_window_days: int | None = reporting_window_field()
    data_source: str | None = pd.Field(default=None, max_length=300)
    department_id: RowId | None = None
    tolerance: float | None = pd.Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    tolerance_kind: ToleranceKind | None = pd.Field(default=None, description=TOLERANCE_KIND_DOC)
    baseline_value: float | None = pd.Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)
    baseline_date: dt.date | None = None
    bounds: BoundsIn | None = None
    internal: bool | None = pd.Field(default=None, description=INTERNAL_DOC)
    # What it measures: send one of these to change it; the others are cleared with it (a
    # metric measures one thing). null for the one sent: the plan as a whole.
    statement_id: RowId | None = pd.Field(default=None, description=MEASURES_DOC)
    goal_id: RowId | None = pd.Field(default=None, description=MEASURES_DOC)
    strategy_id: RowId | None = pd.Field(default=None, description=MEASURES_DOC)
    focus_area_id: RowId | None = pd.Field(default=None, description=MEASURES_DOC)


class MeasurementIn(ClientInput):
    """A value for one period (the period's first day). `version` is needed only to correct an
    existing value for the same period, so a correction never overwrites a newer one unseen."""

    period: dt.date
    value: float = pd.Field(ge=-1e12, le=1e12, allow_inf_nan=False)
    note: str = pd.Field(default="", max_length=2_000)
    version: int | None = pd.Field(default=None, ge=1, le=MAX_ID)


class MeasurementVoid(ClientInput):
    """Why a wrong value is voided: kept with it and in the history."""

    version: int = pd.Field(ge=1, le=MAX_ID)
    reason: str = pd.Field(min_length=1, max_length=2_000)
