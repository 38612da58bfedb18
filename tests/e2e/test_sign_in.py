"""Signing in with the demo accounts, in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in_as
from tests.live_server import LiveServer


def test_demo_sign_in_and_out(page: Page, live_server: LiveServer, screenshot_dir: Path) -> None:
    page.goto(f"{live_server.url}/login")
    expect(page.get_by_role("heading", name="Demo accounts")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)

    sign_in_as(page, live_server, "SJ311 lead")  # waits for the "Sign out" button
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Demo SJ311 lead")).to_be_visible()
    expect(nav.get_by_role("link", name="My work")).to_be_visible()

    nav.get_by_role("button", name="Sign out").click()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(nav.get_by_role("link", name="My work")).to_have_count(0)
    # Signed out for the server too, not just the page: My work asks to sign in again.
    page.goto(f"{live_server.url}/my-work")
    expect(page).to_have_url(f"{live_server.url}/login?next=/my-work")


def test_a_wrong_password_is_refused_in_place(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("admin")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
