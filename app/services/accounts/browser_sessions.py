"""Browser sessions: what keeps a person signed in between requests.

Sessions live in the database (never in a process's memory), so several app processes behave as
one: a session ended by one is ended everywhere.

A session cookie carries a random token; the database keeps only its SHA-256, so a copy of the
database cannot be replayed as a cookie. Sessions end on sign-out, after idle time, after a maximum
age, and when the user is deactivated (or changes their password; see `accounts`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import User, UserSession
from app.services.errors import NotAuthenticated
from app.services.rules import clock
from app.settings import get_settings


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
    moment = clock.now_or_clock(now)
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
    minute. Requests pass False and record it after their transaction (services.accounts.last_seen),
    so identifying the caller never writes.
    """
    if not token:
        return None
    moment = clock.now_or_clock(now)
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
    return clock.now_or_clock(now) - record.last_seen_at >= SEEN_GRANULARITY


def end_session(*, session: Session, token: str, now: dt.datetime | None = None) -> bool:
    """Revoke the session behind `token`. True if there was an open one."""
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    ).first()
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = clock.now_or_clock(now)
    session.add(record)
    return True
