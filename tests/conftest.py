"""Fixtures shared by the whole suite.

Every test gets a fresh database built by the real migrations: on SQLite a copy of a migrated
template file, on PostgreSQL (PLANTRACK_TEST_DB=postgresql) a database cloned from a migrated
template on a throwaway server. The app is pointed at it through DATABASE_URL, exactly as in
production; nothing touches data/plantrack.db.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

# Before anything imports the app: tests never see the developer's database or settings.
_TMP = Path(tempfile.mkdtemp(prefix="plantrack-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'unused.db'}"
os.environ["ENVIRONMENT"] = "test"
os.environ.pop("DEMO_MODE", None)
warnings.filterwarnings("ignore", message=".*httpx2.*")

import pytest  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import get_read_engine, reset_engine  # noqa: E402
from app.settings import get_settings  # noqa: E402

BACKEND = os.environ.get("PLANTRACK_TEST_DB", "sqlite")
_counter = itertools.count()


def _point_app_at(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    reset_engine()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    from tests.pg_server import PostgresServer

    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def template_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database migrated to head once per run; each test starts from a copy of it."""
    from app.services.operations.database_admin import upgrade_database

    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE plantrack_template"))
        admin.dispose()
        upgrade_database(server.url("plantrack_template"))
        yield "plantrack_template"
    else:
        path = _TMP / "template.db"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
        yield str(path)


def new_database_url(request: pytest.FixtureRequest, template: str) -> str:
    number = next(_counter)
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = f"plantrack_test_{os.getpid()}_{number}"
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        admin.dispose()
        return server.url(name)
    path = _TMP / f"test_{number}.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


# Versioned tables and the subject type their history entries carry.
VERSIONED_SUBJECTS = {
    "strategy": "strategy",
    "workplan_step": "step",
    "quick_win": "quick_win",
    "metric": "metric",
    "measurement": "measurement",
    "focus_area": "focus_area",
    "goal": "goal",
    "plan": "plan",
}


def own_engine(url: str) -> Engine:
    """An engine of the test's own (not the app's): plain driver transactions, so a test that only
    reads takes no write lock; SQLite waits up to 30 s for a lock instead of failing at once."""
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(url)


def changes_without_history(url: str) -> list[str]:
    """Rows whose version moved more often than the history recorded an accepted change.

    Every accepted change bumps the version once and writes one history entry with the version
    it produced (QUALITY.md row 10), so for each row: version - 1 == entries with version_after > 1.
    """
    engine = create_engine(url)
    problems = []
    with engine.connect() as conn:
        for table, subject in VERSIONED_SUBJECTS.items():
            bumped = dict(
                conn.execute(text(f"SELECT id, version FROM {table} WHERE version > 1")).all()
            )
            if not bumped:
                continue
            recorded = dict(
                conn.execute(
                    text(
                        "SELECT subject_id, COUNT(*) FROM history_entry WHERE subject_type = :s "
                        "AND version_after > 1 GROUP BY subject_id"
                    ),
                    {"s": subject},
                ).all()
            )
            for row_id, version in bumped.items():
                if recorded.get(row_id, 0) != version - 1:
                    problems.append(
                        f"{table} {row_id}: version {version}, "
                        f"{recorded.get(row_id, 0)} recorded changes"
                    )
    engine.dispose()
    return problems


@pytest.fixture
def database_url(request: pytest.FixtureRequest, template_database: str) -> Iterator[str]:
    url = new_database_url(request, template_database)
    _point_app_at(url)
    yield url
    reset_engine()
    # A hook over the whole suite: no test may leave a change that the history does not hold.
    problems = changes_without_history(url)
    assert not problems, f"changes without a history entry: {problems}"


class TestSession(Session):
    """The test's own session: deferred transactions, like a reader, so it never holds the write
    lock while the app under test handles a request.

    `expire_all()` also ends a read-only transaction: under SQLite's WAL a transaction keeps the
    snapshot it started with, so without this a test would not see what a request just wrote.
    """

    def expire_all(self) -> None:
        if self.in_transaction() and not (self.new or self.dirty or self.deleted):
            self.rollback()
        super().expire_all()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """Call `session.expire_all()` before reading what a request changed."""
    with TestSession(get_read_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with no tables at all (for migration and restore tests)."""
    number = next(_counter)
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = f"plantrack_empty_{os.getpid()}_{number}"
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = server.url(name)
    else:
        url = f"sqlite:///{_TMP / f'empty_{number}.db'}"
    _point_app_at(url)
    yield url
    reset_engine()
