"""What a cached page was read from (issue 14): the organisation's stamp, read in one statement.

Every accepted change writes a history entry (QUALITY.md row 10) carrying its plan, its
organisation or both: edits of items, measurements, imports, archiving, publishing decisions,
update requests, the organisation's settings, people and departments. So the newest entry of
the organisation's plans and of the organisation itself stands for everything a plan page, the
review or the tree shows; with it go the organisation row's version and its plans' newest
`updated_at` (a plan row changed without an entry would still show), and the newest entry of the
plans that are members of the organisation's programmes (they may belong to another one).

The newest entry alone would miss a write on PostgreSQL, where a write that took history id 100
may commit after one that took 101: a page read between the two commits, kept under 101, would
outlive the first write. So the stamp leads with the organisation's change count
(app.services.changes.organization_changes: one more at each commit that wrote its history,
written in that transaction), and that of the organisations owning its programmes' member plans.

Each newest entry is one index seek (`ix_history_entry_plan_newest`,
`ix_history_entry_organization_newest`: (plan_id, id) and (organization_id, id)), one per plan of
the organisation, so the statement costs the same whatever the size of the history.

What changes with time alone is not in the stamp: `validity` says until when a page read now
stays what it is (the next moment a strategy turns stale, at most the next quarter hour, so a
new day in any time zone also ends it).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import text
from sqlmodel import Session

from app.models.enums import StrategyStatus

# Every time zone's midnight falls on a quarter hour: a day-based status (overdue, a metric's
# value due, "3 days ago") never outlives a cached page by more than this.
LONGEST_VALIDITY = dt.timedelta(minutes=15)


# One statement, written out once (building it with the ORM on each request cost more than
# running it): each newest entry is an index seek.
STAMP = text(
    """
    SELECT o.version,
      (SELECT c.changes FROM organization_changes c WHERE c.organization_id = o.id),
      (SELECT sum(c.changes) FROM organization_changes c WHERE c.organization_id IN
         (SELECT m.organization_id FROM plan m JOIN plan p ON p.id = m.programme_id
          WHERE p.organization_id = o.id AND m.organization_id <> o.id)),
      (SELECT max(h.id) FROM history_entry h WHERE h.organization_id = o.id),
      (SELECT max((SELECT max(h.id) FROM history_entry h WHERE h.plan_id = p.id))
         FROM plan p WHERE p.organization_id = o.id),
      (SELECT max(p.updated_at) FROM plan p WHERE p.organization_id = o.id),
      (SELECT count(*) FROM plan p WHERE p.organization_id = o.id),
      (SELECT max((SELECT max(h.id) FROM history_entry h WHERE h.plan_id = m.id))
         FROM plan m JOIN plan p ON p.id = m.programme_id WHERE p.organization_id = o.id),
      (SELECT max(m.updated_at)
         FROM plan m JOIN plan p ON p.id = m.programme_id WHERE p.organization_id = o.id)
    FROM organization o WHERE o.id = :organization_id
    """
)


# The strategies that may turn stale (live, not complete, updated once at least).
UPDATED = text(
    """
    SELECT s.last_update_at, s.update_cadence_days
    FROM strategy s JOIN plan p ON p.id = s.plan_id
    WHERE p.organization_id = :organization_id AND s.archived_at IS NULL
      AND s.status <> :complete AND s.last_update_at IS NOT NULL
    """
).columns(
    sa.column("last_update_at", sa.DateTime()), sa.column("update_cadence_days", sa.Integer())
)


def organization_stamp(session: Session, organization_id: int) -> tuple[object, ...]:
    """The organisation's stamp: changes whenever anything one of its pages shows changes
    (except with time alone, see `validity`). One statement."""
    row = session.execute(STAMP, {"organization_id": organization_id}).one_or_none()
    return (organization_id, *(row or ()))


def validity(
    session: Session, *, organization_id: int, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """From the quarter hour of `now`, until when the organisation's pages read at `now` stay
    true without a change: the next
    moment one of its strategies turns stale by its update cadence (the staleness rule of
    `rollup.effective_status` counts whole days since the last update), at most
    LONGEST_VALIDITY ahead, ending on a quarter hour (the same for every worker)."""
    now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    until = quarter + LONGEST_VALIDITY
    rows = session.execute(
        UPDATED, {"organization_id": organization_id, "complete": StrategyStatus.complete.value}
    )
    for last, cadence in rows:
        last = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
        turns = last + dt.timedelta(days=cadence + 1)
        if now < turns < until:
            until = turns
    return quarter, until
