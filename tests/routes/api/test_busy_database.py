"""A busy database (issue 16): identifying the caller never writes or waits, and a request that
cannot get a lock in time answers 503 with Retry-After, never 500, never a hang."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.db import reset_engine
from app.models import ApiToken, User
from app.services.rules import clock
from app.settings import get_settings
from tests.conftest import BACKEND, own_engine
from tests.routes.api.conftest import API, Ids, People, history

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def impatient(database_url: str) -> Iterator[None]:
    """Lock waits of a fifth of a second instead of seconds."""
    names = {
        "SQLITE_BUSY_TIMEOUT_MS": "200",
        "WRITE_WAIT_S": "0.5",
        "DATABASE_LOCK_TIMEOUT_MS": "200",
    }
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    reset_engine()
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    reset_engine()


@contextmanager
def row_locked(database_url: str, table: str, row_id: int) -> Iterator[Connection]:
    """Another connection holds the lock a write of this row needs: SQLite's write lock (it has
    no row locks), or PostgreSQL's row lock."""
    engine = own_engine(database_url)
    connection = engine.connect()
    try:
        if BACKEND == "postgresql":
            connection.execute(
                text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id}
            )
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection
    finally:
        connection.rollback()
        connection.close()
        engine.dispose()


def test_a_write_that_cannot_get_the_lock_in_time_answers_503_with_retry_after(
    impatient: None,
    session: Session,
    people: People,
    ids: Ids,
    client_for: Callable[[User], TestClient],
    database_url: str,
) -> None:
    lead = client_for(people.cc_lead)
    change = {"version": 1, "narrative": "Hiring is on track."}
    with row_locked(database_url, "strategy", ids.s11):
        answer = lead.post(f"{API}/strategies/{ids.s11}/progress", json=change)
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["error"]["code"] == "busy"
    assert history(session, "strategy", ids.s11) == []  # nothing half-written
    # Retrying once the lock is free works.
    again = lead.post(f"{API}/strategies/{ids.s11}/progress", json=change)
    assert again.status_code == 200, again.text
    assert len(history(session, "strategy", ids.s11)) == 1


def _last_used(session: Session, user: User) -> dt.datetime | None:
    session.expire_all()
    token = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    value = token.last_used_at
    return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value


def test_last_use_is_recorded_after_the_request_once_a_minute_and_never_when_refused(
    session: Session,
    people: People,
    ids: Ids,
    client_for: Callable[[User], TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [T0]
    monkeypatch.setattr(clock, "clock", lambda: now[0])
    viewer = client_for(people.viewer)
    refused = viewer.post(f"{API}/strategies/{ids.s11}/progress", json={"version": 1})
    assert refused.status_code == 403
    assert _last_used(session, people.viewer) is None  # a refused request writes nothing

    assert viewer.get(f"{API}/strategies/{ids.s11}").status_code == 200
    assert _last_used(session, people.viewer) == T0
    now[0] = T0 + dt.timedelta(seconds=59)
    assert viewer.get(f"{API}/strategies/{ids.s11}").status_code == 200
    assert _last_used(session, people.viewer) == T0  # at most once a minute
    now[0] = T0 + dt.timedelta(seconds=61)
    assert viewer.get(f"{API}/strategies/{ids.s11}").status_code == 200
    assert _last_used(session, people.viewer) == T0 + dt.timedelta(seconds=61)


def test_recording_last_use_never_waits_for_a_lock(
    session: Session,
    people: People,
    ids: Ids,
    client_for: Callable[[User], TestClient],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [T0]
    monkeypatch.setattr(clock, "clock", lambda: now[0])
    viewer = client_for(people.viewer)
    assert viewer.get(f"{API}/strategies/{ids.s11}").status_code == 200  # started, recorded
    assert _last_used(session, people.viewer) == T0
    now[0] = T0 + dt.timedelta(minutes=5)  # due again
    token_id = session.exec(select(ApiToken.id).where(ApiToken.user_id == people.viewer.id)).one()
    with row_locked(database_url, "api_token", token_id) as holder:
        # The holder lets go after 3 s, within the 5 s a waiting writer would wait: bookkeeping
        # that waited for the lock would then write.
        release = threading.Timer(3.0, holder.rollback)
        release.start()
        answer = viewer.get(f"{API}/strategies/{ids.s11}")
        release.join()
    assert answer.status_code == 200
    assert _last_used(session, people.viewer) == T0  # skipped, not waited for
    assert viewer.get(f"{API}/strategies/{ids.s11}").status_code == 200
    assert _last_used(session, people.viewer) == now[0]  # the next request records it
