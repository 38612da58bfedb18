"""Switching a plan's public site on or off: an administrator's decision (Action.publish_site),
versioned like any plan edit (409 with the newer value when stale) and kept in the history with
its before and after."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Plan
from app.models.enums import SubjectType
from app.models.publishing import SiteSwitch
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor


def switch_public_site(*, session: Session, plan: Plan, data: SiteSwitch, actor: Actor) -> Plan:
    """Set `plan.published` to `data.published` if the plan is still at `data.version`."""
    require(session, actor, Action.publish_site, plan, kind="plan")
    save_changes(
        session=session,
        item=plan,
        expected_version=data.version,
        changes={"published": data.published},
        actor=actor,
        subject_type=SubjectType.plan,
        label=plan.title,
        plan_id=plan.id,
        organization_id=plan.organization_id,
        note="public site switched on" if data.published else "public site switched off",
    )
    return plan
