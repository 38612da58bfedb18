"""Saving a change to a versioned row: refuse stale edits, keep every accepted one in the history.

Every editable row carries `version`. A change names the version it was made from; the UPDATE is
`… WHERE id = :id AND version = :expected`, so of two writers who read the same version exactly
one wins and the other is told, with the newer value and who saved it, instead of overwriting it.
The history entry is written in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select

from app.models import HistoryAction, HistoryEntry
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.services.changes.history import Actor, Change, record_change, record_changes
from app.services.errors import Conflict, FieldProblem, ValidationFailed


def _snapshot(item: SQLModel, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(item, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def stale_edit(
    session: Session,
    item: Any,
    *,
    expected_version: int,
    subject_type: SubjectType,
    fields: list[str],
) -> Conflict:
    """The refusal for a stale edit, carrying the current values and who last saved them."""
    session.refresh(item)
    last = session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == subject_type, HistoryEntry.subject_id == item.id)
        .order_by(col(HistoryEntry.id).desc())
        .limit(1)
    ).first()
    saved_by = last.actor_name if last else ""
    saved_at = last.at.isoformat() if last else ""
    who = f" by {saved_by}" if saved_by else ""
    return Conflict(
        f"Someone else saved a newer version{who} while you were editing (you edited version "
        f"{expected_version}, the current one is {item.version}). "
        "Review their change and try again.",
        current={"version": item.version, **_snapshot(item, fields)},
        saved_by=saved_by,
        saved_at=saved_at,
    )


def _checked_diff(
    session: Session,
    item: Any,
    expected_version: int,
    changes: Mapping[str, Any],
    subject_type: SubjectType,
) -> dict[str, tuple[Any, Any]]:
    """The fields that differ, as (before, after); refuses a null for a NOT NULL column (422)
    and a stale edit (409)."""
    model = type(item)
    # "null" for a column that cannot hold it is bad input (422), not a database error (500).
    nulls = [
        FieldProblem(name, "must not be null")
        for name, value in changes.items()
        if value is None and not model.__table__.c[name].nullable
    ]
    if nulls:
        raise ValidationFailed(nulls)
    if item.version != expected_version:
        raise stale_edit(
            session,
            item,
            expected_version=expected_version,
            subject_type=subject_type,
            fields=list(changes),
        )
    return {
        name: (getattr(item, name), value)
        for name, value in changes.items()
        if getattr(item, name) != value
    }


def save_changes(
    *,
    session: Session,
    item: Any,
    expected_version: int,
    changes: Mapping[str, Any],
    actor: Actor,
    subject_type: SubjectType,
    label: str,
    plan_id: int | None,
    organization_id: int | None,
    action: HistoryAction = HistoryAction.update,
    note: str = "",
    always_record: bool = False,
    extra_values: Mapping[str, Any] | None = None,
    extra_history: Mapping[str, tuple[Any, Any]] | None = None,
) -> HistoryEntry | None:
    """Apply `changes` to `item` if it is still at `expected_version`; record them in the history.

    Nothing that differs → nothing saved and no history, unless `always_record` (a progress
    update that only confirms the status is still news: it resets staleness).
    `extra_values` are written too but not recorded as changes (e.g. last_update_at);
    `extra_history` records changes made elsewhere in the same transaction (a new target row).
    """
    model = type(item)
    fields = list(changes)
    diff = _checked_diff(session, item, expected_version, changes, subject_type)
    if not diff and not always_record:
        return None
    values = {name: after for name, (_, after) in diff.items()}
    values.update(extra_values or {})
    result = session.execute(
        update(model)
        .where(model.id == item.id, model.version == expected_version)
        .values(**values, version=expected_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale_edit(
            session,
            item,
            expected_version=expected_version,
            subject_type=subject_type,
            fields=fields,
        )
    session.refresh(item)
    return record_change(
        session=session,
        actor=actor,
        subject_type=subject_type,
        subject_id=item.id,
        action=action,
        changes={**diff, **(extra_history or {})},
        note=note,
        label=label,
        plan_id=plan_id,
        organization_id=organization_id,
        version_after=item.version,
    )


@dataclass(frozen=True)
class Save:
    """One row's change for `save_many`: save_changes's arguments for that row."""

    item: Any
    expected_version: int
    changes: Mapping[str, Any]
    subject_type: SubjectType
    label: str
    plan_id: int | None
    organization_id: int | None
    action: HistoryAction = HistoryAction.update
    extra_values: Mapping[str, Any] | None = None


def save_one(*, session: Session, actor: Actor, save: Save) -> HistoryEntry | None:
    """`save_changes` for one `Save`."""
    return save_changes(
        session=session,
        actor=actor,
        item=save.item,
        expected_version=save.expected_version,
        changes=save.changes,
        subject_type=save.subject_type,
        label=save.label,
        plan_id=save.plan_id,
        organization_id=save.organization_id,
        action=save.action,
        extra_values=save.extra_values,
    )


def save_many(*, session: Session, actor: Actor, saves: Sequence[Save]) -> None:
    """`save_changes` for many rows (a batch of measurements), in a few statements.

    The same rules, row by row: a null for a NOT NULL column is refused, a row whose version is
    not the one its change was made from is refused with stale_edit (409), a row whose values do
    not differ is left alone, and each changed row gets its own history entry with every field's
    value before and after. The UPDATEs of rows that set the same columns go as one executemany,
    each still `WHERE id = :id AND version = :expected`, after one locking read of their versions:
    a row saved by someone since the caller read it is refused with stale_edit and, the caller
    rolling back, nothing is stored. The values written are known, so the rows are not read
    again (`save_changes` re-reads its row); they are set as committed on the objects.
    """
    now = utcnow()
    writes: list[tuple[Save, dict[str, tuple[Any, Any]], dict[str, Any]]] = []
    for save in saves:
        diff = _checked_diff(
            session, save.item, save.expected_version, save.changes, save.subject_type
        )
        if not diff:
            continue
        values = {name: after for name, (_, after) in diff.items()}
        values.update(save.extra_values or {})
        values.update(version=save.expected_version + 1, updated_at=now)
        writes.append((save, diff, values))
    groups: dict[tuple[type, tuple[str, ...]], list[Save]] = {}
    for save, _, values in writes:
        groups.setdefault((type(save.item), tuple(sorted(values))), []).append(save)
    written = {id(save): values for save, _, values in writes}
    for (model, names), group in groups.items():
        _update_group(session, model, names, group, written)
    record_changes(
        session=session,
        actor=actor,
        changes=[
            Change(
                subject_type=save.subject_type,
                subject_id=save.item.id,
                action=save.action,
                changes=diff,
                label=save.label,
                plan_id=save.plan_id,
                organization_id=save.organization_id,
                version_after=save.item.version,
            )
            for save, diff, _ in writes
        ],
    )


def _update_group(
    session: Session,
    model: type,
    names: tuple[str, ...],
    group: list[Save],
    written: dict[int, dict[str, Any]],
) -> None:
    """One executemany UPDATE for rows setting the same columns; the rows' objects then hold
    the values written, as committed. The rows are first locked (PostgreSQL; SQLite's writer
    holds the database) and their versions checked, so a row saved by someone since the caller
    read it is named: after the UPDATE, the other writer's version and ours could be equal."""
    table = model.__table__  # type: ignore[attr-defined]
    current = dict(
        session.execute(
            select(table.c.id, table.c.version)
            .where(table.c.id.in_([save.item.id for save in group]))
            .order_by(table.c.id)
            .with_for_update()
        ).all()
    )
    for save in group:
        if current.get(save.item.id) != save.expected_version:
            raise stale_edit(
                session,
                save.item,
                expected_version=save.expected_version,
                subject_type=save.subject_type,
                fields=list(save.changes),
            )
    statement = (
        update(table)
        .where(table.c.id == bindparam("where_id"), table.c.version == bindparam("where_version"))
        .values({name: bindparam(f"set_{name}", type_=table.c[name].type) for name in names})
    )
    rows = [
        {
            "where_id": save.item.id,
            "where_version": save.expected_version,
            **{f"set_{name}": written[id(save)][name] for name in names},
        }
        for save in group
    ]
    result = session.connection().execute(statement, rows)
    if result.rowcount != len(rows):  # the rows are locked: only if the database misbehaved
        raise Conflict("Someone else saved some of these rows meanwhile. Nothing was saved.")
    for save in group:
        for name in names:
            set_committed_value(save.item, name, written[id(save)][name])
