"""What the values typed for an account mean: a username's form, the role, organisation and
department a form or the command line names (by id, slug or code), each refused by field."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from app.models import Department, Organization
from app.models.base import whole_number
from app.models.enums import Role
from app.services.errors import ValidationFailed

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
ORG_ADMIN_NEEDS_ORGANIZATION = (
    "An organisation administrator needs an organisation (its slug); an administrator of the "
    "whole installation is created with --installation-admin."
)


def normalize_username(username: str) -> str:
    return username.strip().lower()


def organization_named(session: Session, organization: str | int | None) -> Organization | None:
    if organization is None or organization == "":
        orgs = session.exec(select(Organization).limit(2)).all()
        if len(orgs) == 1:
            return orgs[0]
        if not orgs:
            return None
        raise ValidationFailed.one(
            "organization", "There are several organisations: choose one (its slug)."
        )
    org_id = organization if isinstance(organization, int) else whole_number(str(organization))
    if org_id is not None:
        org = session.get(Organization, org_id)
    else:
        org = session.exec(
            select(Organization).where(Organization.slug == str(organization).strip())
        ).first()
    if org is None:
        raise ValidationFailed.one("organization", f"No organisation '{organization}'.")
    return org


def department_named(
    session: Session, department: str | int | None, org: Organization | None
) -> Department | None:
    if department is None or department == "":
        return None
    if org is None:
        raise ValidationFailed.one(
            "department", "A department needs an organisation, and there is none yet."
        )
    query = select(Department).where(Department.organization_id == org.id)
    if isinstance(department, int):
        query = query.where(Department.id == department)
    else:
        text = str(department).strip()
        query = query.where(Department.code == text)
        found = session.exec(query).first()
        if found is None and (department_id := whole_number(text)) is not None:
            found = session.get(Department, department_id)
            if found is not None and found.organization_id != org.id:
                found = None
        if found is None:
            raise ValidationFailed.one("department", f"No department '{text}' in {org.name}.")
        return found
    found = session.exec(query).first()
    if found is None:
        raise ValidationFailed.one("department", f"No department {department} in {org.name}.")
    return found


def role_named(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise ValidationFailed.one(
            "role", "Choose one of: " + ", ".join(r.value for r in Role) + "."
        ) from None
