"""The demo accounts of the San José plan: no password, they sign in only by demo one-click.

The demo administrator is San José's organisation administrator, never an installation
administrator: an account anyone can sign in as without a password must not run the other
organisations loaded alongside it (README, "Roles")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import Organization, User
from app.models.enums import Role
from app.services.accounts import create_user
from app.services.errors import NotFound
from app.services.history import Actor

DEMO_ORGANIZATION = "san-jose"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    department: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Demo administrator", Role.admin),
    DemoUser("coordinator", "Demo coordinator", Role.coordinator),
    DemoUser("sj311-lead", "Demo SJ311 lead", Role.lead, "SJ311"),
    DemoUser("acs-lead", "Demo Animal Care lead", Role.lead, "ACS"),
    DemoUser("viewer", "Demo viewer", Role.viewer),
)


def ensure_demo_users(*, session: Session, actor: Actor) -> list[str]:
    """Create the missing demo accounts (no password: they sign in only by demo one-click).

    Returns the usernames created. An existing account of the same name is left alone.
    """
    org = session.exec(select(Organization).where(Organization.slug == DEMO_ORGANIZATION)).first()
    if org is None:
        raise NotFound(
            f"No organisation '{DEMO_ORGANIZATION}': load the seed plans first (plantrack seed)."
        )
    created: list[str] = []
    for demo in DEMO_USERS:
        if session.exec(select(User.id).where(User.username == demo.username)).first() is not None:
            continue
        create_user(
            session=session,
            actor=actor,
            username=demo.username,
            display_name=demo.display_name,
            role=demo.role,
            department=demo.department,
            organization=org.id,
            password=None,
        )
        created.append(demo.username)
    return created


def demo_user(*, session: Session, username: str) -> User | None:
    """The demo account `username`, if it is one (a demo name, no password, active)."""
    if username not in {d.username for d in DEMO_USERS}:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.password_hash is not None or not user.active:
        return None
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    if org is None or org.slug != DEMO_ORGANIZATION:
        return None
    return user
