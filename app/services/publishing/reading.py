"""Reading public updates: the approved text the public reads, and the coordinator's queue.

`approved_updates` is what every public page asks: one query, whatever the plan's size, and never
a draft (only the approved text, with when it was approved).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import FocusArea, QuickWin, Strategy
from app.models.publishing import PublicSubject, PublicUpdate, PublicUpdateState
from app.services.publishing.updates import KINDS, subject_label


@dataclass(frozen=True)
class ApprovedUpdate:
    text: str
    approved_at: dt.datetime


def approved_updates(session: Session, plan_id: int) -> dict[tuple[str, int], ApprovedUpdate]:
    """The approved public updates of plan `plan_id`, keyed by (subject type value, subject id)."""
    rows = session.exec(
        select(
            PublicUpdate.subject_type,
            PublicUpdate.subject_id,
            PublicUpdate.approved_text,
            PublicUpdate.approved_at,
        ).where(
            PublicUpdate.plan_id == plan_id,
            col(PublicUpdate.approved_at).is_not(None),
            PublicUpdate.approved_text != "",
        )
    ).all()
    return {
        (subject_type, subject_id): ApprovedUpdate(text, approved_at)
        for subject_type, subject_id, text, approved_at in rows
        if approved_at is not None
    }


@dataclass(frozen=True)
class QueueEntry:
    """A submitted draft waiting for a coordinator."""

    update: PublicUpdate
    kind: str
    label: str
    href: str


def submitted_updates(session: Session, plan_id: int, slug: str) -> list[QueueEntry]:
    """The plan's submitted drafts, oldest first, with their items' names: four queries."""
    updates = session.exec(
        select(PublicUpdate)
        .where(
            PublicUpdate.plan_id == plan_id,
            PublicUpdate.state == PublicUpdateState.submitted.value,
        )
        .order_by(col(PublicUpdate.updated_at), col(PublicUpdate.id))
    ).all()
    items: dict[tuple[str, int], Strategy | FocusArea | QuickWin] = {}
    models = {
        PublicSubject.strategy: Strategy,
        PublicSubject.focus_area: FocusArea,
        PublicSubject.quick_win: QuickWin,
    }
    for subject, model in models.items():
        ids = [u.subject_id for u in updates if u.subject_type == subject.value]
        if not ids:
            continue
        for item in session.exec(select(model).where(col(model.id).in_(ids))).all():
            items[(subject.value, item.id)] = item  # type: ignore[index]
    out = []
    for u in updates:
        item = items.get((u.subject_type, u.subject_id))
        if item is None or item.archived_at is not None:
            continue
        href = f"/plans/{slug}/public-updates/{u.subject_type}/{u.subject_id}"
        out.append(
            QueueEntry(
                u, KINDS[PublicSubject(u.subject_type)], subject_label(u.subject_type, item), href
            )
        )
    return out
