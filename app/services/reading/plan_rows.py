"""The columns a reader of the plan sees, as plain rows without ORM objects.

The plan tree reads strategies, steps, metrics, targets and measurements as these named tuples,
not ORM objects: a city's plan has thousands of them and an ORM object costs ~20 µs to build.
Their fields carry the ORM attribute names, so templates read either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select
from sqlmodel import Session


class StrategyRow(NamedTuple):
    id: int
    plan_id: int
    focus_area_id: int | None
    department_id: int | None
    phase_id: int | None
    code: str
    position: int
    title: str
    description: str
    term: str | None
    priority: int | None
    leads: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    progress: int
    progress_counting: str
    narrative: str
    update_cadence_days: int
    last_update_at: dt.datetime | None
    version: int


class StepRow(NamedTuple):
    id: int
    strategy_id: int
    parent_id: int | None
    position: int
    title: str
    completion_measure: str
    owner: str
    due: dt.date | None
    done_on: dt.date | None
    version: int


class MetricRow(NamedTuple):
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
    unit: str
    direction: str
    horizon: str | None
    frequency: str | None
    reporting_window_days: int | None
    tolerance: float | None
    tolerance_kind: str
    baseline_value: float | None
    baseline_date: dt.date | None
    version: int


class TargetRow(NamedTuple):
    id: int
    metric_id: int
    value: float
    comparator: str
    label: str
    effective_from: dt.date | None


class MeasurementRow(NamedTuple):
    id: int
    metric_id: int
    period: dt.date
    value: float


R = TypeVar("R", bound=tuple[Any, ...])


def columns(row_type: type[tuple[Any, ...]], model: type) -> list[Any]:
    """The model's columns named by the row type's fields, in order."""
    return [getattr(model, name) for name in row_type._fields]  # type: ignore[attr-defined]


def rows(session: Session, row_type: type[R], query: Select[Any]) -> list[R]:
    """Run a column query on the session's connection: plain rows, without the ORM's loading
    machinery (which costs more than the query itself for a thousand rows)."""
    make = row_type._make  # type: ignore[attr-defined]
    return [make(r) for r in session.connection().execute(query)]
