"""Signing in with the demo accounts, in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in_as
from tests.live_server import LiveServer


def test_demo_sign_in_and_out(page: Page, live_server: LiveServer, screenshot_dir) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/login")
    page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)
    sign_in_as(page, live_server, "Sj311")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
