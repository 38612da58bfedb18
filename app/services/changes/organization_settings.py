"""An organisation's settings: its time zone and its reporting calendar (issue 13).

Its administrators change them (Action.configure_organization), naming the version they changed
(a stale edit is refused with the newer value), and every change is in the history.
"""

from __future__ import annotations

from sqlmodel import Session

from app.models import Organization
from app.models.enums import SubjectType
from app.models.organization import OrganizationSettingsUpdate
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor
from app.services.errors import ValidationFailed
from app.services.rules.update_cycles import zone_problem

SETTINGS_FIELDS = ("time_zone", "reporting_cadence", "reporting_due_day")


def require_configure(session: Session, actor: Actor, organization: Organization) -> None:
    """403 (401 for nobody) unless `actor` may change the organisation's settings."""
    require(session, actor, Action.configure_organization, organization, kind="organisation")


def update_settings(
    *,
    session: Session,
    organization: Organization,
    data: OrganizationSettingsUpdate,
    actor: Actor,
) -> Organization:
    """Change the settings `data` sets, if `organization` is still at `data.version`."""
    require_configure(session, actor, organization)
    changes = data.model_dump(exclude_unset=True, include=set(SETTINGS_FIELDS))
    if "time_zone" in changes:
        problem = zone_problem(changes["time_zone"] or "")
        if problem is not None:
            raise ValidationFailed.one("time_zone", problem)
    save_changes(
        session=session,
        item=organization,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.organization,
        label=organization.name,
        plan_id=None,
        organization_id=organization.id,
    )
    return organization
