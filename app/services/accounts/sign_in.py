"""Signing in with a username and a password, and the throttle on failed attempts.

Failed attempts live in the database (never in a process's memory), so several app processes
behave as one: a throttle counted by one worker is seen by the next.

The throttle slows guessing without letting an attacker lock the owner out (README, "Signing in
and API tokens"). Three limits, each checked before the password is:

- per account and address: `PAIR_FREE_FAILURES` failures within `THROTTLE_WINDOW`, then a wait
  after each further failure that doubles from `PAIR_FIRST_DELAY` up to `PAIR_MAX_DELAY`. An
  attacker's failures slow only their own address for that account: the owner elsewhere is not
  affected.
- per address, whatever the accounts: `ADDRESS_FREE_FAILURES`, then a doubling wait capped at
  `ADDRESS_MAX_DELAY` (a minute): an office behind one address is slowed, never shut.
- per account, whatever the addresses: at most `ACCOUNT_FAILURES_PER_MINUTE` failures in any
  minute, so many addresses together still get only a handful of guesses a minute. A wait here
  lasts at most a minute, and a browser that has signed in to the account before (a signed
  "known device" cookie, which a guesser does not have) is exempt from it.

Counting and checking is one atomic step: the attempt is recorded as a failure *before* its
password is checked, in the same transaction as the count (serialised per account and per
address: PostgreSQL advisory locks; SQLite's write lock, which the app's writing sessions take
at BEGIN IMMEDIATE), and removed again if the password was right. Concurrent guesses therefore
see each other, and no more than the limit reach the password check.

Unknown user and wrong password get the same answer and cost the same argon2 time; a hash made
with weaker parameters than `passwords.HASHER`'s is replaced at the next successful sign-in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Sequence

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from app.models import LoginAttempt, User
from app.services.accounts import passwords
from app.services.accounts.user_fields import normalize_username
from app.services.errors import NotAuthenticated, TooManyAttempts
from app.services.rules import clock

WRONG_CREDENTIALS = "Wrong username or password."

THROTTLE_WINDOW = dt.timedelta(minutes=15)  # how long a failure counts
PAIR_FREE_FAILURES = 5
PAIR_FIRST_DELAY = dt.timedelta(seconds=30)
PAIR_MAX_DELAY = dt.timedelta(minutes=15)
ADDRESS_FREE_FAILURES = 20
ADDRESS_FIRST_DELAY = dt.timedelta(seconds=5)
ADDRESS_MAX_DELAY = dt.timedelta(minutes=1)
ACCOUNT_FAILURES_PER_MINUTE = 10
ACCOUNT_PERIOD = dt.timedelta(minutes=1)
ATTEMPT_RETENTION = dt.timedelta(days=1)

# Beyond this many doublings every delay here is at its cap; fewer rows need to be read.
_MAX_DOUBLINGS = 16
# Advisory lock classes (PostgreSQL): one per kind of key, so an account and an address whose
# texts hash alike never share a lock.
_ACCOUNT_LOCK, _ADDRESS_LOCK = 7301, 7302


def _growing_wait(
    times: Sequence[dt.datetime],
    *,
    free: int,
    first: dt.timedelta,
    most: dt.timedelta,
    now: dt.datetime,
) -> int | None:
    """Seconds until the next attempt, given the failures' times (newest first), or None.

    The first `free` failures cost nothing; after that each further attempt must wait `first`,
    doubled for every failure beyond, at most `most`, counted from the newest failure.
    """
    beyond = len(times) - free
    if beyond < 0:
        return None
    delay = min(first * (2 ** min(beyond, _MAX_DOUBLINGS)), most)
    seconds = math.ceil((times[0] + delay - now).total_seconds())
    return seconds if seconds > 0 else None


def _failure_times(
    session: Session, *conditions: object, since: dt.datetime, limit: int
) -> Sequence[dt.datetime]:
    return session.exec(
        select(LoginAttempt.at)
        .where(*conditions, col(LoginAttempt.at) > since)  # type: ignore[arg-type]
        .order_by(col(LoginAttempt.at).desc())
        .limit(limit)
    ).all()


def throttle_wait(
    *,
    session: Session,
    username: str,
    address: str,
    now: dt.datetime | None = None,
    known_device: bool = False,
) -> int | None:
    """Seconds to wait before another attempt for this account from this address, or None.

    `known_device`: the browser has signed in to this account before, so the per-account limit
    (the one many addresses could otherwise run up against the owner) does not apply to it.
    """
    moment = clock.now_or_clock(now)
    name = normalize_username(username)[:80]
    address = (address or "unknown")[:64]
    since = moment - THROTTLE_WINDOW
    pair = _failure_times(
        session,
        col(LoginAttempt.username) == name,
        col(LoginAttempt.address) == address,
        since=since,
        limit=PAIR_FREE_FAILURES + _MAX_DOUBLINGS,
    )
    from_address = _failure_times(
        session,
        col(LoginAttempt.address) == address,
        since=since,
        limit=ADDRESS_FREE_FAILURES + _MAX_DOUBLINGS,
    )
    waits = [
        _growing_wait(
            pair, free=PAIR_FREE_FAILURES, first=PAIR_FIRST_DELAY, most=PAIR_MAX_DELAY, now=moment
        ),
        _growing_wait(
            from_address,
            free=ADDRESS_FREE_FAILURES,
            first=ADDRESS_FIRST_DELAY,
            most=ADDRESS_MAX_DELAY,
            now=moment,
        ),
    ]
    if not known_device:
        last_minute = _failure_times(
            session,
            col(LoginAttempt.username) == name,
            since=moment - ACCOUNT_PERIOD,
            limit=ACCOUNT_FAILURES_PER_MINUTE,
        )
        if len(last_minute) >= ACCOUNT_FAILURES_PER_MINUTE:
            # The oldest of the minute's failures must leave the minute first.
            frees_at = min(last_minute) + ACCOUNT_PERIOD
            waits.append(max(1, math.ceil((frees_at - moment).total_seconds())))
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _too_many(wait: int, what: str = "failed sign-ins") -> TooManyAttempts:
    return TooManyAttempts(
        f"Too many {what} for this account or from this address. Try again in {_in_words(wait)}.",
        retry_after=wait,
    )


def _serialise(session: Session, name: str, address: str) -> None:
    """Make this account's and this address's count-and-record one step across processes.

    PostgreSQL: transaction-scoped advisory locks, always account first, then address (one order,
    so two sign-ins never wait on each other in a cycle); they end with the transaction. SQLite:
    the app's writing session already holds the database's write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for lock_class, key in ((_ACCOUNT_LOCK, name), (_ADDRESS_LOCK, address)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"), {"c": lock_class, "k": key}
        )


def _count_attempt(
    session: Session,
    name: str,
    address: str,
    moment: dt.datetime,
    *,
    known_device: bool,
    what: str = "failed sign-ins",
) -> int:
    """Record an attempt as a failure, after the throttle lets it through (TooManyAttempts when
    it does not), and commit: a concurrent attempt for this account or address must see it, and
    it must outlast the request's rollback. The caller removes it if the password proves right."""
    wait = throttle_wait(
        session=session, username=name, address=address, now=moment, known_device=known_device
    )
    if wait is not None:
        session.commit()  # ends the transaction and its locks: nothing was written
        raise _too_many(wait, what)
    attempt = LoginAttempt(username=name, address=address, at=moment)
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    attempt_id = attempt.id
    session.commit()
    return attempt_id


def check_current_password(
    *, session: Session, user: User, password: str, address: str, now: dt.datetime | None = None
) -> bool:
    """Whether `password` is `user`'s, counted by the same throttle as signing in: a stolen or
    unattended session must not become an unthrottled way to guess the password (changing it
    asks for the current one). The browser is signed in to the account, so it counts as a known
    device. Commits the caller's session, like `authenticate`: call it before other changes."""
    moment = clock.now_or_clock(now)
    name, address = user.username[:80], (address or "unknown")[:64]
    _serialise(session, name, address)
    attempt_id = _count_attempt(
        session, name, address, moment, known_device=True, what="wrong passwords"
    )
    if not passwords.verify_password(user.password_hash, password):
        return False
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt_id))
    return True


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    address: str,
    now: dt.datetime | None = None,
    known_device_user_ids: Collection[int] = (),
) -> User:
    """The user with these credentials, or NotAuthenticated / TooManyAttempts.

    The attempt is committed before the password is checked (it must outlast the request's
    rollback, and concurrent attempts must count it), so the caller's session is committed too:
    call this before making other changes in the same session, with a writing session.
    `known_device_user_ids`: the accounts this browser has signed in to before (see the module).
    """
    moment = clock.now_or_clock(now)
    name = normalize_username(username)[:80]
    address = (address or "unknown")[:64]
    _serialise(session, name, address)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    known = user is not None and user.id in known_device_user_ids
    attempt_id = _count_attempt(session, name, address, moment, known_device=known)
    stored = user.password_hash if user is not None else None
    # Always one argon2 verification: an unknown user costs the same time as a wrong password.
    matches = passwords.verify_password(stored, password)
    if user is None or not user.active or not matches:
        session.execute(
            delete(LoginAttempt).where(col(LoginAttempt.at) < moment - ATTEMPT_RETENTION)
        )
        session.commit()
        raise NotAuthenticated(WRONG_CREDENTIALS)
    assert stored is not None
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt_id))
    if passwords.HASHER.check_needs_rehash(stored):
        user.password_hash = passwords.HASHER.hash(password)
    user.last_login_at = moment
    session.add(user)
    return user
