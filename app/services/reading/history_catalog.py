"""Reading the history: the entries a reader may see, and the field changes of a page of them.

Apart from the plan catalog because the history has its own permission (who may read the
history at all, and of which organisations: services.accounts.permissions), not a plan's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select
from sqlmodel import Session, col, select

from app.models import HistoryEntry, HistoryField, Plan, User
from app.models.enums import SubjectType
from app.services.accounts.permissions import readable_history, require_read_history


def history_query(
    *,
    user: User | None,
    plan: Plan | None = None,
    subject_type: SubjectType | None = None,
    subject_id: int | None = None,
    since: dt.datetime | None = None,
) -> Select[Any]:
    """Entries the reader may see, newest first. `since` includes entries at that moment."""
    require_read_history(user)
    query = select(HistoryEntry).where(readable_history(user))
    if plan is not None:
        query = query.where(HistoryEntry.plan_id == plan.id)
    if subject_type is not None:
        query = query.where(HistoryEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(HistoryEntry.subject_id == subject_id)
    if since is not None:
        moment = since.astimezone(dt.UTC) if since.tzinfo else since.replace(tzinfo=dt.UTC)
        query = query.where(col(HistoryEntry.at) >= moment)
    return query.order_by(col(HistoryEntry.at).desc(), col(HistoryEntry.id).desc())


def fields_of(*, session: Session, entry_ids: list[int]) -> dict[int, list[HistoryField]]:
    out: dict[int, list[HistoryField]] = defaultdict(list)
    if entry_ids:
        for change in session.exec(
            select(HistoryField)
            .where(col(HistoryField.entry_id).in_(entry_ids))
            .order_by(HistoryField.id)
        ):
            out[change.entry_id].append(change)
    return out
