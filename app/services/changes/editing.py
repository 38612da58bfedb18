"""Saving a change to a versioned row: refuse stale edits, keep every accepted one in the history.

Every editable row carries `version`. A change names the version it was made from; the UPDATE is
`… WHERE id = :id AND version = :expected`, so of two writers who read the same version exactly
one wins and the other is told, with the newer value and who saved it, instead of overwriting it.
The history entry is written in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, SQLModel, col, select

from app.models import HistoryAction, HistoryEntry
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.services.changes.history import Actor, record_change
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
            fields=fields,
        )
    diff = {
        name: (getattr(item, name), value)
        for name, value in changes.items()
        if getattr(item, name) != value
    }
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
