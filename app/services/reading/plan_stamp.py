"""The plan's stamp: a digest of what the plan tree says, read without loading the tree (for the
tree API's ETag).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlmodel import Session, col, select

from app.models import HistoryEntry, Organization, Plan, Strategy
from app.models.base import is_live
from app.services.rules import clock, rollup
from app.services.rules.local_time import local_today, zone_name


def plan_stamp(
    *, session: Session, plan: Plan, today: dt.date | None = None, now: dt.datetime | None = None
) -> str:
    """A digest that changes whenever what `load_plan_tree` would say about the plan changes,
    read in two small queries instead of the whole plan (for the tree API's ETag).

    What it covers: every accepted change to the plan writes a history entry carrying the plan's
    id (QUALITY.md row 10; imports and archiving too), so the newest entry (its id, and its time,
    which tells a restored backup from the database it replaced) stands for the plan's data; the
    plan row and organisation name, read with it; and what changes with time alone: the date
    (overdue, targets in force) and each strategy's effective status (staleness falls due at any
    moment of a day), by the same rule `load_plan_tree` applies.
    """
    now = now or clock.clock()
    newest = (
        select(HistoryEntry.id)
        .where(HistoryEntry.plan_id == plan.id)
        .order_by(col(HistoryEntry.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    head = session.execute(
        select(
            Organization.name,
            newest,
            select(HistoryEntry.at).where(HistoryEntry.id == newest).scalar_subquery(),
            Organization.time_zone,
        ).where(Organization.id == plan.organization_id)
    ).one()
    today = today or local_today(zone_name(head[3]), now)
    timed = session.execute(
        select(
            Strategy.status,
            Strategy.planned_start,
            Strategy.planned_end,
            Strategy.last_update_at,
            Strategy.update_cadence_days,
        )
        .where(Strategy.plan_id == plan.id, is_live(Strategy))
        .order_by(Strategy.position, Strategy.id)
    )
    statuses = ",".join(
        rollup.effective_status(
            status=status,
            planned_start=start,
            planned_end=end,
            last_update_at=last,
            cadence_days=cadence,
            today=today,
            now=now,
        ).code
        for status, start, end, last, cadence in timed
    )
    parts = (plan.id, plan.version, plan.updated_at, plan.archived_at, *head, today, statuses)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
