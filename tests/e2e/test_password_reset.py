"""Issue 13 in a real browser: an administrator issues a one-time reset link, the person sets a
new password through it (not signed in) and signs in with it; the link does not work twice."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import sign_in_as
from tests.live_server import LiveServer

NEW_PASSWORD = "lantern quietly orbits"


def test_an_administrator_issues_a_reset_link_and_the_person_signs_in_with_it(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    sign_in_as(page, live_server, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("button", name="Issue a password reset link for viewer", exact=True).click()
    expect(page.get_by_role("heading", name="Password reset link for viewer")).to_be_visible()
    link = page.get_by_label("One-time link").input_value()
    assert link.startswith(f"{live_server.url}/reset/")

    # The person, in a browser of their own, not signed in.
    context = browser.new_context()
    theirs = context.new_page()
    theirs.goto(link)
    expect(theirs.get_by_role("heading", name="Set a new password")).to_be_visible()
    theirs.get_by_label("New password", exact=False).first.fill("short")
    theirs.get_by_label("The new password again").fill("short")
    theirs.get_by_role("button", name="Set my password").click()
    expect(theirs.locator("#reset-password-error")).to_contain_text("at least 8 characters")
    theirs.get_by_label("New password (at least 8 characters, not a common one)").fill(NEW_PASSWORD)
    theirs.get_by_label("The new password again").fill(NEW_PASSWORD)
    theirs.get_by_role("button", name="Set my password").click()
    expect(theirs.get_by_role("heading", name="Your password is set")).to_be_visible()

    theirs.get_by_role("button", name="Sign in with your new password").click()
    theirs.get_by_label("Username").fill("viewer")
    theirs.get_by_label("Password").fill(NEW_PASSWORD)
    theirs.get_by_role("button", name="Sign in", exact=True).click()
    expect(theirs.get_by_role("button", name="Sign out")).to_be_visible()

    # Used once: the same link now says it cannot be used.
    theirs.goto(link)
    expect(theirs.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    context.close()
