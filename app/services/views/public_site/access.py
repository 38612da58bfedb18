"""Which organisations and plans the public site shows: published, adopted (not draft), live."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, select

from app.models import Organization, Plan
from app.services.accounts.permissions import readable_plans
from app.services.errors import NotFound
from app.services.reading.plan_stamp import plan_stamp

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


def public_etag(session: Session, plans: list[Plan], kind: str) -> str:
    """The ETag of a public answer: the plans' stamps (the tree API's: the newest history entry,
    the plan row, the day and each strategy's effective status), the answer's kind and format.
    The same for every reader, as the public answer is."""
    stamps = [plan_stamp(session=session, plan=p) for p in plans]
    digest = hashlib.sha256(repr((PUBLIC_FORMAT, kind, stamps)).encode()).hexdigest()[:32]
    return f'"{digest}"'
