"""Request-scoped dependencies: the database session and (see app.auth) the current user.

Issue 16: a request must never wait for a lock, or a pool connection, inside the thread pool while
the holder of that lock needs a thread of the same pool to finish; fifty concurrent requests of one
caller hung the app that way. So the waits happen here, in the event loop, bounded, before the
request touches the database:

- admission: a process lets at most `pool size + overflow - RESERVED_CONNECTIONS` requests hold a
  database session at once (more would wait for a connection in a pool thread), besides the
  holder of the writer turn;
- writer turn (SQLite): one writing request of the process at a time holds the write transaction,
  from its first write query to its commit. The request identifies its caller first in a read
  transaction (identity never takes the write lock), and takes the turn only after CSRF and only
  if it can write at all (`begin_writing`, a global dependency after app.auth.request_guard).

The commit (and `last_seen`'s bookkeeping) runs in a thread that does not count against the pool,
as FastAPI does for a sync dependency's exit, so the holder of a lock can always finish.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlmodel import Session

from app.db import get_engine, get_read_engine
from app.services.accounts.last_seen import Seen, record_seen
from app.services.errors import ServiceBusy
from app.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Connections left outside admission for sessions that are not a request's (CLI, bookkeeping).
RESERVED_CONNECTIONS = 5


@dataclass
class _Gates:
    admission: asyncio.Semaphore
    writer_turn: asyncio.Lock = field(default_factory=asyncio.Lock)


# Per event loop: a worker has one; tests start one per TestClient.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gates] = weakref.WeakKeyDictionary()


def _gates() -> _Gates:
    loop = asyncio.get_running_loop()
    gates = _GATES.get(loop)
    if gates is None:
        settings = get_settings()
        capacity = settings.database_pool_size + settings.database_max_overflow
        gates = _GATES[loop] = _Gates(asyncio.Semaphore(max(1, capacity - RESERVED_CONNECTIONS)))
    return gates


@dataclass
class RequestTransaction:
    session: Session
    holds_admission: bool = True
    holds_writer_turn: bool = False


def _finish(session: Session, failed: bool, seen: Seen | None) -> None:
    """Commit (or roll back), record the caller's use in a transaction of its own, close."""
    try:
        if failed:
            session.rollback()
            return
        session.commit()
        if seen is not None:
            record_seen(session, seen)
    finally:
        session.close()


async def _unpooled(function: object, *args: object) -> None:
    # A limiter of its own: finishing never waits for a thread held by someone waiting on us.
    await anyio.to_thread.run_sync(function, *args, limiter=anyio.CapacityLimiter(1))  # type: ignore[arg-type]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed once when the route returns, before the response.

    scope="function" (below) makes the commit happen before the client hears "200": a write the
    client was told about is a write that is stored. Reading requests get a read transaction
    (on SQLite a deferred BEGIN, so readers never queue behind the write lock); so does a writing
    request on SQLite until `begin_writing`.
    """
    gates = _gates()
    try:
        # The wait for a connection, moved out of the pool's thread: bounded as that one was.
        async with asyncio.timeout(get_settings().database_pool_timeout_s):
            await gates.admission.acquire()
    except TimeoutError:
        raise ServiceBusy() from None
    writing_now = request.method not in SAFE_METHODS and not get_settings().is_sqlite
    session = Session(get_engine() if writing_now else get_read_engine(), expire_on_commit=False)
    transaction = request.state.transaction = RequestTransaction(session)
    try:
        try:
            yield session
        except BaseException:
            await _unpooled(_finish, session, True, None)
            raise
        await _unpooled(_finish, session, False, getattr(request.state, "seen", None))
    finally:
        if transaction.holds_writer_turn:
            gates.writer_turn.release()
        if transaction.holds_admission:
            gates.admission.release()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def begin_writing(request: Request, session: SessionDep) -> None:
    """Turn a SQLite request's read transaction into a write transaction, in the writer turn.

    Runs after the caller is known and CSRF is checked (app.auth.request_guard), so a refused or
    anonymous API write (401 in the route) never queues for the lock. Waiting is bounded: 503.
    """
    if request.method in SAFE_METHODS or not get_settings().is_sqlite:
        return
    if request.state.user is None and request.url.path.startswith("/api/"):
        return
    transaction: RequestTransaction = request.state.transaction
    if transaction.holds_writer_turn:
        return
    await _unpooled(session.commit)  # the identity's read transaction: nothing to write
    # Its connection is back in the pool: waiting for the turn, the request gives its admission
    # back too, so readers (and /healthz) never queue behind writers. The turn's holder needs no
    # admission: there is one per process, within RESERVED_CONNECTIONS.
    gates = _gates()
    gates.admission.release()
    transaction.holds_admission = False
    try:
        async with asyncio.timeout(get_settings().write_wait_s):
            await gates.writer_turn.acquire()
    except TimeoutError:
        raise ServiceBusy() from None
    transaction.holds_writer_turn = True
    session.bind = get_engine()
