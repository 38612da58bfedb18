"""Signing in with a username and a password, and the throttle on failed attempts.

Failed attempts live in the database (never in a process's memory), so several app processes
behave as one: a throttle counted by one worker is seen by the next.

- Failed sign-ins are rows in `login_attempt`. After `MAX_FAILURES` failures within
  `THROTTLE_WINDOW` for an account or for an address, further attempts are refused with a wait,
  without even checking the password. Unknown user and wrong password get the same answer and
  cost the same argon2 time.
- A hash made with weaker parameters than `passwords.HASHER`'s is replaced at the next successful
  sign-in.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.models import LoginAttempt, User
from app.services import clock, passwords
from app.services.accounts import normalize_username
from app.services.errors import NotAuthenticated, TooManyAttempts

WRONG_CREDENTIALS = "Wrong username or password."

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
    moment = clock.now_or_clock(now)
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
    moment = clock.now_or_clock(now)
    name = normalize_username(username)[:80]
    address = (address or "unknown")[:64]
    wait = throttle_wait(session=session, username=name, address=address, now=moment)
    if wait is not None:
        raise _too_many(wait)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    stored = user.password_hash if user is not None else None
    # Always one argon2 verification: an unknown user costs the same time as a wrong password.
    matches = passwords.verify_password(stored, password)
    if user is None or not user.active or not matches:
        session.add(LoginAttempt(username=name, address=address, at=moment))
        session.execute(
            delete(LoginAttempt).where(col(LoginAttempt.at) < moment - ATTEMPT_RETENTION)
        )
        session.commit()
        raise NotAuthenticated(WRONG_CREDENTIALS)
    assert stored is not None
    if passwords.HASHER.check_needs_rehash(stored):
        user.password_hash = passwords.HASHER.hash(password)
    user.last_login_at = moment
    session.add(user)
    return user
