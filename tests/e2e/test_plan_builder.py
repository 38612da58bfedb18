"""The plan builder in a browser, as the demo coordinator: a statement moved with the keyboard
(focus stays on the button), another dragged with the mouse, and a statement added through a
form whose refusal comes back in place (htmx) before it is saved."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SAN_JOSE, BrowserProblems, sign_in_as
from tests.live_server import LiveServer


def statement_names(page: Page) -> list[str]:
    outline = page.get_by_role("list", name="Statements", exact=True)
    items = outline.locator(":scope > li .build-title")
    return [" ".join(t.split()) for t in items.all_inner_texts()]


def test_a_coordinator_orders_statements_by_keyboard_and_by_drag(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    problems = BrowserProblems(page)
    sign_in_as(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}")
    page.get_by_role("link", name="Build", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Build:")
    before = statement_names(page)
    assert len(before) >= 3
    page.evaluate("window.__sameDocument = true")

    # Keyboard: focus the first statement's Move down and press Enter.
    down = page.get_by_role("button", name=f"Move down {before[0]}")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Moved {before[0]} down.")
    assert statement_names(page) == [before[1], before[0], *before[2:]]
    expect(page.get_by_role("button", name=f"Move down {before[0]}")).to_be_focused()
    assert page.evaluate("window.__sameDocument === true"), "the outline reloaded, not swapped"

    # Mouse: drag the third statement onto the first.
    now = statement_names(page)
    rows = page.get_by_role("list", name="Statements", exact=True).locator(":scope > li")
    rows.nth(2).drag_to(rows.first, target_position={"x": 10, "y": 2})
    expect(page.get_by_role("status")).to_contain_text("in the new order")
    dragged = [now[2], now[0], now[1], *now[3:]]
    assert statement_names(page) == dragged
    page.reload()
    assert statement_names(page) == dragged
    page.screenshot(path=str(screenshot_dir / "plan-builder-outline.png"), full_page=True)
    assert problems.csp_violations() == []
    assert problems.errors == []


def test_a_refused_statement_is_shown_in_place_then_added(
    page: Page, live_server: LiveServer
) -> None:
    problems = BrowserProblems(page, expected_errors=("/build/statements/new",))
    sign_in_as(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/build")
    page.get_by_role("link", name="Add a statement").click()
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Kind").select_option("value")
    page.get_by_role("button", name=re.compile("^Add ")).click()
    title = page.get_by_label("Title")
    expect(page.locator("#f-title-error")).to_have_text("This is required.")
    expect(title).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("window.__sameDocument === true"), "the refusal reloaded the page"

    title.fill("Residents are answered in their language")
    page.get_by_role("button", name=re.compile("^Add ")).click()
    expect(page).to_have_url(re.compile(r"/build\?saved=Added"))
    expect(page.get_by_role("status")).to_contain_text("Residents are answered in their language")
    assert problems.csp_violations() == []
    assert problems.errors == []
