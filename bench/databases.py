"""The databases a run measures (`--databases`): SQLite files, or PostgreSQL databases.

SQLite: one file per scale in the run's temporary folder. PostgreSQL: a throwaway server started
as the tests start theirs (`tests.pg_server.PostgresServer`: its own temporary folder, a free
port, fsync and synchronous commit off), once, when the first PostgreSQL city is built, and one
fresh database on it per scale. `Databases.stop()` stops the server (the run calls it in a
`finally`, so a failure or Ctrl-C stops it too).

Reads the benchmark makes itself (write versions, acknowledged writes) go through SQLAlchemy with
the city's URL (`read_engine`), the same code on both databases.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# What the server's log says when concurrent writers collide. SQLite: the lock wait ran out.
# PostgreSQL has no file lock; a collision is a deadlock, a serialization failure or, failing
# those, any exception the server logged: each log line naming one is counted.
_PG_TROUBLE = re.compile(
    r"deadlock|could not serialize|^[\w.]+(Error|Exception|Timeout)\b.*?: ", re.IGNORECASE
)


def parse(value: str) -> list[str]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in NAMES]
    if unknown or not names:
        raise ValueError(f"--databases: {', '.join(unknown) or 'none'} (known: {', '.join(NAMES)})")
    return list(dict.fromkeys(names))


def contention_label(database: str) -> str:
    """What the contention count of a run on `database` counts, as the report names it."""
    if database == "sqlite":
        return '"database is locked"'
    return 'server-log lines with an error, "deadlock" or "could not serialize"'


def contention_count(log_text: str, database: str) -> int:
    if database == "sqlite":
        return log_text.count("database is locked")
    return sum(1 for line in log_text.splitlines() if _PG_TROUBLE.search(line))


@functools.cache
def read_engine(url: str) -> Engine:
    """An engine for the benchmark's own reads of a city's database (no pool: nothing lingers)."""
    connect_args: dict[str, Any] = {"timeout": 30} if url.startswith("sqlite") else {}
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def size_mb(url: str) -> float:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
    with read_engine(url).connect() as conn:
        return (
            int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
            / 1e6
        )


class Databases:
    """Where each city's database lives; starts the PostgreSQL server when first needed."""

    def __init__(self) -> None:
        self.server: Any = None  # tests.pg_server.PostgresServer once started
        self.version = ""

    def url(self, database: str, scale: float, folder: Path) -> str:
        if database == "sqlite":
            return f"sqlite:///{folder / 'bench.db'}"
        if self.server is None:
            from tests.pg_server import PostgresServer

            self.server = PostgresServer.start()
        name = "bench_scale_" + f"{scale:g}".replace(".", "_").replace("-", "_")
        admin = create_engine(self.server.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name}"))
                self.version = str(conn.execute(text("SHOW server_version")).scalar_one())
        finally:
            admin.dispose()
        return str(self.server.url(name))

    def stop(self) -> None:
        if self.server is None:
            return
        from app.db import reset_engine

        reset_engine()  # the app's in-process engine may hold connections to a city here
        server, self.server = self.server, None
        server.stop()
