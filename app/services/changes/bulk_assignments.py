"""Owners and dates for many strategies and metrics at once (the plan builder's owners table and
PUT /api/v1/plans/{slug}/assignments): every row saved, or none.

Each row names an item (`kind` strategy or metric, its `id`), the `version` it was shown, and the
fields to set. A row goes through the item's own rules, strategies.update_strategy with a
StrategyUpdate or metrics.update_metric with a MetricUpdate, so a value refused on its own is
refused here with the same words, versioned and recorded in the history in the same way. The
rules of a batch:

- Every row is checked; every refusal is collected (never only the first) and named
  `rows.{i}.{field}` with the row's code, then raised together (AssignmentsRefused, 422).
- A row whose version is not the item's current one is stale: refused as a conflict naming the
  row (409 when it is the only kind of refusal; listed with the others in a 422 otherwise).
- A row the actor may not edit refuses the whole save (403), naming every such row.
- The same item twice in one save is refused (which values were meant?).
- A row that changes nothing is not written: no new version, no history entry.

The rows are applied inside a savepoint: when any is refused, the rows already applied are rolled
back with it, whoever the caller is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pydantic as pd
from sqlmodel import Session, col, select

from app.models import Department, Metric, Phase, Plan, Strategy
from app.models.metric import MetricUpdate
from app.models.strategy import StrategyUpdate
from app.services.changes import metrics, strategies
from app.services.changes.history import Actor
from app.services.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)

STRATEGY_FIELDS = (
    "department_id",
    "leads",
    "planned_start",
    "planned_end",
    "phase_id",
    "term",
    "update_cadence_days",
)
METRIC_FIELDS = ("department_id", "frequency")
FIELDS = {"strategy": STRATEGY_FIELDS, "metric": METRIC_FIELDS}
MAX_ROWS = 2_000


@dataclass(frozen=True)
class Assignment:
    """One row as a client gives it: the values are checked by the item's own update schema."""

    kind: str  # strategy | metric
    id: int
    version: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row's place in the save, from 0
    kind: str
    id: int
    code: str  # the item's code ("" when no such item)
    column: str
    message: str

    @property
    def field(self) -> str:
        return f"rows.{self.row}.{self.column}"

    def words(self) -> str:
        name = self.code or f"{self.kind} {self.id}"
        return f"{name} ({self.column}): {self.message}"


class AssignmentsRefused(ValidationFailed):
    """Every refused row of a save; a FieldProblem per refusal, named `rows.{i}.{field}`."""

    def __init__(self, rows: list[RowProblem]) -> None:
        super().__init__([FieldProblem(p.field, p.message) for p in rows])
        self.rows = rows
        self.message = f"{len(rows)} problem(s); nothing was saved: " + "; ".join(
            p.words() for p in rows
        )

    def body(self) -> dict[str, Any]:
        out = super().body()
        out["fields"] = [
            {"field": p.field, "message": p.message, "row": p.row, "kind": p.kind, "id": p.id,
             "code": p.code}
            for p in self.rows
        ]  # fmt: skip
        return out


class StaleAssignments(Conflict):
    """Rows edited from a version someone else has since replaced: `current` holds their values."""

    def __init__(self, stale: list[tuple[int, Strategy | Metric, str]]) -> None:
        names = ", ".join(_code(item) for _, item, _ in stale)
        super().__init__(
            f"Someone else saved a newer version of {names} while you were editing; nothing was "
            "saved. Review their values and try again.",
            current={
                "rows": [
                    {
                        "row": index,
                        "kind": kind,
                        "id": item.id,
                        "code": _code(item),
                        "version": item.version,
                        **{name: _plain(getattr(item, name)) for name in FIELDS[kind]},
                    }
                    for index, item, kind in stale
                ]
            },
        )
        self.stale = [(index, kind, item.id) for index, item, kind in stale]


@dataclass
class AssignmentsResult:
    changed: list[tuple[str, int]] = field(default_factory=list)  # (kind, id)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    items: dict[tuple[str, int], Any] = field(default_factory=dict)  # every row's item, saved

    def words(self) -> str:
        return f"{len(self.changed)} row(s) saved, {len(self.unchanged)} unchanged."


def _code(item: Strategy | Metric) -> str:
    return item.code


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _references(session: Session, plan: Plan) -> list[Any]:
    """The organisation's departments and the plan's phases, which each row's rules look up by
    id (the owner's name for the permission check, the references' check). Held by the caller
    for the whole save: the session's identity map keeps only weak references, so without them
    every row would read its department again (one query a row)."""
    departments = session.exec(
        select(Department).where(Department.organization_id == plan.organization_id)
    ).all()
    phases = session.exec(select(Phase).where(Phase.plan_id == plan.id)).all()
    return [*departments, *phases]


def _load(session: Session, plan: Plan, rows: list[Assignment]) -> dict[tuple[str, int], Any]:
    """The rows' items of this plan, live ones only, in two queries whatever the row count."""
    found: dict[tuple[str, int], Any] = {}
    for kind, model in (("strategy", Strategy), ("metric", Metric)):
        ids = {r.id for r in rows if r.kind == kind}
        if not ids:
            continue
        items = session.exec(
            select(model).where(
                model.plan_id == plan.id,  # type: ignore[attr-defined]
                col(model.id).in_(ids),  # type: ignore[attr-defined]
                col(model.archived_at).is_(None),  # type: ignore[attr-defined]
            )
        ).all()
        found.update(((kind, item.id), item) for item in items)
    return found


def _update_data(kind: str, row: Assignment) -> StrategyUpdate | MetricUpdate:
    model = StrategyUpdate if kind == "strategy" else MetricUpdate
    return model(version=row.version, **row.values)


def _checked(
    index: int, row: Assignment, item: Any, seen: dict[tuple[str, int], int]
) -> tuple[StrategyUpdate | MetricUpdate | None, list[RowProblem]]:
    """The row's update, or why it cannot be one (kind, item, duplicates, fields, values)."""

    def refuse(column: str, message: str) -> RowProblem:
        return RowProblem(index, row.kind, row.id, item.code if item else "", column, message)

    if row.kind not in FIELDS:
        return None, [refuse("kind", "must be strategy or metric")]
    if item is None:
        return None, [refuse("id", f"no live {row.kind} with id {row.id} in this plan")]
    twice = seen.setdefault((row.kind, row.id), index)
    if twice != index:
        return None, [refuse("id", f"this {row.kind} is given twice (also row {twice})")]
    sets = ", ".join(FIELDS[row.kind])
    problems = [
        refuse(name, f"is not a field a {row.kind} row sets (it sets {sets})")
        for name in row.values
        if name not in FIELDS[row.kind]
    ]
    if problems:
        return None, problems
    try:
        return _update_data(row.kind, row), []
    except pd.ValidationError as exc:
        return None, [
            refuse(".".join(str(p) for p in e.get("loc") or ("value",)), str(e.get("msg", "")))
            for e in exc.errors(include_url=False)
        ]


def _apply(
    session: Session, kind: str, item: Any, data: StrategyUpdate | MetricUpdate, actor: Actor
) -> None:
    if kind == "strategy":
        strategies.update_strategy(session=session, strategy=item, data=data, actor=actor)  # type: ignore[arg-type]
    else:
        metrics.update_metric(session=session, metric=item, data=data, actor=actor)  # type: ignore[arg-type]


def save_assignments(
    *, session: Session, plan: Plan, rows: list[Assignment], actor: Actor
) -> AssignmentsResult:
    """Apply every row or none. PermissionDenied (403) names every row the actor may not edit;
    AssignmentsRefused (422) every refused row and field; StaleAssignments (409) every stale row
    when nothing else is wrong."""
    if len(rows) > MAX_ROWS:
        raise ValidationFailed.one("rows", f"at most {MAX_ROWS} rows in one save")
    items = _load(session, plan, rows)
    held = _references(session, plan)  # noqa: F841 (kept alive for the identity map)
    problems: list[RowProblem] = []
    denied: list[tuple[Any, DomainError]] = []
    stale: list[tuple[int, Any, str]] = []
    result = AssignmentsResult()
    seen: dict[tuple[str, int], int] = {}
    savepoint = session.begin_nested()
    try:
        for index, row in enumerate(rows):
            item = items.get((row.kind, row.id))
            data, refused = _checked(index, row, item, seen)
            problems.extend(refused)
            if data is None:
                continue
            if item.version != row.version:
                stale.append((index, item, row.kind))
                continue
            before = item.version
            try:
                _apply(session, row.kind, item, data, actor)
            except (PermissionDenied, NotAuthenticated) as exc:
                denied.append((item, exc))
                continue
            except ValidationFailed as exc:
                problems.extend(
                    RowProblem(index, row.kind, row.id, item.code, p.field, p.message)
                    for p in exc.problems
                )
                continue
            except Conflict:  # saved by someone else between our read and our write
                stale.append((index, item, row.kind))
                continue
            kept = result.changed if item.version != before else result.unchanged
            kept.append((row.kind, row.id))
            result.items[(row.kind, row.id)] = item
    except BaseException:
        savepoint.rollback()
        raise
    if denied or problems or stale:
        savepoint.rollback()
    else:
        savepoint.commit()
    if denied:
        first = denied[0][1]
        words = "; ".join(f"{item.code}: {exc.message}" for item, exc in denied)
        raise type(first)(f"You may not change these rows, so nothing was saved. {words}")
    if problems:
        problems.extend(
            RowProblem(i, kind, item.id, item.code, "version", "someone saved a newer version")
            for i, item, kind in stale
        )
        raise AssignmentsRefused(sorted(problems, key=lambda p: p.row))
    if stale:
        for _, item, _ in stale:
            session.refresh(item)
        raise StaleAssignments(stale)
    return result
