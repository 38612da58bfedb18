"""The database engine and sessions.

SQLite needs care to be safe under concurrency (figures in QUALITY.md): every connection turns on
WAL, a busy timeout and foreign keys, Python's own transaction handling is switched off, and each
transaction starts with BEGIN IMMEDIATE so two writers queue instead of losing an update or failing
with "database is locked" half-way through.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.settings import get_settings

WRITE_OPTION = "plantrack_writes"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
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
        if conn.get_execution_options().get(WRITE_OPTION, True):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def build_engine(url: str | None = None) -> Engine:
    settings = get_settings()
    url = url or settings.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


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


def session_scope() -> Iterator[Session]:
    """One session per unit of work; commits at the end, rolls back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
