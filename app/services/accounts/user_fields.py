"""What the values typed for an account mean: a username's form, the role, organisation and
department a form or the command line names (by id, slug or code), each refused by field."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from app.models import Department, Organization, User
from app.models.base import whole_number
from app.models.enums import ReminderFrequency, Role
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


# An address as people type it at work: ASCII, one '@', a dotted local part and a domain of at
# least two labels ending in a name (no IP literals, no quoted local parts, no comments).
_EMAIL_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_EMAIL_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_EMAIL_TOP = re.compile(r"^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
EMAIL_REFUSED = "Enter an e-mail address such as name@example.org."


def email_address(value: str | None) -> str | None:
    """The address to store for what was typed: lower-cased (so uniqueness ignores case), or
    None for a blank. Refused (field `email`) unless it looks like an address mail can reach."""
    if value is None:
        return None
    text = value.strip().lower()
    if not text:
        return None
    if len(text) > 254:
        raise ValidationFailed.one("email", "Use at most 254 characters.")
    local, at, domain = text.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or not text.isascii()
        or len(local) > 64
        or not _EMAIL_LOCAL.match(local)
        or len(labels) < 2
        or not all(_EMAIL_LABEL.match(label) for label in labels)
        or not _EMAIL_TOP.match(labels[-1])
    ):
        raise ValidationFailed.one("email", EMAIL_REFUSED)
    return text


def email_taken(session: Session, email: str, *, other_than: int | None = None) -> bool:
    query = select(User.id).where(User.email == email)
    if other_than is not None:
        query = query.where(User.id != other_than)
    return session.exec(query).first() is not None


EMAIL_TAKEN = "Another account already uses this e-mail address."


def reminder_frequency_named(value: ReminderFrequency | str) -> ReminderFrequency:
    try:
        return ReminderFrequency(str(value).strip().lower())
    except ValueError:
        raise ValidationFailed.one(
            "reminder_frequency",
            "Choose one of: " + ", ".join(f.value for f in ReminderFrequency) + ".",
        ) from None
