"""When a token or a browser session was last used: bookkeeping that never makes anyone wait.

`last_used_at` (API tokens) and `last_seen_at` (sessions: the idle limit counts from it) were
written in the request's own transaction, so every request of one caller updated the same row:
on PostgreSQL fifty concurrent requests queued on its row lock while its holder waited for a
thread, and the app hung (issue 16). Now identifying the caller only reads; the request notes
what is due (`Seen`), and after its transaction has committed one short transaction of its own
moves the time on, at most once a minute per row, and only if it gets the lock at once: on a busy
database it skips, and a later request records it (the idle limit is far longer than a minute).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import or_, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, col

from app.db import NO_WAIT_OPTION, WRITE_OPTION, WriteLockBusy
from app.models import ApiToken, UserSession
from app.services.accounts.browser_sessions import SEEN_GRANULARITY

# PostgreSQL has no "skip if locked" for a plain UPDATE: wait a moment at most, then give up.
POSTGRESQL_LOCK_WAIT = "50ms"


@dataclass(frozen=True)
class Seen:
    """A use of a credential that is due to be recorded."""

    kind: Literal["token", "session"]
    row_id: int
    at: dt.datetime


def record_seen(session: Session, seen: Seen) -> bool:
    """Record `seen` in a transaction of its own on `session` (whose own transaction has ended).

    Conditional, so several processes record one minute's use once; True if it was written.
    """
    model = ApiToken if seen.kind == "token" else UserSession
    column = col(ApiToken.last_used_at) if seen.kind == "token" else col(UserSession.last_seen_at)
    statement = (
        update(model)
        .where(col(model.id) == seen.row_id)
        .where(or_(column.is_(None), column <= seen.at - SEEN_GRANULARITY))
        .values({column.key: seen.at})
        .execution_options(synchronize_session=False)
    )
    try:
        session.connection(execution_options={WRITE_OPTION: True, NO_WAIT_OPTION: True})
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"SET LOCAL lock_timeout = '{POSTGRESQL_LOCK_WAIT}'"))
        written = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
    except (WriteLockBusy, OperationalError, PoolTimeout):
        session.rollback()
        return False
    return written
