"""End-to-end tests: the real server (uvicorn) on 127.0.0.1 and Debian's Chromium via Playwright.

A test that writes gets its own server (`live_server`) on a fresh database (migrated, seeds loaded,
demo users: a copy of one such database made per test process); a module whose tests only read
shares one (`shared_server`). Demo mode is on, so a test signs in as a role with one click, as a
person trying `make run` would. Helpers here assign owners through the services as an
administrator and read the server's database; `BrowserProblems` collects CSP violations and
script errors. Screenshots of the pages land in test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from app.db import build_engine
from app.models import Department, Metric, Plan, Strategy, User
from app.models.metric import MetricUpdate
from app.models.strategy import StrategyUpdate
from app.services.changes import metrics, strategies
from app.services.changes.history import Actor
from app.settings import ROOT
from tests.live_server import LiveServer, _free_port, start_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"

SAN_JOSE = "san-jose-customer-service"

pytestmark = pytest.mark.browser

# Two cores shared with other work: give a swap or a page load more than the default 5 s.
expect.set_options(timeout=15_000)

# Records every Content-Security-Policy violation the page reports, so a test can read them.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


ON_POSTGRESQL = os.environ.get("PLANTRACK_TEST_DB") == "postgresql"


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated, seeded and with the demo users, made once per run: each
    server starts on a copy of it (the CLI's three steps take a few seconds per server)."""
    path = tmp_path_factory.mktemp("e2e-template") / "seeded.db"
    server = start_server(f"sqlite:///{path}")
    server.stop()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _serve_copy(template: Path, target: Path) -> LiveServer:
    """The real server (as `plantrack serve`) on a copy of the seeded database."""
    shutil.copyfile(template, target)
    url = f"sqlite:///{target}"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "DEMO_MODE": "true", "ENVIRONMENT": "test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return LiveServer(base, url, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    stderr = process.stderr.read().decode() if process.stderr else ""
    raise RuntimeError(f"the server did not start: {stderr}")


@pytest.fixture(scope="session")
def seeded_postgresql(request: pytest.FixtureRequest) -> str:
    """PostgreSQL's counterpart of `seeded_sqlite`: a database migrated, seeded and with the
    demo users by the CLI once per test process; each server starts on a copy of it (CREATE
    DATABASE ... TEMPLATE copies it exactly), not on a database the three CLI steps prepare
    again (15-20 s per server on a loaded two-core machine)."""
    pg = request.getfixturevalue("pg_server")
    name = f"plantrack_e2e_seeded_{os.getpid()}"
    admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    server = start_server(pg.url(name))
    server.stop()
    return name


_databases = itertools.count()


def _serve_pg_copy(pg: Any, template: str, name: str) -> LiveServer:
    """The real server on `name`, a new PostgreSQL database copied from `template`."""
    admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return start_server(pg.url(name), prepare=False)


@pytest.fixture
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of the test's own, on a fresh seeded database with the demo users."""
    if ON_POSTGRESQL:
        pg = request.getfixturevalue("pg_server")
        name = f"plantrack_e2e_{os.getpid()}_{next(_databases)}"
        server = _serve_pg_copy(pg, request.getfixturevalue("seeded_postgresql"), name)
    else:
        server = _serve_copy(request.getfixturevalue("seeded_sqlite"), tmp_path / "e2e.db")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server for a module whose tests only read, or write only what no other test reads."""
    if ON_POSTGRESQL:
        pg = request.getfixturevalue("pg_server")
        name = f"plantrack_e2e_{os.getpid()}_{request.module.__name__.rsplit('.', 1)[-1]}"
        server = _serve_pg_copy(pg, request.getfixturevalue("seeded_postgresql"), name)
    else:
        template = request.getfixturevalue("seeded_sqlite")
        server = _serve_copy(template, tmp_path_factory.mktemp("e2e") / "shared.db")
    yield server
    server.stop()


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextmanager
def db_session(server: LiveServer) -> Iterator[Session]:
    """A session on the server's own database, as another process would see it."""
    engine = build_engine(server.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _admin_and_department(session: Session, dept_code: str) -> tuple[User, Department]:
    admin = session.exec(select(User).where(User.username == "admin")).one()
    dept = session.exec(
        select(Department).where(
            Department.code == dept_code, Department.organization_id == admin.organization_id
        )
    ).one()
    return admin, dept


def _san_jose_strategy(session: Session, code: str) -> Strategy:
    return session.exec(
        select(Strategy).join(Plan).where(Strategy.code == code, Plan.slug == SAN_JOSE)
    ).one()


def assign_strategy(server: LiveServer, code: str, dept_code: str = "SJ311") -> int:
    """The San José seed names no owner for most recommendations: an administrator assigns one."""
    with db_session(server) as session:
        admin, dept = _admin_and_department(session, dept_code)
        rec = _san_jose_strategy(session, code)
        if rec.department_id != dept.id:
            strategies.update_strategy(
                session=session,
                strategy=rec,
                actor=Actor(user=admin),
                data=StrategyUpdate(version=rec.version, department_id=dept.id),
            )
            session.commit()
        assert rec.id is not None
        return rec.id


def plan_start(server: LiveServer, code: str, day: dt.date) -> None:
    """Give a San José recommendation a planned start, as its coordinator would when scheduling
    it: from then on it owes progress updates (app.services.rules.update_cycles)."""
    with db_session(server) as session:
        admin, _ = _admin_and_department(session, "SJ311")
        rec = _san_jose_strategy(session, code)
        strategies.update_strategy(
            session=session,
            strategy=rec,
            actor=Actor(user=admin),
            data=StrategyUpdate(version=rec.version, planned_start=day),
        )
        session.commit()


def assign_metric(server: LiveServer, code: str, dept_code: str = "SJ311") -> int:
    """The San José seed's metrics have no owning department: an administrator assigns one."""
    with db_session(server) as session:
        admin, dept = _admin_and_department(session, dept_code)
        metric = session.exec(
            select(Metric).join(Plan).where(Metric.code == code, Plan.slug == SAN_JOSE)
        ).one()
        metrics.update_metric(
            session=session,
            metric=metric,
            actor=Actor(user=admin),
            data=MetricUpdate(version=metric.version, department_id=dept.id),
        )
        session.commit()
        assert metric.id is not None
        return metric.id


def sign_in_as(page: Page, server: LiveServer, username: str) -> None:
    """One-click demo sign-in, as a person would do it after `make run`."""
    page.goto(f"{server.url}/login")
    page.get_by_role("button", name=username, exact=False).first.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


class BrowserProblems:
    """What a page reported while a test used it: JS errors, console errors, CSP violations."""

    def __init__(self, page: Page, *, expected_errors: tuple[str, ...] = ()) -> None:
        """`expected_errors`: paths whose error status is the point (a 404 page), so the
        browser's "Failed to load resource" for that very document is not a problem."""
        self.page = page
        self.expected_errors = expected_errors
        self.errors: list[str] = []
        page.add_init_script(CSP_RECORDER)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        resource = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and resource.endswith(
            self.expected_errors or ("\0",)
        ):
            return
        if message.type == "error":
            self.errors.append(f"{self.page.url}: console error: {message.text} ({resource})")
        elif "Content Security Policy" in message.text:
            self.errors.append(f"{self.page.url}: console {message.type}: {message.text}")

    def csp_violations(self) -> list[dict[str, Any]]:
        """The violations the current document recorded (call before leaving it)."""
        return self.page.evaluate("window.__cspViolations || []")
