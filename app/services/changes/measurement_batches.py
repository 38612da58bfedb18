"""Many measurements at once (the grid, an uploaded file, the CLI): all of them, or none.

Each cell is read exactly as a single entry reads it (read_typed_number with the metric's unit
and bounds, MeasurementIn, check_measurement), so a value refused on /my-work is refused here with
the same words, and stored as metrics.record_measurement stores one (its measurement_save,
new_measurement and created), in a few statements for the whole batch. The rules of a batch:

- An empty value is skipped (a grid has many empty cells).
- The permission is checked per metric before anything else: a metric the actor may not record
  refuses the whole batch with 403, naming every such metric and why.
- Every other refusal is collected, one per cell (its metric, period and reason, and the line of
  a file), and raised together as BatchRefused (422): nothing is stored.
- A cell for a period that already has a value is a *correction*: stored when its value (or its
  note) differs, as an update of the stored measurement, so the history shows the value before
  and after, exactly as a single-entry correction does. The same value is left alone (a grid
  shows the stored values in its inputs and sends them back). A cell may name the version it was
  shown (the grid does): if someone saved a newer value since, the cell is refused with that
  value rather than overwriting it. A file names no version: its value corrects what is stored.
  Someone saving a value between the batch's read and its write is refused as a stale edit
  (409, editing.save_many), nothing stored.
- The same metric and period twice in one batch is refused (which one was meant?).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pydantic as pd
from sqlmodel import Session, col, select

from app.models import Department, Measurement, Metric, Plan
from app.models.metric import MeasurementIn
from app.services.accounts.permissions import Action, require
from app.services.changes import metrics
from app.services.changes.bulk_rows import insert_rows
from app.services.changes.editing import Save, save_many
from app.services.changes.history import Actor, record_changes
from app.services.errors import (
    DomainError,
    FieldProblem,
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)
from app.services.reading.zones import organization_today
from app.services.rules.measurement_rules import bounds_of, check_measurement
from app.services.rules.typed_numbers import read_typed_number
from app.services.rules.value_text import format_value

NOTE_MAX = 2_000
KEY = ("metric_id", "period")  # a value's row: one per metric and period


@dataclass(frozen=True)
class Cell:
    """One value as the person gave it: text, read here like single entry reads it."""

    metric_code: str
    period: str  # "YYYY-MM"
    value: str
    note: str = ""
    line: int | None = None  # the file's line, for a refusal that names it
    version: int | None = None  # the stored value's version the grid showed, if it showed one

    @property
    def key(self) -> str:
        """The cell's name in a grid form and in BatchRefused's problems."""
        return f"{self.metric_code}|{self.period}"


@dataclass(frozen=True)
class CellProblem:
    cell: Cell
    column: str  # metric, period, value or note
    message: str

    @property
    def field(self) -> str:
        """A grid's input name; `line 4, value` in a file."""
        if self.cell.line is not None:
            return f"line {self.cell.line}, {self.column}"
        return self.cell.key

    def words(self) -> str:
        """`line 4, value: …` for a file; `FCR 2025-06: …` for a grid."""
        if self.cell.line is not None:
            return f"line {self.cell.line}, {self.column}: {self.message}"
        return f"{self.cell.metric_code} {self.cell.period}: {self.message}"


class BatchRefused(ValidationFailed):
    """Every refused cell of a batch; a FieldProblem per cell, named by `Cell.key`."""

    def __init__(self, cells: list[CellProblem]) -> None:
        super().__init__([FieldProblem(p.field, p.message) for p in cells])
        self.cells = cells
        self.message = f"{len(cells)} value(s) refused; nothing was saved: " + "; ".join(
            p.words() for p in cells
        )


@dataclass
class BatchResult:
    created: list[Cell] = field(default_factory=list)
    corrected: list[Cell] = field(default_factory=list)
    unchanged: list[Cell] = field(default_factory=list)

    def words(self) -> str:
        parts = [f"{len(self.created)} value(s) recorded", f"{len(self.corrected)} corrected"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} unchanged")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class _Planned:
    cell: Cell
    metric: Metric
    data: MeasurementIn
    correction: bool


def read_period(text: str) -> dt.date | None:
    """A period as a grid or file gives it: YYYY-MM (or that month's first day)."""
    text = text.strip()
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-01)?", text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None


def plan_metrics(session: Session, plan: Plan) -> dict[str, Metric]:
    rows = session.exec(
        select(Metric)
        .where(Metric.plan_id == plan.id, col(Metric.archived_at).is_(None))
        .order_by(col(Metric.position), col(Metric.id))
    ).all()
    return {m.code: m for m in rows}


def _check_permissions(
    session: Session, cells: list[Cell], known: dict[str, Metric], actor: Actor
) -> None:
    refused: dict[str, DomainError] = {}
    for code in dict.fromkeys(c.metric_code for c in cells):
        metric = known.get(code)
        if metric is None:
            continue
        try:
            require(session, actor, Action.record_measurement, metric, kind=metrics.KIND)
        except (PermissionDenied, NotAuthenticated) as exc:
            refused[code] = exc
    if refused:
        first = next(iter(refused.values()))
        words = "; ".join(f"{code}: {exc.message}" for code, exc in refused.items())
        raise type(first)(
            f"You may not record values for these metrics, so nothing was saved. {words}"
        )


def _stored(
    session: Session, cells: list[Cell], known: dict[str, Metric]
) -> dict[tuple[int, dt.date], Measurement]:
    """The values already stored for the batch's metrics and periods, live or archived (the
    period has one row either way), in one query: a query per cell made a 480-value grid save
    issue ~1,400 statements more."""
    ids = {known[c.metric_code].id for c in cells if c.metric_code in known}
    periods = {p for c in cells if (p := read_period(c.period)) is not None}
    if not ids or not periods:
        return {}
    rows = session.exec(
        select(Measurement).where(
            col(Measurement.metric_id).in_(ids), col(Measurement.period).in_(periods)
        )
    ).all()
    return {(m.metric_id, m.period): m for m in rows}


def _departments(session: Session, plan: Plan) -> list[Department]:
    """The organisation's departments, held for the whole batch: the session's identity map keeps
    only weak references, so each value's permission check read its department again."""
    return list(
        session.exec(
            select(Department).where(Department.organization_id == plan.organization_id)
        ).all()
    )


def _plan_cell(
    plan: Plan,
    metric: Metric,
    cell: Cell,
    today: dt.date,
    stored: dict[tuple[int, dt.date], Measurement],
) -> _Planned | CellProblem | None:
    """What the cell will do (None: the same value is already stored), or why it cannot."""

    def refuse(column: str, message: str) -> CellProblem:
        return CellProblem(cell, column, message)

    period = read_period(cell.period)
    if period is None:
        return refuse("period", f"{cell.period!r} is not a month: write it as YYYY-MM")
    try:
        value = read_typed_number(cell.value, unit=metric.unit, bounds=bounds_of(metric))
    except ValidationFailed as exc:
        return refuse("value", exc.problems[0].message)
    if len(cell.note) > NOTE_MAX:
        return refuse("note", f"at most {NOTE_MAX} characters")
    if "\x00" in cell.note:
        return refuse("note", "holds a NUL character, which cannot be stored")
    problems = check_measurement(plan, metric, period=period, value=value, today=today)
    if problems:
        return refuse(problems[0].field, problems[0].message)
    existing = stored.get((metric.id, period))  # type: ignore[arg-type]
    if cell.version is not None and (existing is None or existing.version != cell.version):
        now = "no value" if existing is None else format_value(existing.value, metric.unit)
        return refuse("value", f"someone changed this value since you loaded it (now {now})")
    note = cell.note or (existing.note if existing is not None else "")
    if existing is not None and existing.value == value and existing.note == note:
        return None
    try:
        data = MeasurementIn(
            period=period,
            value=value,
            note=note,
            version=existing.version if existing is not None else None,
        )
    except pd.ValidationError as exc:
        error = exc.errors()[0]
        return refuse(str((error.get("loc") or ("value",))[0]), str(error.get("msg", "not valid")))
    return _Planned(cell, metric, data, correction=existing is not None)


def record_measurements(
    *,
    session: Session,
    plan: Plan,
    cells: list[Cell],
    actor: Actor,
    today: dt.date | None = None,
) -> BatchResult:
    """Store every non-empty cell, or none: BatchRefused (422) lists every refused cell,
    PermissionDenied (403) every metric the actor may not record."""
    today = today or organization_today(session, plan.organization_id)
    cells = [c for c in cells if c.value.strip()]
    known = plan_metrics(session, plan)
    held = _departments(session, plan)  # noqa: F841 (kept alive for the identity map)
    _check_permissions(session, cells, known, actor)
    stored = _stored(session, cells, known)
    live = {key: m for key, m in stored.items() if m.archived_at is None}
    problems: list[CellProblem] = []
    planned: list[_Planned] = []
    result = BatchResult()
    seen: dict[tuple[str, str], Cell] = {}
    for cell in cells:
        metric = known.get(cell.metric_code)
        if metric is None:
            problems.append(
                CellProblem(cell, "metric", f"no metric {cell.metric_code!r} in this plan")
            )
            continue
        period = read_period(cell.period)
        twice = seen.get((cell.metric_code, str(period))) if period else None
        if twice is not None:
            where = f" (also line {twice.line})" if twice.line is not None else ""
            problems.append(
                CellProblem(cell, "period", f"this metric and period are given twice{where}")
            )
            continue
        seen[(cell.metric_code, str(period))] = cell
        outcome = _plan_cell(plan, metric, cell, today, live)
        if isinstance(outcome, CellProblem):
            problems.append(outcome)
        elif outcome is None:
            result.unchanged.append(cell)
        else:
            planned.append(outcome)
    if problems:
        raise BatchRefused(problems)
    _write(session, plan, planned, stored, actor)
    for step in planned:
        (result.corrected if step.correction else result.created).append(step.cell)
    return result


def _write(
    session: Session,
    plan: Plan,
    planned: list[_Planned],
    stored: dict[tuple[int, dt.date], Measurement],
    actor: Actor,
) -> None:
    """Store the checked cells as metrics.record_measurement stores one (its measurement_save,
    new_measurement and created), in a few statements for the whole batch: the new values in one
    INSERT, the corrections as one executemany UPDATE (each still naming the version it was made
    from: editing.save_many), a history entry per value with its value before and after."""
    saves: list[Save] = []
    new: list[tuple[Metric, Measurement]] = []
    for step in planned:
        existing = stored.get((step.metric.id, step.data.period))  # type: ignore[arg-type]
        if existing is None:
            row = metrics.new_measurement(metric=step.metric, data=step.data, actor=actor)
            new.append((step.metric, row))
        else:
            saves.append(
                metrics.measurement_save(
                    plan=plan, metric=step.metric, data=step.data, existing=existing, actor=actor
                )
            )
    rows = [row.model_dump(exclude={"id"}) for _, row in new]
    for (_, row), id_ in zip(new, insert_rows(session, Measurement, rows, key=KEY), strict=True):
        row.id = id_
    save_many(session=session, actor=actor, saves=saves)
    record_changes(
        session=session,
        actor=actor,
        changes=[metrics.created(plan=plan, metric=metric, row=row) for metric, row in new],
    )
    metrics.answer_for_values(
        session=session, metrics=[(step.metric, step.data.period) for step in planned], actor=actor
    )
