"""What a cached page was read from (issue 14): the organisation's stamp, read in one statement.

Every accepted change writes a history entry (QUALITY.md row 10) carrying its plan, its
organisation or both: edits of items, measurements, imports, archiving, publishing decisions,
update requests, the organisation's settings, people and departments. So the newest entry of
the organisation's plans and of the organisation itself stands for everything a plan page, the
review or the tree shows; with it go the organisation row's version and its plans' newest
`updated_at` (a plan row changed without an entry would still show), and the newest entry of the
plans that are members of the organisation's programmes (they may belong to another one).

Each newest entry is one index seek (`ix_history_entry_plan_newest`,
`ix_history_entry_organization_newest`: (plan_id, id) and (organization_id, id)), one per plan of
the organisation, so the statement costs the same whatever the size of the history.

What changes with time alone is not in the stamp: `valid_until` says until when a page read now
stays what it is (the next moment a strategy turns stale, at most the next quarter hour, so a
new day in any time zone also ends it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import HistoryEntry, Organization, Plan, Strategy
from app.models.base import is_live
from app.models.enums import StrategyStatus

# Every time zone's midnight falls on a quarter hour: a day-based status (overdue, a metric's
# value due, "3 days ago") never outlives a cached page by more than this.
LONGEST_VALIDITY = dt.timedelta(minutes=15)


def organization_stamp(session: Session, organization_id: int) -> tuple[object, ...]:
    """The organisation's stamp: changes whenever anything one of its pages shows changes
    (except with time alone, see `valid_until`). One statement."""
    plan = Plan.__table__.alias("stamped_plan")  # type: ignore[attr-defined]
    member = Plan.__table__.alias("member_plan")  # type: ignore[attr-defined]
    history = HistoryEntry.__table__  # type: ignore[attr-defined]
    newest_of_plan = (
        select(func.max(history.c.id))
        .where(history.c.plan_id == plan.c.id)
        .correlate(plan)
        .scalar_subquery()
    )
    newest_of_member = (
        select(func.max(history.c.id))
        .where(history.c.plan_id == member.c.id)
        .correlate(member)
        .scalar_subquery()
    )
    in_organization = plan.c.organization_id == organization_id
    in_programme = member.c.programme_id.in_(
        select(Plan.id).where(col(Plan.organization_id) == organization_id)
    )
    newest_of_org = (
        select(func.max(history.c.id))
        .where(history.c.organization_id == organization_id)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            Organization.version,
            newest_of_org,
            select(func.max(newest_of_plan)).where(in_organization).scalar_subquery(),
            select(func.max(plan.c.updated_at)).where(in_organization).scalar_subquery(),
            select(func.count()).where(in_organization).scalar_subquery(),
            select(func.max(newest_of_member)).where(in_programme).scalar_subquery(),
            select(func.max(member.c.updated_at)).where(in_programme).scalar_subquery(),
        ).where(Organization.id == organization_id)
    ).one_or_none()
    return (organization_id, *(row or ()))


def valid_until(session: Session, *, organization_id: int, now: dt.datetime) -> dt.datetime:
    """Until when the organisation's pages read at `now` stay true without a change: the next
    moment one of its strategies turns stale by its update cadence (the staleness rule of
    `rollup.effective_status` counts whole days since the last update), at most
    LONGEST_VALIDITY ahead, ending on a quarter hour (the same for every worker)."""
    now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    until = quarter + LONGEST_VALIDITY
    rows = session.execute(
        select(Strategy.last_update_at, Strategy.update_cadence_days)
        .join(Plan, col(Plan.id) == Strategy.plan_id)
        .where(
            col(Plan.organization_id) == organization_id,
            is_live(Strategy),
            col(Strategy.status) != StrategyStatus.complete,
            col(Strategy.last_update_at).is_not(None),
        )
    )
    for last, cadence in rows:
        last = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
        turns = last + dt.timedelta(days=cadence + 1)
        if now < turns < until:
            until = turns
    return until
