"""End-to-end tests: the real server (uvicorn) on 127.0.0.1 and Debian's Chromium via Playwright.

Each test gets its own server on a fresh database (migrated, seeds loaded, demo users), in demo
mode so a test signs in as a role with one click, as a person trying `make run` would.
Screenshots of the pages land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


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
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database_url: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(database_url: str, *, extra_env: dict[str, str] | None = None) -> LiveServer:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEMO_MODE": "true",
           "ENVIRONMENT": "test", **(extra_env or {})}
    plantrack = [sys.executable, "-m", "app.cli"]
    for command in (["db", "upgrade"], ["seed"], ["demo-users"]):
        subprocess.run(plantrack + command, env=env, cwd=ROOT, check=True, capture_output=True)
    process = subprocess.Popen(
        plantrack + ["serve", "--port", str(port)], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return LiveServer(url, database_url, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}")


@pytest.fixture
def live_server(empty_database_url: str) -> Iterator[LiveServer]:
    server = start_server(empty_database_url)
    yield server
    server.stop()


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in_as(page, server: LiveServer, username: str) -> None:  # noqa: ANN001
    """One-click demo sign-in, as a person would do it after `make run`."""
    page.goto(f"{server.url}/login")
    page.get_by_role("button", name=username, exact=False).first.click()
    page.wait_for_load_state("networkidle")
