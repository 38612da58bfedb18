"""Each organisation's change count: one more at every commit that wrote its history (issue 14).

The cached pages' stamp (app.services.reading.page_stamp) must move whenever what a page shows
has changed for a reader. The newest history id does not always: on PostgreSQL a write that
took id 100 from the sequence may commit after one that took 101, and a page read between the
two commits, kept under 101, would then outlive the first write. The count is written in the
committing transaction itself, so a reader sees it move exactly when it sees the changes.

`note_change` (called by every history write) remembers the plan or organisation in the
session; just before the session commits, `count_changes` adds one to each organisation it
touched, in organisation order (two transactions touching the same two organisations never wait
for each other crosswise), as the transaction's last statements, so the row is held only for the
commit itself.
"""

from __future__ import annotations

from sqlalchemy import bindparam, event, select, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from app.models import Plan

_TOUCHED = "plantrack.changed_organisations"

# One statement on both databases (SQLite 3.24+ and PostgreSQL share ON CONFLICT).
_COUNT = text(
    "INSERT INTO organization_changes (organization_id, changes) VALUES (:organization_id, 1) "
    "ON CONFLICT (organization_id) DO UPDATE SET changes = organization_changes.changes + 1"
)


def note_change(session: Session, *, plan_id: int | None, organization_id: int | None) -> None:
    """The transaction wrote history for this plan or organisation."""
    plans, organisations = session.info.setdefault(_TOUCHED, (set(), set()))
    if organization_id is not None:
        organisations.add(organization_id)
    elif plan_id is not None:
        plans.add(plan_id)


def count_changes(session: OrmSession) -> None:
    """Add one to the change count of each organisation the committing transaction touched."""
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit counts
    plans, organisations = session.info.pop(_TOUCHED, (set(), set()))
    if plans:
        owners = select(Plan.organization_id).where(
            col(Plan.id).in_(bindparam("ids", expanding=True))
        )
        organisations |= {o for o in session.execute(owners, {"ids": sorted(plans)}).scalars() if o}
    for organization_id in sorted(organisations):
        session.execute(_COUNT, {"organization_id": organization_id})


def _forget(session: OrmSession, *_args: object) -> None:
    """A rolled-back transaction changed nothing: its notes go with it."""
    session.info.pop(_TOUCHED, None)


event.listen(OrmSession, "before_commit", count_changes)
event.listen(OrmSession, "after_rollback", _forget)
