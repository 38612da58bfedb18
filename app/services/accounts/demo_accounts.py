"""Demo accounts: no password, they sign in only by one click on the sign-in page in demo mode.

Three sets: the San José plan's (a real plan, with no invented progress); Philadelphia's
executive, a viewer who reads the organisation's executive view (its Customer Service Officers
Program rolling up the Fleet department plan); and the synthetic city's (`plantrack demo-data`:
made up, with a year of updates, so statuses and charts are alive).
A demo administrator administers its own organisation only, never the installation: an account
anyone can sign in as without a password must not run the other organisations loaded alongside
it (README, "Roles").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Department, Organization, Strategy, User
from app.models.enums import Role
from app.services.accounts.users import create_user
from app.services.changes.history import Actor
from app.services.errors import NotFound

DEMO_ORGANIZATION = "san-jose"
# The synthetic city `make run` generates in demo mode (organisation demo-city-SEED, seed 1).
DEMO_CITY_ORGANIZATION = "demo-city-1"


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
# Philadelphia's seeds are a programme and one of its department plans: what an executive reads
# across plans. Created only when those seeds are loaded.
PHILADELPHIA_ORGANIZATION = "philadelphia"
PHILADELPHIA_USERS: tuple[DemoUser, ...] = (
    DemoUser("philadelphia-executive", "Demo Philadelphia executive", Role.viewer),
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
    created = _create_missing(session, actor, org, DEMO_USERS)
    philadelphia = session.exec(
        select(Organization).where(Organization.slug == PHILADELPHIA_ORGANIZATION)
    ).first()
    if philadelphia is not None:
        created += _create_missing(session, actor, philadelphia, PHILADELPHIA_USERS)
    return created


def _create_missing(
    session: Session, actor: Actor, org: Organization, demos: tuple[DemoUser, ...]
) -> list[str]:
    created: list[str] = []
    for demo in demos:
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
            # A reserved domain (RFC 2606): reminders and reset links to demo accounts have an
            # address to go to, and in demo mode for mail they stay in the outbox anyway.
            email=f"{demo.username}@example.org",
        )
        created.append(demo.username)
    return created


def demo_user(*, session: Session, username: str) -> User | None:
    """The demo account `username`, if it is one (a demo name, no password, active)."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.password_hash is not None or not user.active:
        return None
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    if org is None:
        return None
    if org.slug == DEMO_ORGANIZATION and username in {d.username for d in DEMO_USERS}:
        return user
    if org.slug == PHILADELPHIA_ORGANIZATION and username in {
        d.username for d in PHILADELPHIA_USERS
    }:
        return user
    if org.slug == DEMO_CITY_ORGANIZATION and username in _city_usernames(session):
        return user
    return None


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    department_code: str | None


def demo_users(*, session: Session) -> list[tuple[str, list[DemoAccount]]]:
    """The accounts the sign-in page offers, by organisation: San José's, then the city's."""
    groups: list[tuple[str, list[DemoAccount]]] = []
    for label, names in (
        ("City of San José: a real plan, no progress invented", [d.username for d in DEMO_USERS]),
        (
            "City of Philadelphia: the executive view across a programme and its department plan",
            [d.username for d in PHILADELPHIA_USERS],
        ),
        ("Demo City 1: made up, with a year of updates", _city_usernames(session)),
    ):
        found = [demo_user(session=session, username=name) for name in names]
        users = [_account(session, u) for u in found if u is not None]
        if users:
            groups.append((label, users))
    return groups


def _account(session: Session, user: User) -> DemoAccount:
    department = session.get(Department, user.department_id) if user.department_id else None
    return DemoAccount(
        user.username, user.display_name, str(user.role), department.code if department else None
    )


def _city_usernames(session: Session) -> list[str]:
    """The synthetic city's coordinator, administrator, busiest lead and a viewer."""
    slug = DEMO_CITY_ORGANIZATION
    org_id = session.exec(select(Organization.id).where(Organization.slug == slug)).first()
    if org_id is None:
        return []
    busiest = session.exec(
        select(Department.code)
        .join(Strategy, Strategy.department_id == Department.id)
        .where(Department.organization_id == org_id)
        .group_by(Department.id, Department.code)
        .order_by(func.count(Strategy.id).desc(), Department.code)
        .limit(1)
    ).first()
    names = [f"{slug}-coordinator-1", f"{slug}-admin"]
    if busiest is not None:
        names.append(f"{slug}-{busiest.lower()}-lead")
    return [*names, f"{slug}-viewer-1"]
