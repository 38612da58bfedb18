"""/plans/{slug}/measurements/grid: a plan's (or one department's) metrics as rows, their last
twelve periods as columns, the stored values in the cells.

Metrics are grouped by frequency, each group a table of its own periods: monthly (the default, and
for weekly or ad hoc metrics, whose values are recorded by month), quarterly, half-yearly, yearly,
two-yearly (reporting_periods.PERIOD_MONTHS says how many months each period has).
The columns end at the newest period a value may be recorded for (this month, or the plan's last).
A cell takes a value when the reader may record the metric and the period is in the plan's
reporting window; its input is named `v:CODE|YYYY-MM`, with `|VERSION` when a value is stored, so
a save corrects only the value that was shown (measurement_batches.Cell.version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Row
from sqlmodel import Session, col, select

from app.models import Department, Measurement, Metric, Plan, User
from app.models.enums import Frequency
from app.services.accounts.permissions import Action, can
from app.services.changes.measurement_batches import plan_metrics
from app.services.errors import NotFound
from app.services.reading.catalog import DEPARTMENT_ORDER
from app.services.reading.zones import organization_today
from app.services.rules.measurement_rules import recordable_months, reporting_window
from app.services.rules.reporting_periods import PERIOD_MONTHS
from app.services.views.metric_card import period_text

COLUMNS = 12
Stored = Row[tuple[int, dt.date, float, int]]  # a stored value: metric_id, period, value, version
_GROUP_NAMES = {1: "Monthly", 3: "Quarterly", 6: "Half-yearly", 12: "Yearly", 24: "Two-yearly"}


def plain_number(value: float) -> str:
    """A stored value as an input shows it: read back by read_typed_number as the same number."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True)
class GridCell:
    period: dt.date
    name: str  # the input's name
    shown: str  # the stored value, as the input shows it ("" when none)
    open: bool  # a value may be typed here
    key: str  # CODE|YYYY-MM, as a refusal names the cell


@dataclass(frozen=True)
class GridRow:
    metric: Metric
    editable: bool
    cells: list[GridCell]


@dataclass(frozen=True)
class GridSection:
    title: str
    periods: list[dt.date]
    headings: list[str]
    rows: list[GridRow]


@dataclass
class Grid:
    plan: Plan
    department: Department | None
    departments: list[Department]
    sections: list[GridSection] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        return any(r.editable for s in self.sections for r in s.rows)

    @property
    def open_keys(self) -> set[str]:
        """`CODE|YYYY-MM` of every cell that takes a value (a refusal of another is listed)."""
        return {c.key for s in self.sections for r in s.rows for c in r.cells if c.open}

    @property
    def query(self) -> str:
        return grid_query(self.department)


def grid_query(department: Department | None) -> str:
    """The grid's query string: the department shown, if one."""
    return f"?department={department.code}" if department else ""


def _step(metric: Metric) -> int:
    """Months per column: the metric's period (reporting_periods, the one rule); weekly and ad
    hoc metrics are recorded by month."""
    return PERIOD_MONTHS.get(metric.frequency or "", 1)


def _periods(newest: dt.date, step: int) -> list[dt.date]:
    index = newest.year * 12 + newest.month - 1
    index -= index % step  # the start of the period `newest` falls in
    out = []
    for _ in range(COLUMNS):
        out.append(dt.date(index // 12, index % 12 + 1, 1))
        index -= step
    return list(reversed(out))


def department_named(session: Session, plan: Plan, code: str) -> Department | None:
    if not code:
        return None
    dept = session.exec(
        select(Department).where(
            Department.organization_id == plan.organization_id, Department.code == code
        )
    ).first()
    if dept is None:
        raise NotFound(f"No department {code!r} in this plan's organisation.")
    return dept


def can_record_any(session: Session, plan: Plan, user: User | None) -> bool:
    """Whether `user` may record some metric of `plan`: the scorecard links the grid then."""
    if user is None:
        return False
    return any(
        can(session, user, Action.record_measurement, m, kind="metric")
        for m in plan_metrics(session, plan).values()
    )


def load_grid(
    *,
    session: Session,
    plan: Plan,
    user: User | None,
    department: Department | None = None,
    today: dt.date | None = None,
) -> Grid:
    today = today or organization_today(session, plan.organization_id)
    shown = [
        m
        for m in plan_metrics(session, plan).values()
        if department is None or m.department_id == department.id
    ]
    departments = session.exec(
        select(Department)
        .where(Department.organization_id == plan.organization_id)
        .order_by(*DEPARTMENT_ORDER)
    ).all()
    grid = Grid(plan, department, list(departments))
    groups = []
    for step in sorted({_step(m) for m in shown}):
        group = [m for m in shown if _step(m) == step]
        _, newest = recordable_months(plan, group[0], today=today)
        groups.append((step, group, _periods(newest, step)))
    stored = _shown_values(session, shown, {p for _, _, periods in groups for p in periods})
    for step, group, periods in groups:
        rows = [_row(session, plan, user, m, periods, stored) for m in group]
        frequency = group[0].frequency if step > 1 else Frequency.monthly
        headings = [period_text(p, frequency) for p in periods]
        grid.sections.append(GridSection(_GROUP_NAMES[step], periods, headings, rows))
    return grid


def _shown_values(
    session: Session, shown: list[Metric], periods: set[dt.date]
) -> dict[tuple[int, dt.date], Stored]:
    """The live values of the grid's cells only (its columns' periods; not every value the
    metrics ever had, 11,000 rows for a city plan), as plain rows."""
    if not shown or not periods:
        return {}
    rows = session.exec(
        select(
            Measurement.metric_id, Measurement.period, Measurement.value, Measurement.version
        ).where(
            col(Measurement.metric_id).in_([m.id for m in shown]),
            col(Measurement.period).in_(periods),
            col(Measurement.archived_at).is_(None),
        )
    ).all()
    return {(r.metric_id, r.period): r for r in rows}


def _row(
    session: Session,
    plan: Plan,
    user: User | None,
    metric: Metric,
    periods: list[dt.date],
    stored: dict[tuple[int, dt.date], Stored],
) -> GridRow:
    editable = can(session, user, Action.record_measurement, metric, kind="metric")
    start, end, _ = reporting_window(plan, metric)
    cells = []
    for period in periods:
        value = stored.get((metric.id, period))  # type: ignore[arg-type]
        key = f"{metric.code}|{period:%Y-%m}"
        name = f"v:{key}|{value.version}" if value else f"v:{key}"
        inside = (start is None or period >= start) and (end is None or period <= end)
        shown = plain_number(value.value) if value else ""
        cells.append(GridCell(period, name, shown, editable and inside, key))
    return GridRow(metric, editable, cells)
