"""Fixtures shared by the whole suite.

Every test gets a fresh database built by the real migrations: on SQLite a copy of a migrated
template file, on PostgreSQL (PLANTRACK_TEST_DB=postgresql) a database cloned from a migrated
template on a throwaway server. The app is pointed at it through DATABASE_URL, exactly as in
production; nothing touches data/plantrack.db.
"""

from __future__ import annotations

import functools
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
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from app.db import get_engine, get_read_engine, reset_engine, writer_queue  # noqa: E402
from app.routes import cached_pages  # noqa: E402
from app.services.accounts import passwords  # noqa: E402
from app.services.plan_file import plan_yaml  # noqa: E402
from app.services.plan_file import reading as plan_reading  # noqa: E402
from app.settings import get_settings  # noqa: E402

BACKEND = os.environ.get("PLANTRACK_TEST_DB", "sqlite")

# Passwords: the app's hasher (argon2id at OWASP's minimum, m = 19 MiB, t = 2) costs a quarter of
# a second per hash or check on these machines, and hundreds of tests make users with passwords
# and sign them in. Here they get argon2id with the least memory and time argon2 accepts: the same
# code paths, the same hash format, a thousandth of the cost. Tests about the parameters themselves
# take `production_hasher`; servers started in a process of their own (tests/live_server.py, e2e)
# keep the real one.
PRODUCTION_HASHER = passwords.HASHER
passwords.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """The hasher the app ships with, for tests of its parameters."""
    monkeypatch.setattr(passwords, "HASHER", PRODUCTION_HASHER)
    return PRODUCTION_HASHER


# Plan files: the same few texts (the tiny plan, the seeds) are imported by hundreds of tests, and
# PyYAML's pure-Python composer took a fifth of a typical test's time reading them again. A text's
# node tree is composed once per test process; refused texts raise every time (nothing cached),
# and the limits are part of the key, so a test that lowers one reads the text afresh. Checking,
# validation and storing still run for every import.
_compose_plan_yaml = plan_reading.compose_plan_yaml


@functools.lru_cache(maxsize=16)
def _composed_once(text: str, max_nodes: int, max_bytes: int) -> object:
    return _compose_plan_yaml(text)


def _compose_once(text: str) -> object:
    return _composed_once(text, plan_yaml.MAX_NODES, plan_yaml.MAX_BYTES)


plan_reading.compose_plan_yaml = _compose_once  # type: ignore[assignment]

_counter = itertools.count()


# The settings and engine the app was last pointed with: kept while neither changes.
_kept_engine: tuple[str, Engine] | None = None


def _point_app_at(url: str) -> None:
    """Point the app at `url`. The app's engine is kept when the URL and every setting are the
    ones it was made with: SQLAlchemy caches compiled statements on the engine (its dialect is
    part of the key), so a new engine per test compiled every statement again, a sixth of a
    typical test's time."""
    global _kept_engine
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    # Pages kept by an earlier test were read from another database under this same URL.
    cached_pages.forget_all()
    key = get_settings().model_dump_json()
    if (
        _kept_engine is not None
        and _kept_engine[0] == key
        and get_engine.cache_info().currsize
        and get_engine() is _kept_engine[1]
        and not _writer_turn_taken(_kept_engine[1])
    ):
        return
    reset_engine()
    _kept_engine = (key, get_engine())


def _writer_turn_taken(engine: Engine) -> bool:
    """A SQLite writer turn the last test left taken would make the next one wait: start anew."""
    queue = writer_queue(engine)
    return queue is not None and queue.busy


def _close_app_connections() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()


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


def load_copy(request: pytest.FixtureRequest, url: str, source: str) -> None:
    """Make the database at `url` a fresh copy of `source` (a SQLite file, or the name of a
    PostgreSQL template), closing the app's connections to what was there first."""
    _close_app_connections()
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = url.rsplit("/", 1)[1]
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {source}"))
        admin.dispose()
        return
    path = Path(url.removeprefix("sqlite:///"))
    for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, path)


# PostgreSQL: what the template's schema is, and the engines that empty each worker database.
_SCHEMA_QUERY = (
    "SELECT (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) "
    "FROM pg_class WHERE relnamespace = 'public'::regnamespace), "
    "(SELECT string_agg(version_num, ',') FROM alembic_version)"
)
_template_schema: dict[str, tuple[str, str]] = {}
_emptying: dict[str, Engine] = {}


def _schema_of(engine: Engine) -> tuple[str, str]:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(_SCHEMA_QUERY).one()
    return (found[0], found[1])


def reload_template(request: pytest.FixtureRequest, url: str, template: str) -> None:
    """Make the database at `url` hold what the migrated, empty `template` holds.

    On PostgreSQL a database the previous test used is emptied in place (every row deleted,
    every sequence restarted: about 4 ms) rather than dropped and copied again (about 270 ms,
    most of it copying the system catalogues). Only when its schema is not the template's, or
    something still holds a lock on it, is it copied afresh.
    """
    if BACKEND != "postgresql" or url not in _emptying:
        load_copy(request, url, template)
        if BACKEND == "postgresql":
            _emptying[url] = create_engine(url, poolclass=NullPool)
        return
    import app.models  # noqa: F401  (every table in the metadata)

    engine = _emptying[url]
    if template not in _template_schema:
        server = request.getfixturevalue("pg_server")
        source = create_engine(server.url(template), poolclass=NullPool)
        _template_schema[template] = _schema_of(source)
    try:
        if _schema_of(engine) != _template_schema[template]:
            raise LookupError("the schema changed")
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            # Triggers off for this transaction: the history's append-only guard refuses any
            # DELETE, as it must for the app, but here the whole database is being reset.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in reversed(SQLModel.metadata.sorted_tables):
                conn.exec_driver_sql(f'DELETE FROM "{table.name}"')
            sequences = conn.exec_driver_sql(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            ).scalars()
            for sequence in list(sequences):
                conn.exec_driver_sql(f"SELECT setval('\"{sequence}\"', 1, false)")
    except (LookupError, OperationalError):
        load_copy(request, url, template)


def worker_database_url(request: pytest.FixtureRequest, name: str) -> str:
    """The URL of this test process's database called `name`: the same for every test that
    uses it, so the app's engine (and its statement cache) carries over between tests."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        return server.url(f"plantrack_{name}_{os.getpid()}")
    return f"sqlite:///{_TMP / f'{name}.db'}"


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
    "performance_session": "session",
    "action_item": "action_item",
}


def own_engine(url: str) -> Engine:
    """An engine of the test's own (not the app's): plain driver transactions, so a test that only
    reads takes no write lock; SQLite waits up to 30 s for a lock instead of failing at once."""
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(url)


_checking: dict[str, Engine] = {}


def _checking_engine(url: str) -> Engine:
    """One engine per database URL for the checks between tests (no pool: nothing stays open
    while the next test replaces the database; one dialect: its statements compile once)."""
    if url not in _checking:
        _checking[url] = create_engine(url, poolclass=NullPool)
    return _checking[url]


def changes_without_history(url: str) -> list[str]:
    """Rows whose version moved more often than the history recorded an accepted change.

    Every accepted change bumps the version once and writes one history entry with the version
    it produced (QUALITY.md row 10), so for each row: version - 1 == entries with version_after > 1.
    """
    engine = _checking_engine(url)
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
    return problems


@pytest.fixture
def database_url(request: pytest.FixtureRequest, template_database: str) -> Iterator[str]:
    url = worker_database_url(request, "test")
    reload_template(request, url, template_database)
    _point_app_at(url)
    yield url
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


def own_view(database_url: str) -> Iterator[Session]:
    """The test's own view of the database, beside the app's engine.

    Not the app's engine: that one starts every transaction with BEGIN IMMEDIATE, so a test that
    only read something would hold the write lock while the app tries to write. Here reads take
    no lock (the driver's deferred transactions), and the app's WAL lets them run alongside.
    """
    engine = own_engine(database_url)
    with get_engine().connect():  # the app's engine switches the database file to WAL
        pass
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """`own_view` as a fixture: for tests that drive the app over HTTP and read what it saved."""
    yield from own_view(database_url)


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


# --- the order tests are handed to the xdist workers ---------------------------------------------

# The longest single tests (--durations), started first: a long test handed out at the end of a
# run leaves the other worker idle until it finishes (the crash test alone runs 1.5 minutes).
_LONG_FIRST = (
    "tests/test_crash_recovery.py",
    "tests/fuzz/test_page_params_fuzz.py",
    "tests/test_loopback_load.py",
    "tests/routes/test_security_headers.py",
    "tests/e2e/",
    "tests/test_body_limit_live.py",
    "tests/test_production_settings.py",
)


def _rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(_LONG_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(_LONG_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort of whole modules: within a module the order stays as written, so a module
    # fixture is still built once per worker.
    items.sort(key=_rank)
