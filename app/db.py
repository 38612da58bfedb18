"""The database engine and sessions.

SQLite needs care to be safe under concurrency (figures in QUALITY.md): every connection turns on
WAL, a busy timeout and foreign keys, Python's own transaction handling is switched off, and each
transaction starts with BEGIN IMMEDIATE so two writers queue instead of losing an update or failing
with "database is locked" half-way through.

Every wait for a lock is bounded (issue 16: one viewer's 50 refused writes hung the app): SQLite
writers wait at most `WRITE_WAIT_S` in this process's queue and `SQLITE_BUSY_TIMEOUT_MS` for
another process; PostgreSQL connections carry `lock_timeout` and `statement_timeout`. A request
that runs out of patience answers 503 with Retry-After (`is_lock_timeout`, app/routes/busy.py).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from app.settings import get_settings

WRITE_OPTION = "plantrack_writes"
# A write transaction that gives up at once rather than wait for the lock (bookkeeping such as
# "last used at", which the next request can do as well): it raises `WriteLockBusy`.
NO_WAIT_OPTION = "plantrack_no_wait"
HOLDS_WRITER_TURN = "plantrack_holds_writer_turn"


class WriterQueue:
    """One write transaction at a time per process, waiting threads served in arrival order.

    SQLite's busy handler lets a writer that has just arrived take the lock ahead of one that has
    been sleeping in its back-off, so under sixteen concurrent writers some waited 10 s and more
    (bench/README.md) and would fail past busy_timeout. Queueing the writers of this process
    before BEGIN IMMEDIATE brought the p95 from ~3 s to ~0.5 s; between processes SQLite still
    decides. Waiting is bounded (WRITE_WAIT_S), after which the writer goes on to BEGIN IMMEDIATE
    and SQLite's own handling, as without the queue.

    Requests do not wait here but in app.deps' async writer turn, outside the thread pool: a
    thread waiting here while the turn's holder needs a thread to finish was issue 16's hang.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[threading.Event] = []
        self._busy = False

    def acquire(self, timeout_s: float) -> bool:
        with self._lock:
            if not self._busy and not self._waiters:
                self._busy = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout_s):
            return True
        with self._lock:
            if turn.is_set():  # handed over just as the wait timed out
                return True
            self._waiters.remove(turn)
            return False

    @property
    def busy(self) -> bool:
        return self._busy

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.pop(0).set()  # the turn passes on; the queue stays busy
            else:
                self._busy = False


_WRITER_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The queue of this process's writers to a SQLite database (None for other databases)."""
    return _WRITER_QUEUES.get(engine)


class WriteLockBusy(Exception):
    """A no-wait write transaction (NO_WAIT_OPTION) found the write lock taken."""


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, write_wait_s: float) -> None:
    writers = _WRITER_QUEUES[engine] = WriterQueue()

    def _end_turn(info: dict[str, Any]) -> None:
        if info.pop(HOLDS_WRITER_TURN, False):
            writers.release()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # None = autocommit at the driver level: SQLAlchemy's "begin" event issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front (no lost update, no upgrade failure half-way);
        # readers begin deferred, so under WAL they never wait for a writer or for each other.
        options = conn.get_execution_options()
        if options.get(NO_WAIT_OPTION, False):
            _begin_without_waiting(conn)
        elif options.get(WRITE_OPTION, True):
            if HOLDS_WRITER_TURN not in conn.info:
                conn.info[HOLDS_WRITER_TURN] = writers.acquire(write_wait_s)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _end_turn(conn.info)
                raise
        else:
            conn.exec_driver_sql("BEGIN")

    def _begin_without_waiting(conn: Any) -> None:
        if not writers.acquire(0):
            raise WriteLockBusy
        conn.info[HOLDS_WRITER_TURN] = True
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            _end_turn(conn.info)
            raise WriteLockBusy from exc
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        _end_turn(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _end_turn(conn.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # A connection returned without a commit or rollback event must not keep the turn.
        _end_turn(record.info)


def build_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout_s,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms, settings.write_wait_s)
        return engine
    # Bounded waits on the server's side: a statement waiting for a row lock, or running, longer
    # than this fails (lock_not_available, query_canceled) and its request answers 503.
    timeouts = (
        f"-c lock_timeout={int(settings.database_lock_timeout_ms)} "
        f"-c statement_timeout={int(settings.database_statement_timeout_ms)}"
    )
    return create_engine(
        url,
        connect_args={"options": timeouts},
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_s,
    )


# SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes included. PostgreSQL:
# lock_not_available, query_canceled (statement_timeout) and deadlock_detected.
_SQLITE_BUSY_CODES = frozenset({5, 6})
_POSTGRESQL_BUSY_STATES = frozenset({"55P03", "57014", "40P01"})


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether `exc` means "the database was too busy to answer in time", not a bug: a lock or a
    pool connection not obtained within its bound. Such a request can be retried (503)."""
    if isinstance(exc, (PoolTimeout, WriteLockBusy)):
        return True
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY_CODES
    return getattr(orig, "sqlstate", None) in _POSTGRESQL_BUSY_STATES


@lru_cache
def get_engine() -> Engine:
    return build_engine()


def get_read_engine() -> Engine:
    """The same engine and pool, for transactions that only read (GET requests, pages)."""
    return get_engine().execution_options(**{WRITE_OPTION: False})


def reset_engine() -> None:
    """Forget the cached engine (tests point DATABASE_URL at a fresh database)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


def optimize_sqlite(engine: Engine | None = None) -> None:
    """Let SQLite's query planner know the data (issue 14): `PRAGMA optimize` at start-up and
    after an import, within `analysis_limit` rows a table so it stays quick on a large file. Under
    SQLite before 3.46 `optimize` analyses only tables analysed before, so a database that never
    was is analysed once in full. Nothing to do on PostgreSQL (autovacuum analyses)."""
    engine = engine or get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        analysed = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).first()
        conn.exec_driver_sql("PRAGMA optimize" if analysed else "ANALYZE")


def session_scope() -> Iterator[Session]:
    """One session per unit of work; commits at the end, rolls back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
