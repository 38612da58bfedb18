"""Whose work My work shows: a lead's own department, the department a coordinator or
administrator chooses (from their organisation's), and the department an edited item belongs to,
whose page the edit goes back to. Viewers are refused."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Department, Organization, User
from app.models.enums import Role
from app.services.accounts.permissions import is_installation_admin
from app.services.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from app.services.reading.catalog import DEPARTMENT_ORDER

VIEWER_REFUSED = (
    "My work lists a department's own work for its lead to update. Viewers can read the plans "
    "but not change them."
)


def choosable_departments(*, session: Session, user: User) -> list[tuple[Organization, Department]]:
    """The departments a coordinator or administrator may open (their organisation's; every
    organisation's for an installation administrator who belongs to none), in one query."""
    query = select(Organization, Department).join(
        Department, col(Department.organization_id) == col(Organization.id)
    )
    if user.organization_id is not None:
        query = query.where(Organization.id == user.organization_id)
    elif not is_installation_admin(user):
        return []  # someone of no organisation opens no organisation's work
    rows = session.exec(query.order_by(Organization.name, *DEPARTMENT_ORDER)).all()
    return [(org, dept) for org, dept in rows]


def resolve_department(
    *,
    session: Session,
    user: User | None,
    code: str | None,
    organization: str | None = None,
) -> Department | None:
    """Whose work the page shows: a lead's own department; for coordinators and administrators
    the department `code` names (None: they have not chosen one yet). Viewers are refused."""
    if user is None:
        raise NotAuthenticated("Sign in to see your department's work.")
    if user.role == Role.viewer:
        raise PermissionDenied(VIEWER_REFUSED)
    if user.role == Role.lead:
        if user.department_id is None:
            raise PermissionDenied(
                "Your account is a department lead's but names no department; ask an "
                "administrator to set your department."
            )
        own = session.get(Department, user.department_id)
        if own is None:
            raise NotFound("Your department no longer exists; ask an administrator.")
        if code and code != own.code:
            raise PermissionDenied(
                f"My work shows your own department's work ({own.code}); other departments' "
                "work is on the plan pages."
            )
        return own
    if not code:
        return None
    query = select(Department).where(Department.code == code)
    if user.organization_id is not None:
        query = query.where(Department.organization_id == user.organization_id)
    elif not is_installation_admin(user):
        raise NotFound(f"No department '{code}' in your organisation.")
    elif organization:
        query = query.join(
            Organization, col(Organization.id) == col(Department.organization_id)
        ).where(Organization.slug == organization)
    found = session.exec(query.order_by(Department.id)).all()
    if not found:
        raise NotFound(f"No department '{code}' in your organisation.")
    return found[0]


def owning_department(*, session: Session, department_id: int | None) -> Department | None:
    return session.get(Department, department_id) if department_id is not None else None


def department_required() -> None:
    """A coordinator or administrator asked for "my work" without naming a department."""
    raise ValidationFailed.one("department", "name a department (its code) to see its work")
