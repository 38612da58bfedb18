"""Writing and reading the append-only history of changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from app.models import (
    FocusArea,
    HistoryAction,
    HistoryEntry,
    HistoryField,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.services.changes.bulk_rows import insert_rows, plain
from app.services.changes.organization_changes import note_change


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in user, or a named system process (import, seed, CLI)."""

    user: User | None = None
    name: str = ""

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.display_name or self.user.username
        return self.name or "system"

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


SYSTEM = Actor(name="system")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _keep_newest_change(
    session: Session, subject_type: str, subject_id: int, at: dt.datetime
) -> None:
    """Stamp a history entry's time on the strategy (for it or one of its steps) or the focus
    area it is about: the review reads the newest change from there, not the whole history."""
    if subject_type == SubjectType.strategy:
        target = update(Strategy).where(col(Strategy.id) == subject_id)
    elif subject_type == SubjectType.step:
        step_strategy = select(WorkplanStep.strategy_id).where(col(WorkplanStep.id) == subject_id)
        target = update(Strategy).where(col(Strategy.id) == step_strategy.scalar_subquery())
    elif subject_type == SubjectType.focus_area:
        target = update(FocusArea).where(col(FocusArea.id) == subject_id)
    else:
        return
    # Core UPDATE: the row's version and updated_at stay as the change itself left them.
    session.execute(target.values(last_changed_at=at).execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Change:
    """One history entry's content for `record_changes` (record_change's arguments)."""

    subject_type: SubjectType
    subject_id: int
    action: HistoryAction
    changes: Mapping[str, tuple[Any, Any]] | None = None
    note: str = ""
    label: str = ""
    plan_id: int | None = None
    organization_id: int | None = None
    version_after: int | None = None


def _entry_values(actor: Actor, change: Change, at: dt.datetime) -> dict[str, Any]:
    return {
        "organization_id": change.organization_id,
        "plan_id": change.plan_id,
        "subject_type": plain(change.subject_type),
        "subject_id": change.subject_id,
        "subject_label": change.label[:400],
        "action": plain(change.action),
        "actor_id": actor.user_id,
        "actor_name": actor.label,
        "at": at,
        "note": change.note,
        "version_after": change.version_after,
    }


def _field_values(entry_id: int, change: Change) -> list[dict[str, Any]]:
    return [
        {"entry_id": entry_id, "field": field, "before": _jsonable(b), "after": _jsonable(a)}
        for field, (b, a) in (change.changes or {}).items()
    ]


def record_change(
    *,
    session: Session,
    actor: Actor,
    subject_type: SubjectType,
    subject_id: int,
    action: HistoryAction,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    note: str = "",
    label: str = "",
    plan_id: int | None = None,
    organization_id: int | None = None,
    version_after: int | None = None,
) -> HistoryEntry:
    """One history entry (and one row per changed field), in the caller's transaction."""
    change = Change(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        changes=changes,
        note=note,
        label=label,
        plan_id=plan_id,
        organization_id=organization_id,
        version_after=version_after,
    )
    entry = HistoryEntry(**_entry_values(actor, change, utcnow()))
    note_change(session, plan_id=plan_id, organization_id=organization_id)
    session.add(entry)
    session.flush()
    _keep_newest_change(session, entry.subject_type, entry.subject_id, entry.at)
    for values in _field_values(entry.id, change):  # type: ignore[arg-type]
        session.add(HistoryField(**values))
    return entry


def record_changes(*, session: Session, actor: Actor, changes: Sequence[Change]) -> None:
    """A history entry per change (and one row per changed field), in the caller's transaction,
    as `record_change` writes one. Changes to many distinct subjects (a batch of measurements)
    are written as one INSERT of the entries and one of their fields, at one time."""
    subjects = {(plain(c.subject_type), c.subject_id) for c in changes}
    if len(changes) < 2 or len(subjects) < len(changes):
        for c in changes:
            record_change(session=session, actor=actor, **vars(c))
        return
    at = utcnow()
    for change in changes:
        note_change(session, plan_id=change.plan_id, organization_id=change.organization_id)
    entries = [_entry_values(actor, change, at) for change in changes]
    ids = insert_rows(session, HistoryEntry, entries, key=("subject_type", "subject_id"))
    for entry in entries:
        _keep_newest_change(session, entry["subject_type"], entry["subject_id"], at)
    fields = [v for id_, c in zip(ids, changes, strict=True) for v in _field_values(id_, c)]
    if fields:
        session.execute(insert(HistoryField.__table__), fields)  # type: ignore[attr-defined]
