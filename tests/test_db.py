"""The database engine: SQLite writers queue in arrival order and never keep the turn by mistake."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import WriterQueue, get_engine, get_read_engine, writer_queue
from app.settings import get_settings


def _wait_until_queued(queue: WriterQueue, count: int) -> None:
    for _ in range(2000):
        with queue._lock:
            if len(queue._waiters) == count:
                return
        threading.Event().wait(0.001)
    raise AssertionError(f"{count} writers never queued")


def test_waiting_writers_get_their_turn_in_arrival_order() -> None:
    queue = WriterQueue()
    assert queue.acquire(1)
    order: list[int] = []

    def writer(n: int) -> None:
        assert queue.acquire(10)
        order.append(n)
        queue.release()

    threads = []
    for n in range(6):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        _wait_until_queued(queue, n + 1)
        threads.append(thread)
    queue.release()
    for thread in threads:
        thread.join(10)
    assert order == list(range(6))
    assert not queue.busy


def test_a_writer_that_waited_too_long_leaves_the_queue_and_goes_on() -> None:
    queue = WriterQueue()
    assert queue.acquire(1)
    assert queue.acquire(0.01) is False  # bounded wait; SQLite's busy handler takes over
    queue.release()
    assert not queue.busy
    assert queue.acquire(0.01)


def test_postgresql_has_no_writer_queue(database_url: str) -> None:
    # PostgreSQL's row locks queue writers itself; only SQLite's busy handler needs the queue.
    assert (writer_queue(get_engine()) is None) == (not get_settings().is_sqlite)


def test_the_turn_is_given_back_after_commit_failure_and_read(database_url: str) -> None:
    engine = get_engine()
    queue = writer_queue(engine)
    if queue is None:
        assert not get_settings().is_sqlite
        return
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        assert queue.busy  # a write transaction holds the turn
        session.commit()
    assert not queue.busy
    with Session(engine) as session, pytest.raises(IntegrityError):
        # a foreign key to nothing: the transaction fails and rolls back
        session.execute(
            text("INSERT INTO department (organization_id, code, name) VALUES (999999, 'X', 'X')")
        )
        session.flush()
        session.commit()
    assert not queue.busy
    with Session(get_read_engine()) as session:
        session.execute(text("SELECT 1"))
        assert not queue.busy  # readers never queue
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        # closed without commit or rollback: checkin gives the turn back
    assert not queue.busy
