"""End-to-end tests: the real server (uvicorn) on 127.0.0.1 and Debian's Chromium via Playwright.

Each test gets its own server on a fresh database (migrated, seeds loaded, demo users), in demo
mode so a test signs in as a role with one click, as a person trying `make run` would.
Screenshots of the pages land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import ROOT
from tests.live_server import LiveServer, start_server

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
