"""Which time zone a page shows its moments in: the one rule (services.rules.local_time writes
them).

1. A page about a plan or an item of a plan (and a public page, a report, a session of a plan's
   organisation): the zone of the plan's organisation.
2. Otherwise (My work, activity, review, account, administration): the zone of the signed-in
   reader's organisation.
3. Otherwise (an administrator of no organisation, an anonymous page about no plan): UTC.
A stored name this machine does not know reads as UTC (local_time.zone_name).

"Today" follows the same rule: every rule that judges by the date (overdue, stale, due, "not in
the future", a default "since", the roadmap's today line) takes the day of the same zone
(`organization_today`, `reading_today`), never the UTC date nor the machine's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from app.models import Organization, Plan, User
from app.services.rules.local_time import UTC_NAME, local_today, zone_name


class OfAnOrganization(Protocol):
    """A plan, or any row of one organisation (a performance session, a department)."""

    @property
    def organization_id(self) -> int | None: ...


def zone_of_organization(organization: Organization | None) -> str:
    """The zone of a loaded organisation ("UTC" for none, or a name this machine lacks)."""
    return zone_name(organization.time_zone if organization is not None else None)


def organization_zone(session: Session, organization_id: int | None) -> str:
    """The zone of an organisation by id (the identity map answers when it is loaded)."""
    if organization_id is None:
        return UTC_NAME
    return zone_of_organization(session.get(Organization, organization_id))


def reading_zone(session: Session, user: User | None, plan: OfAnOrganization | None = None) -> str:
    """The zone a page shows its moments in, for `user` (None: anonymous), about `plan` (a plan
    or a row of the plan's organisation; None: a page about no plan)."""
    if plan is not None and plan.organization_id is not None:
        return organization_zone(session, plan.organization_id)
    return organization_zone(session, user.organization_id if user is not None else None)


def organization_today(
    session: Session, organization_id: int | None, now: dt.datetime | None = None
) -> dt.date:
    """Today in the organisation's zone (the identity map answers when it is loaded)."""
    return local_today(organization_zone(session, organization_id), now)


def reading_today(
    session: Session,
    user: User | None,
    plan: OfAnOrganization | None = None,
    now: dt.datetime | None = None,
) -> dt.date:
    """Today in the zone `reading_zone` picks for this reader and plan."""
    return local_today(reading_zone(session, user, plan), now)


def organization_days(
    session: Session, organization_ids: Iterable[int | None], now: dt.datetime | None = None
) -> dict[int | None, dt.date]:
    """Today in each organisation's zone, by id (None: UTC), in at most one query."""
    wanted = {i for i in organization_ids if i is not None}
    zones: dict[int | None, str] = {None: UTC_NAME}
    if wanted:
        rows = session.exec(
            select(Organization.id, Organization.time_zone).where(col(Organization.id).in_(wanted))
        )
        zones.update({oid: zone_name(name) for oid, name in rows})
    return {oid: local_today(zones.get(oid, UTC_NAME), now) for oid in {None, *wanted}}


def plan_days(
    session: Session, plan_ids: Iterable[int | None], now: dt.datetime | None = None
) -> dict[int, dt.date]:
    """Today in each plan's organisation's zone, by plan id, in at most one query."""
    wanted = {i for i in plan_ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(
        select(Plan.id, Organization.time_zone)
        .join(Organization, col(Organization.id) == col(Plan.organization_id))
        .where(col(Plan.id).in_(wanted))
    )
    return {pid: local_today(zone_name(name), now) for pid, name in rows}  # type: ignore[misc]


def loaded_plan_today(plan: Plan, now: dt.datetime | None = None) -> dt.date:
    """Today in the zone of a loaded plan's organisation, read through the plan's own session
    (its identity map holds the organisation on the pages that show plans): for a template's
    helper, which has the plan but no session. A plan in no session: UTC."""
    session = object_session(plan)
    if not isinstance(session, Session):
        return local_today(UTC_NAME, now)
    return organization_today(session, plan.organization_id, now)
