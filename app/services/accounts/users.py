"""People who sign in: their accounts. Create, list, change a role or a password, deactivate.

Changing a password or deactivating an account ends the account's browser sessions at once; a
password change (or reset) also revokes the account's API tokens, which a leaked password may
have been used to make.

The rest of signing in has its own modules: `passwords` (storage and policy), `sign_in` (checking
credentials, the throttle), `browser_sessions`, `api_tokens` and `demo_accounts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.models import Department, HistoryAction, Organization, User, UserSession
from app.models.enums import Role, SubjectType
from app.services.accounts import api_tokens, passwords, permissions
from app.services.accounts.user_fields import (
    EMAIL_TAKEN,
    ORG_ADMIN_NEEDS_ORGANIZATION,
    USERNAME_PATTERN,
    department_named,
    email_address,
    email_taken,
    normalize_username,
    organization_named,
    role_named,
)
from app.services.changes.history import Actor, record_change
from app.services.errors import (
    FieldProblem,
    NotFound,
    ValidationFailed,
)
from app.services.rules import clock


def _department_code(session: Session, department_id: int | None) -> str | None:
    if department_id is None:
        return None
    dept = session.get(Department, department_id)
    return dept.code if dept else None


def get_user(*, session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == normalize_username(username))).first()
    if user is None:
        raise NotFound(f"No user '{username}'.")
    return user


def create_user(
    *,
    session: Session,
    actor: Actor,
    username: str,
    display_name: str = "",
    role: Role | str,
    department: str | int | None = None,
    organization: str | int | None = None,
    password: str | None,
    installation_admin: bool = False,
    email: str | None = None,
) -> User:
    """Create a user. `password=None` makes an account that cannot sign in with a password.

    `installation_admin` makes an administrator of the whole installation (the command line alone
    asks for it); any other administrator runs one organisation, so needs one.
    Every problem is reported at once (ValidationFailed with one FieldProblem per field).
    """
    permissions.enforce(actor, permissions.manage_users(actor.user))
    problems: list[FieldProblem] = []
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        problems.append(
            FieldProblem(
                "username",
                "Use 2–80 characters: letters, digits, '.', '_' or '-', "
                "starting with a letter or digit.",
            )
        )
    elif session.exec(select(User.id).where(User.username == name)).first() is not None:
        problems.append(FieldProblem("username", f"The username '{name}' is already taken."))
    display = display_name.strip()
    if len(display) > 200:
        problems.append(FieldProblem("display_name", "Use at most 200 characters."))
    address: str | None = None
    try:
        address = email_address(email)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if address is not None and email_taken(session, address):
        problems.append(FieldProblem("email", EMAIL_TAKEN))
    chosen_role: Role | None = None
    org: Organization | None = None
    dept: Department | None = None
    for step in ("role", "organization", "department", "password"):
        try:
            if step == "role":
                chosen_role = role_named(role)
            elif step == "organization":
                # An installation administrator belongs to no organisation unless one is named.
                if not installation_admin or organization not in (None, ""):
                    org = organization_named(session, organization)
            elif step == "department":
                dept = department_named(session, department, org)
            elif password is not None:
                passwords.check_password_policy(password, username=name)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if actor.user is not None and not permissions.is_installation_admin(actor.user):
        # Another organisation (or one that does not exist) is refused to its outsiders.
        permissions.enforce(actor, permissions.create_user_in(actor.user, org.id if org else None))
    if (
        chosen_role == Role.lead
        and dept is None
        and not any(p.field == "department" for p in problems)
    ):
        problems.append(FieldProblem("department", "A department lead needs a department."))
    if installation_admin and chosen_role not in (None, Role.admin):
        problems.append(FieldProblem("role", "An installation administrator has the role admin."))
    if (
        chosen_role == Role.admin
        and not installation_admin
        and org is None
        and not any(p.field == "organization" for p in problems)
    ):
        problems.append(FieldProblem("organization", ORG_ADMIN_NEEDS_ORGANIZATION))
    if problems:
        raise ValidationFailed(problems)
    assert chosen_role is not None
    now = clock.clock()
    user = User(
        username=name,
        display_name=display,
        email=address,
        role=chosen_role.value,
        organization_id=org.id if org else None,
        department_id=dept.id if dept else None,
        password_hash=passwords.HASHER.hash(password) if password is not None else None,
        is_installation_admin=installation_admin,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    record_account_change(
        session=session,
        actor=actor,
        user=user,
        action=HistoryAction.create,
        changes={
            "username": (None, user.username),
            "display_name": (None, user.display_name),
            **({"email": (None, address)} if address else {}),
            "role": (None, user.role),
            **({"installation_admin": (None, True)} if installation_admin else {}),
            "department": (None, dept.code if dept else None),
            "organization": (None, org.slug if org else None),
            "active": (None, True),
            "can_sign_in_with_password": (None, password is not None),
        },
    )
    return user


def list_users(
    *,
    session: Session,
    organization_id: int | None = None,
    include_inactive: bool = True,
    managed_by: User | None = None,
) -> Sequence[User]:
    """Accounts, active first; `managed_by`: only those that administrator may manage."""
    query = select(User).order_by(col(User.active).desc(), User.username)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if managed_by is not None:
        query = query.where(permissions.manageable_users(managed_by))
    if not include_inactive:
        query = query.where(col(User.active).is_(True))
    return session.exec(query).all()


def _active_admins(session: Session, user: User) -> int:
    """The active administrators who can manage `user`'s account: those of its organisation and
    the installation's (for an installation administrator: the installation's alone)."""
    reach = col(User.is_installation_admin).is_(True)
    if user.organization_id is not None and not user.is_installation_admin:
        reach = or_(reach, col(User.organization_id) == user.organization_id)
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.admin, User.active, reach)
    ).one()


def record_account_change(
    *,
    session: Session,
    actor: Actor,
    user: User,
    changes: dict[str, tuple[Any, Any]],
    note: str = "",
    action: HistoryAction = HistoryAction.update,
    versioned: bool = True,
) -> None:
    """The history entry of a change to an account (flushed, so it has its id): every account
    change is recorded this one way, under the account's organisation. `versioned`: the change
    bumped the account's version (a reset link does not)."""
    session.flush()
    assert user.id is not None
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.user,
        subject_id=user.id,
        action=action,
        changes=changes,
        note=note,
        label=f"User {user.username}",
        organization_id=user.organization_id,
        version_after=user.version if versioned else None,
    )


def _bump(user: User, now: dt.datetime) -> None:
    user.version += 1
    user.updated_at = now


def set_role(
    *,
    session: Session,
    actor: Actor,
    user: User,
    role: Role | str,
    department: str | int | None = None,
    installation_admin: bool | None = None,
) -> User:
    """Change a user's role (and department: required for a lead, dropped when not given).

    `installation_admin` (the command line alone passes it) makes an administrator one of the
    whole installation (True) or of their organisation (False); None keeps it, and any role
    other than admin drops it."""
    permissions.enforce(actor, permissions.manage_user(actor.user, user))
    new_role = role_named(role)
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    dept = department_named(session, department, org)
    if new_role == Role.lead and dept is None:
        raise ValidationFailed.one("department", "A department lead needs a department.")
    if installation_admin and new_role != Role.admin:
        raise ValidationFailed.one("role", "An installation administrator has the role admin.")
    whole = user.is_installation_admin if installation_admin is None else installation_admin
    whole = whole and new_role == Role.admin
    if new_role == Role.admin and not whole and org is None:
        raise ValidationFailed.one("organization", ORG_ADMIN_NEEDS_ORGANIZATION)
    narrowing = (
        user.role == Role.admin
        and user.active
        and (new_role != Role.admin or (user.is_installation_admin and not whole))
    )
    if narrowing and _active_admins(session, user) <= 1:
        raise ValidationFailed.one(
            "role",
            "This is the last active administrator; make someone else an administrator first.",
        )
    before_role, before_dept = user.role, _department_code(session, user.department_id)
    after_dept = dept.code if dept else None
    if (
        before_role == new_role.value
        and before_dept == after_dept
        and user.is_installation_admin == whole
    ):
        return user
    changes: dict[str, tuple[object, object]] = {}
    if before_role != new_role.value:
        changes["role"] = (before_role, new_role.value)
    if before_dept != after_dept:
        changes["department"] = (before_dept, after_dept)
    if user.is_installation_admin != whole:
        changes["installation_admin"] = (user.is_installation_admin, whole)
    user.role = new_role.value
    user.is_installation_admin = whole
    user.department_id = dept.id if dept else None
    _bump(user, clock.clock())
    session.add(user)
    record_account_change(
        session=session,
        actor=actor,
        user=user,
        changes=changes,
    )
    return user


def set_password(
    *,
    session: Session,
    actor: Actor,
    user: User,
    password: str,
    keep_session_id: int | None = None,
    how: str = "Password changed",
) -> User:
    """Set a new password (policy checked); the user's sessions end and API tokens are revoked.

    Whoever knew the old password may have made a token with it: a token must not outlive the
    password that made it (issue 16 §3). `keep_session_id`: the browser session of the person
    changing their own password stays open (every other one ends).
    """
    password_hash = passwords.hash_password(password, username=user.username)
    had_password = user.password_hash is not None
    user.password_hash = password_hash
    now = clock.clock()
    _bump(user, now)
    session.add(user)
    ended = _revoke_sessions(session, user, now, keep=keep_session_id)
    revoked = api_tokens.revoke_all_api_tokens(session=session, user=user, now=now)
    session.flush()
    assert user.id is not None
    # The hash itself never goes into the history, only the fact that it changed.
    record_account_change(
        session=session,
        actor=actor,
        user=user,
        changes={"password": ("(set)" if had_password else None, "(changed)")},
        note=f"{how}; {ended} open session(s) ended, {revoked} API token(s) revoked.",
    )
    return user


def deactivate(*, session: Session, actor: Actor, user: User) -> User:
    """Switch an account off: it can no longer sign in, and its sessions end now, everywhere."""
    permissions.enforce(actor, permissions.manage_user(actor.user, user))
    if not user.active:
        return user
    if actor.user is not None and actor.user.id == user.id:
        raise ValidationFailed.one("user", "You cannot deactivate your own account.")
    if user.role == Role.admin and _active_admins(session, user) <= 1:
        raise ValidationFailed.one(
            "user", "This is the last active administrator; it cannot be deactivated."
        )
    now = clock.clock()
    user.active = False
    _bump(user, now)
    session.add(user)
    ended = _revoke_sessions(session, user, now)
    record_account_change(
        session=session,
        actor=actor,
        user=user,
        changes={"active": (True, False)},
        note=f"Deactivated; {ended} open session(s) ended.",
    )
    return user


def _revoke_sessions(
    session: Session, user: User, now: dt.datetime, *, keep: int | None = None
) -> int:
    query = select(UserSession).where(
        UserSession.user_id == user.id, col(UserSession.revoked_at).is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    open_sessions = session.exec(query).all()
    for row in open_sessions:
        row.revoked_at = now
        session.add(row)
    return len(open_sessions)
