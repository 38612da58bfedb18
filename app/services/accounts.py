"""People who sign in: passwords, the login throttle, browser sessions and personal API tokens.

Everything lives in the database (never in a process's memory), so several app processes behave
as one: a throttle counted by one worker is seen by the next, a session ended by one is ended
everywhere.

- Passwords are hashed with argon2id (argon2-cffi) at or above OWASP's minimum (19 MiB, t=2); a
  hash made with weaker parameters is replaced at the next successful sign-in.
- Failed sign-ins are rows in `login_attempt`. After `MAX_FAILURES` failures within
  `THROTTLE_WINDOW` for an account or for an address, further attempts are refused with a wait,
  without even checking the password. Unknown user and wrong password get the same answer and
  cost the same argon2 time.
- A session cookie carries a random token; the database keeps only its SHA-256, so a copy of the
  database cannot be replayed as a cookie. Sessions end on sign-out, after idle time, after a
  maximum age, and when the user is deactivated.
- API tokens (`pt_…`) are shown once and stored as SHA-256; only their owner revokes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.db import get_engine
from app.models import (
    ApiToken,
    Department,
    HistoryAction,
    LoginAttempt,
    Organization,
    User,
    UserSession,
)
from app.models.base import utcnow
from app.models.enums import Role, SubjectType
from app.services.errors import (
    FieldProblem,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from app.services.history import Actor, record_change
from app.settings import get_settings

# --- passwords -------------------------------------------------------------------------------

# OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1 is the minimum.
ARGON2_MEMORY_KIB = 19_456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # long enough for any passphrase, short enough not to be a DoS lever

WRONG_CREDENTIALS = "Wrong username or password."

# Passwords that are among the most common in breach lists (or obvious for this app). Refused
# whatever their length; compared case-insensitively.
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "passwort",
        "motdepasse",
        "contraseña",
        "contrasena",
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "12121212",
        "11223344",
        "12341234",
        "123123123",
        "1q2w3e4r",
        "1qaz2wsx",
        "qwertyui",
        "qwertyuiop",
        "qwerty123",
        "qwerty12",
        "asdfghjk",
        "asdfghjkl",
        "zxcvbnm1",
        "zaq12wsx",
        "abc12345",
        "abcd1234",
        "abcdefgh",
        "aaaaaaaa",
        "iloveyou",
        "iloveyou1",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "basketball",
        "superman",
        "batman123",
        "starwars",
        "trustno1",
        "letmein1",
        "letmein!",
        "welcome1",
        "welcome123",
        "welcome!",
        "whatever",
        "dragon12",
        "monkey12",
        "master12",
        "shadow12",
        "michael1",
        "jennifer",
        "computer",
        "internet",
        "changeme",
        "changeme1",
        "default1",
        "secret12",
        "secret123",
        "admin123",
        "admin1234",
        "administrator",
        "root1234",
        "test1234",
        "testtest",
        "guest123",
        "user1234",
        "login123",
        "qazwsxedc",
        "plantrack",
        "plantrack1",
        "plantrack123",
        "sanjose1",
        "sanjose123",
        "city1234",
        "government",
        "summer2024",
        "summer2025",
        "winter2024",
        "winter2025",
        "spring2025",
        "autumn2025",
        "january1",
        "password!",
        "passw0rd!",
        "access14",
        "mustang1",
        "freedom1",
        "charlie1",
        "hello123",
        "loveyou1",
        "monkey123",
        "dragon123",
    }
)


HASHER: PasswordHasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)
"""The hasher for new hashes. A stored hash made with other parameters is rehashed at sign-in."""


@lru_cache(maxsize=4)
def _dummy_hash(memory_cost: int, time_cost: int, parallelism: int) -> str:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    ).hash(secrets.token_urlsafe(16))


def _dummy_for(hasher: PasswordHasher) -> str:
    return _dummy_hash(hasher.memory_cost, hasher.time_cost, hasher.parallelism)


def check_password_policy(password: str, *, username: str = "") -> None:
    """Raise ValidationFailed (field `password`) for a password we refuse to store."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed.one("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed.one("password", f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) == 1:
        raise ValidationFailed.one(
            "password", "This password is too common; choose one that is hard to guess."
        )
    if username and lowered == username.lower():
        raise ValidationFailed.one("password", "The password cannot be the username.")


def hash_password(password: str, *, username: str = "") -> str:
    """The argon2id hash of an acceptable password (policy checked first)."""
    check_password_policy(password, username=username)
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches. Always spends one argon2 verification, even without a hash."""
    hasher = HASHER
    try:
        return hasher.verify(password_hash or _dummy_for(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


# --- clock ---------------------------------------------------------------------------------


def clock() -> dt.datetime:
    """The current time (UTC). Tests replace it to move time without sleeping."""
    return utcnow()


def _now(now: dt.datetime | None) -> dt.datetime:
    value = now or clock()
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- users ---------------------------------------------------------------------------------

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def _organization(session: Session, organization: str | int | None) -> Organization | None:
    if organization is None or organization == "":
        orgs = session.exec(select(Organization).limit(2)).all()
        if len(orgs) == 1:
            return orgs[0]
        if not orgs:
            return None
        raise ValidationFailed.one(
            "organization", "There are several organisations: choose one (its slug)."
        )
    if isinstance(organization, int) or str(organization).isdigit():
        org = session.get(Organization, int(organization))
    else:
        org = session.exec(
            select(Organization).where(Organization.slug == str(organization).strip())
        ).first()
    if org is None:
        raise ValidationFailed.one("organization", f"No organisation '{organization}'.")
    return org


def _department(
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
        if found is None and text.isdigit():
            found = session.get(Department, int(text))
            if found is not None and found.organization_id != org.id:
                found = None
        if found is None:
            raise ValidationFailed.one("department", f"No department '{text}' in {org.name}.")
        return found
    found = session.exec(query).first()
    if found is None:
        raise ValidationFailed.one("department", f"No department {department} in {org.name}.")
    return found


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise ValidationFailed.one(
            "role", "Choose one of: " + ", ".join(r.value for r in Role) + "."
        ) from None


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
) -> User:
    """Create a user. `password=None` makes an account that cannot sign in with a password.

    Every problem is reported at once (ValidationFailed with one FieldProblem per field).
    """
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
    chosen_role: Role | None = None
    org: Organization | None = None
    dept: Department | None = None
    for step in ("role", "organization", "department", "password"):
        try:
            if step == "role":
                chosen_role = _role(role)
            elif step == "organization":
                org = _organization(session, organization)
            elif step == "department":
                dept = _department(session, department, org)
            elif password is not None:
                check_password_policy(password, username=name)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if (
        chosen_role == Role.lead
        and dept is None
        and not any(p.field == "department" for p in problems)
    ):
        problems.append(FieldProblem("department", "A department lead needs a department."))
    if problems:
        raise ValidationFailed(problems)
    assert chosen_role is not None
    now = clock()
    user = User(
        username=name,
        display_name=display,
        role=chosen_role.value,
        organization_id=org.id if org else None,
        department_id=dept.id if dept else None,
        password_hash=HASHER.hash(password) if password is not None else None,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.user,
        subject_id=user.id,
        action=HistoryAction.create,
        changes={
            "username": (None, user.username),
            "display_name": (None, user.display_name),
            "role": (None, user.role),
            "department": (None, dept.code if dept else None),
            "organization": (None, org.slug if org else None),
            "active": (None, True),
            "can_sign_in_with_password": (None, password is not None),
        },
        label=f"User {user.username}",
        organization_id=user.organization_id,
        version_after=user.version,
    )
    return user


def list_users(
    *, session: Session, organization_id: int | None = None, include_inactive: bool = True
) -> Sequence[User]:
    query = select(User).order_by(col(User.active).desc(), User.username)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if not include_inactive:
        query = query.where(col(User.active).is_(True))
    return session.exec(query).all()


def _active_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.admin, User.active)
    ).one()


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
) -> User:
    """Change a user's role (and department: required for a lead, dropped when not given)."""
    new_role = _role(role)
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    dept = _department(session, department, org)
    if new_role == Role.lead and dept is None:
        raise ValidationFailed.one("department", "A department lead needs a department.")
    demoting = user.role == Role.admin and new_role != Role.admin and user.active
    if demoting and _active_admins(session) <= 1:
        raise ValidationFailed.one(
            "role",
            "This is the last active administrator; make someone else an administrator first.",
        )
    before_role, before_dept = user.role, _department_code(session, user.department_id)
    after_dept = dept.code if dept else None
    if before_role == new_role.value and before_dept == after_dept:
        return user
    changes: dict[str, tuple[object, object]] = {}
    if before_role != new_role.value:
        changes["role"] = (before_role, new_role.value)
    if before_dept != after_dept:
        changes["department"] = (before_dept, after_dept)
    user.role = new_role.value
    user.department_id = dept.id if dept else None
    _bump(user, clock())
    session.add(user)
    session.flush()
    assert user.id is not None
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.user,
        subject_id=user.id,
        action=HistoryAction.update,
        changes=changes,
        label=f"User {user.username}",
        organization_id=user.organization_id,
        version_after=user.version,
    )
    return user


def set_password(*, session: Session, actor: Actor, user: User, password: str) -> User:
    """Set a new password (policy checked); the user's other sessions end."""
    password_hash = hash_password(password, username=user.username)
    had_password = user.password_hash is not None
    user.password_hash = password_hash
    now = clock()
    _bump(user, now)
    session.add(user)
    _revoke_sessions(session, user, now)
    session.flush()
    assert user.id is not None
    # The hash itself never goes into the history, only the fact that it changed.
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.user,
        subject_id=user.id,
        action=HistoryAction.update,
        changes={"password": ("(set)" if had_password else None, "(changed)")},
        label=f"User {user.username}",
        organization_id=user.organization_id,
        version_after=user.version,
    )
    return user


def deactivate(*, session: Session, actor: Actor, user: User) -> User:
    """Switch an account off: it can no longer sign in, and its sessions end now, everywhere."""
    if not user.active:
        return user
    if actor.user is not None and actor.user.id == user.id:
        raise ValidationFailed.one("user", "You cannot deactivate your own account.")
    if user.role == Role.admin and _active_admins(session) <= 1:
        raise ValidationFailed.one(
            "user", "This is the last active administrator; it cannot be deactivated."
        )
    now = clock()
    user.active = False
    _bump(user, now)
    session.add(user)
    ended = _revoke_sessions(session, user, now)
    session.flush()
    assert user.id is not None
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.user,
        subject_id=user.id,
        action=HistoryAction.update,
        changes={"active": (True, False)},
        note=f"Deactivated; {ended} open session(s) ended.",
        label=f"User {user.username}",
        organization_id=user.organization_id,
        version_after=user.version,
    )
    return user


def _revoke_sessions(session: Session, user: User, now: dt.datetime) -> int:
    open_sessions = session.exec(
        select(UserSession).where(
            UserSession.user_id == user.id, col(UserSession.revoked_at).is_(None)
        )
    ).all()
    for row in open_sessions:
        row.revoked_at = now
        session.add(row)
    return len(open_sessions)


# --- sign-in and throttling ------------------------------------------------------------------

MAX_FAILURES = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)
ATTEMPT_RETENTION = dt.timedelta(days=1)


def _retry_after(
    session: Session, column: object, value: str, since: dt.datetime, now: dt.datetime
) -> int | None:
    """Seconds until fewer than MAX_FAILURES failures for `value` remain in the window."""
    times = session.exec(
        select(LoginAttempt.at)
        .where(column == value, LoginAttempt.at > since)  # type: ignore[operator]
        .order_by(col(LoginAttempt.at).desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(times) < MAX_FAILURES:
        return None
    # The oldest of the newest MAX_FAILURES failures must leave the window first.
    frees_at = min(times) + THROTTLE_WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds()))


def throttle_wait(
    *, session: Session, username: str, address: str, now: dt.datetime | None = None
) -> int | None:
    """Seconds to wait before another attempt for this account or address, or None."""
    moment = _now(now)
    since = moment - THROTTLE_WINDOW
    waits = [
        w
        for w in (
            _retry_after(
                session, LoginAttempt.username, normalize_username(username)[:80], since, moment
            ),
            _retry_after(session, LoginAttempt.address, address[:64], since, moment),
        )
        if w is not None
    ]
    return max(waits) if waits else None


def _too_many(wait: int) -> TooManyAttempts:
    minutes = math.ceil(wait / 60)
    return TooManyAttempts(
        "Too many failed sign-ins for this account or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        retry_after=wait,
    )


def authenticate(
    *, session: Session, username: str, password: str, address: str, now: dt.datetime | None = None
) -> User:
    """The user with these credentials, or NotAuthenticated / TooManyAttempts.

    A failure is committed at once (it must outlast the request's rollback), so the caller's
    session is committed too: call this before making other changes in the same session.
    """
    moment = _now(now)
    name = normalize_username(username)[:80]
    address = (address or "unknown")[:64]
    wait = throttle_wait(session=session, username=name, address=address, now=moment)
    if wait is not None:
        raise _too_many(wait)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    stored = user.password_hash if user is not None else None
    # Always one argon2 verification: an unknown user costs the same time as a wrong password.
    matches = verify_password(stored, password)
    if user is None or not user.active or not matches:
        session.add(LoginAttempt(username=name, address=address, at=moment))
        session.execute(
            delete(LoginAttempt).where(col(LoginAttempt.at) < moment - ATTEMPT_RETENTION)
        )
        session.commit()
        raise NotAuthenticated(WRONG_CREDENTIALS)
    assert stored is not None
    if HASHER.check_needs_rehash(stored):
        user.password_hash = HASHER.hash(password)
    user.last_login_at = moment
    session.add(user)
    return user


# --- browser sessions --------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    token: str  # goes into the (signed) cookie; never stored
    record: UserSession

    @property
    def csrf_token(self) -> str:
        return self.record.csrf_token


def start_session(
    *, session: Session, user: User, now: dt.datetime | None = None
) -> StartedSession:
    if not user.active or user.id is None:
        raise NotAuthenticated("This account cannot sign in.")
    moment = _now(now)
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=token_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=moment,
        last_seen_at=moment,
    )
    session.add(record)
    session.flush()
    return StartedSession(token=token, record=record)


SEEN_GRANULARITY = dt.timedelta(minutes=1)


def resolve_session(
    *, session: Session, token: str, now: dt.datetime | None = None, record_activity: bool = True
) -> tuple[User, UserSession] | None:
    """The user and session behind a cookie token, or None when it is not (or no longer) valid.

    With `record_activity` (the default) `last_seen_at` moves on in `session`, at most once a
    minute. A reading request passes False and calls `record_session_activity` instead, so its
    own transaction stays read-only.
    """
    if not token:
        return None
    moment = _now(now)
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    ).first()
    if record is None or record.revoked_at is not None:
        return None
    settings = get_settings()
    if moment - record.last_seen_at > dt.timedelta(minutes=settings.session_idle_minutes):
        return None
    if moment - record.created_at > dt.timedelta(hours=settings.session_max_hours):
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    if record_activity and activity_due(record, moment):
        record.last_seen_at = moment
        session.add(record)
    return user, record


def activity_due(record: UserSession, now: dt.datetime | None = None) -> bool:
    return _now(now) - record.last_seen_at >= SEEN_GRANULARITY


def record_session_activity(*, session_id: int, now: dt.datetime | None = None) -> None:
    """Move a session's `last_seen_at` on in a short write transaction of its own.

    For reading requests, whose transaction is read-only. Best effort: if the database is busy,
    the next request tries again (the idle limit is far longer than a minute).
    """
    try:
        with Session(get_engine()) as own:
            own.execute(
                update(UserSession)
                .where(col(UserSession.id) == session_id)
                .values(last_seen_at=_now(now))
            )
            own.commit()
    except OperationalError:  # pragma: no cover - a locked database under heavy load
        return


def end_session(*, session: Session, token: str, now: dt.datetime | None = None) -> bool:
    """Revoke the session behind `token`. True if there was an open one."""
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    ).first()
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = _now(now)
    session.add(record)
    return True


# --- personal API tokens -----------------------------------------------------------------------

API_TOKEN_PREFIX = "pt_"


def create_api_token(
    *, session: Session, user: User, name: str, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the plaintext, which is shown once and never stored."""
    label = name.strip()
    if not label:
        raise ValidationFailed.one("name", "Give the token a name (what it is for).")
    if len(label) > 100:
        raise ValidationFailed.one("name", "Use at most 100 characters.")
    if user.id is None or not user.active:
        raise PermissionDenied("This account cannot create API tokens.")
    plaintext = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=label,
        token_hash=token_digest(plaintext),
        prefix=plaintext[:10],
        created_at=_now(now),
    )
    session.add(row)
    session.flush()
    return row, plaintext


def list_api_tokens(*, session: Session, user: User) -> Sequence[ApiToken]:
    return session.exec(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.created_at).desc())
    ).all()


def revoke_api_token(
    *, session: Session, user: User, token_id: int, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke one of `user`'s own tokens (nobody else's)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("No such API token.")
    if row.user_id != user.id:
        raise PermissionDenied("You can revoke only your own API tokens.")
    if row.revoked_at is None:
        row.revoked_at = _now(now)
        session.add(row)
    return row


def resolve_api_token(
    *, session: Session, token: str, now: dt.datetime | None = None, record_use: bool = True
) -> User | None:
    """The active user behind an API token, or None (unknown, revoked, or user deactivated).

    `record_use` moves `last_used_at` on (at most once a minute) in `session`; a reading request
    passes False and calls `record_api_token_use`.
    """
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if record_use and api_token_use_due(row, now):
        row.last_used_at = _now(now)
        session.add(row)
    return user


def api_token_use_due(row: ApiToken, now: dt.datetime | None = None) -> bool:
    return row.last_used_at is None or _now(now) - row.last_used_at >= SEEN_GRANULARITY


def find_api_token(*, session: Session, token: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()


def record_api_token_use(*, token_id: int, now: dt.datetime | None = None) -> None:
    """Move an API token's `last_used_at` on in its own short write transaction (best effort)."""
    try:
        with Session(get_engine()) as own:
            own.execute(
                update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=_now(now))
            )
            own.commit()
    except OperationalError:  # pragma: no cover - a locked database under heavy load
        return


# --- demo accounts -----------------------------------------------------------------------------

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


_dummy_for(HASHER)  # made once at import, so even the first unknown user costs only a verify
