"""Writing and reading the append-only history of changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
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
    entry = HistoryEntry(
        organization_id=organization_id,
        plan_id=plan_id,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=label[:400],
        action=action,
        actor_id=actor.user_id,
        actor_name=actor.label,
        note=note,
        version_after=version_after,
    )
    session.add(entry)
    session.flush()
    _keep_newest_change(session, entry)
    for field, (before, after) in (changes or {}).items():
        session.add(
            HistoryField(
                entry_id=entry.id, field=field, before=_jsonable(before), after=_jsonable(after)
            )
        )
    return entry
