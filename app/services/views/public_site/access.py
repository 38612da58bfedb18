"""Which organisations and plans the public site shows: published, adopted (not draft), live."""

from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import HistoryEntry, Organization, Plan, Strategy
from app.models.base import is_live
from app.services.accounts.permissions import readable_plans
from app.services.errors import NotFound
from app.services.reading.plan_stamp import plan_stamp
from app.services.reading.zones import organization_today
from app.services.rules import clock, rollup

# Bump when what the public pages or files say changes shape: caches then ask again.
PUBLIC_FORMAT = "p1"


def public_organization(session: Session, org_slug: str) -> Organization:
    org = session.exec(select(Organization).where(Organization.slug == org_slug)).first()
    if org is None or not public_plans(session, org):
        raise NotFound(f"No public site '{org_slug}'.")
    return org


def public_plans(session: Session, org: Organization) -> list[Plan]:
    """The organisation's plans the public may read (what an anonymous reader reads)."""
    return list(
        session.exec(
            select(Plan)
            .where(
                Plan.organization_id == org.id,
                col(Plan.archived_at).is_(None),
                readable_plans(None),
            )
            .order_by(Plan.title, Plan.id)
        )
    )


def public_plan(session: Session, org_slug: str, plan_slug: str) -> tuple[Organization, Plan]:
    """The published plan `plan_slug` of organisation `org_slug`; NotFound for any other (a
    draft, an unpublished or archived plan, another organisation's plan)."""
    org = session.exec(select(Organization).where(Organization.slug == org_slug)).first()
    plan = session.exec(
        select(Plan).where(
            Plan.slug == plan_slug, col(Plan.archived_at).is_(None), readable_plans(None)
        )
    ).first()
    if org is None or plan is None or plan.organization_id != org.id:
        raise NotFound(f"No public plan '{plan_slug}'.")
    return org, plan


def plans_stamp(session: Session, plans: list[Plan]) -> tuple[object, ...]:
    """`plan_stamp`'s digest for several plans in two queries (an organisation's landing page
    and catalog): each plan's row and newest history entry, the day, and every strategy's
    effective status."""
    now = clock.clock()
    ids = [p.id for p in plans]
    # Each plan's organisation's day (the organisation is loaded: no query).
    day = {p.id: organization_today(session, p.organization_id, now) for p in plans}
    newest = {
        plan_id: (entry_id, at)
        for plan_id, entry_id, at in session.execute(
            select(HistoryEntry.plan_id, func.max(HistoryEntry.id), func.max(HistoryEntry.at))
            .where(col(HistoryEntry.plan_id).in_(ids))
            .group_by(HistoryEntry.plan_id)
        )
    }
    statuses = [
        (
            plan_id,
            rollup.effective_status(
                status=status,
                planned_start=start,
                planned_end=end,
                last_update_at=last,
                cadence_days=cadence,
                today=day[plan_id],
                now=now,
            ).code,
        )
        for plan_id, status, start, end, last, cadence in session.execute(
            select(
                Strategy.plan_id,
                Strategy.status,
                Strategy.planned_start,
                Strategy.planned_end,
                Strategy.last_update_at,
                Strategy.update_cadence_days,
            )
            .where(col(Strategy.plan_id).in_(ids), is_live(Strategy))
            .order_by(Strategy.plan_id, Strategy.position, Strategy.id)
        )
    ]
    rows = [(p.id, p.version, p.updated_at, newest.get(p.id)) for p in plans]
    return (sorted(set(day.values())), rows, statuses)


def public_etag(session: Session, plans: list[Plan], kind: str) -> str:
    """The ETag of a public answer: the plans' stamps (the tree API's: the newest history entry,
    the plan row, the day and each strategy's effective status), the answer's kind and format.
    The same for every reader, as the public answer is."""
    if len(plans) == 1:
        stamps: object = plan_stamp(session=session, plan=plans[0])
    else:
        stamps = plans_stamp(session, plans)
    digest = hashlib.sha256(repr((PUBLIC_FORMAT, kind, stamps)).encode()).hexdigest()[:32]
    return f'"{digest}"'
