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
from app.models.enums import SubjectType
from app.services.changes.bulk_rows import insert_rows


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


def _keep_newest_change(session: Session, entry: HistoryEntry) -> None:
    """Stamp the entry's time on the strategy (for it or one of its steps) or the focus area it
    is about: the review reads the newest change from there, not from the whole history."""
    if entry.subject_type == SubjectType.strategy:
        target = update(Strategy).where(col(Strategy.id) == entry.subject_id)
    elif entry.subject_type == SubjectType.step:
        step_strategy = select(WorkplanStep.strategy_id).where(
            col(WorkplanStep.id) == entry.subject_id
        )
        target = update(Strategy).where(col(Strategy.id) == step_strategy.scalar_subquery())
    elif entry.subject_type == SubjectType.focus_area:
        target = update(FocusArea).where(col(FocusArea.id) == entry.subject_id)
    else:
        return
    # Core UPDATE: the row's version and updated_at stay as the change itself left them.
    session.execute(
        target.values(last_changed_at=entry.at).execution_options(synchronize_session=False)
    )


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


def _entry(actor: Actor, change: Change) -> HistoryEntry:
    return HistoryEntry(
        organization_id=change.organization_id,
        plan_id=change.plan_id,
        subject_type=change.subject_type,
        subject_id=change.subject_id,
        subject_label=change.label[:400],
        action=change.action,
        actor_id=actor.user_id,
        actor_name=actor.label,
        note=change.note,
        version_after=change.version_after,
    )


def _fields(entry: HistoryEntry, change: Change) -> list[HistoryField]:
    return [
        HistoryField(
            entry_id=entry.id, field=field, before=_jsonable(before), after=_jsonable(after)
        )
        for field, (before, after) in (change.changes or {}).items()
    ]


def _all_fields(entries: list[HistoryEntry], changes: Sequence[Change]) -> list[HistoryField]:
    return [f for e, c in zip(entries, changes, strict=True) for f in _fields(e, c)]


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
    return record_changes(session=session, actor=actor, changes=[change])[0]


def record_changes(
    *, session: Session, actor: Actor, changes: Sequence[Change]
) -> list[HistoryEntry]:
    """A history entry per change (and one row per changed field), in the caller's transaction.

    Changes to many distinct subjects (a batch of measurements) are written as one INSERT of the
    entries and one of their fields (bulk_rows); the entries are then returned outside the
    session, with their ids."""
    entries = [_entry(actor, change) for change in changes]
    if len(entries) < 2 or len({(e.subject_type, e.subject_id) for e in entries}) < len(entries):
        session.add_all(entries)
        session.flush()
        for entry in entries:
            _keep_newest_change(session, entry)
        session.add_all(_all_fields(entries, changes))
        return entries
    insert_rows(session, entries, key=("subject_type", "subject_id"))
    for entry in entries:
        _keep_newest_change(session, entry)
    rows = [f.model_dump(exclude={"id"}) for f in _all_fields(entries, changes)]
    if rows:
        session.execute(insert(HistoryField.__table__), rows)  # type: ignore[attr-defined]
    return entries
