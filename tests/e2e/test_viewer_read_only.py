"""A viewer reads every main page and is offered no way to change anything.

The same checks find the edit controls a lead is offered on the same pages, so "none found" for
the viewer means none is there, not that the checks look in the wrong place.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SAN_JOSE, sign_in_as
from tests.live_server import LiveServer

PLAN = f"/plans/{SAN_JOSE}"
READ_PAGES = {
    "plan overview": PLAN,
    "roadmap": f"{PLAN}/roadmap",
    "quick wins board": f"{PLAN}/quick-wins",
    "quick wins board by category": f"{PLAN}/quick-wins?by=category",
    "strategy drill-down": f"{PLAN}/strategies/3.1",
    "focus area": f"{PLAN}/focus-areas/3",
    "scorecard": f"{PLAN}/scorecard",
    "metric": f"{PLAN}/scorecard/S1-NT",
    "search": f"{PLAN}/search?q=language",
    "activity": "/activity",
}
EDIT_WORDS = re.compile(
    r"^(Save|Update|Mark done|Undo|Record value|Correct|Add|Change role|Deactivate)\b"
)
# Every control that would send a change: in a form that posts, or in no form at all
# (a GET form is a filter or a search, which changes nothing).
WRITE_CONTROLS = """
() => [...document.querySelectorAll("main input, main select, main textarea, main button")]
  .filter((el) => el.type !== "hidden" && (!el.form || el.form.method !== "get"))
  .map((el) => `${el.tagName.toLowerCase()} ${el.name || el.id || el.textContent.trim()}`)
"""


def edit_controls(page: Page) -> list[str]:
    main = page.get_by_role("main")
    named = (
        main.get_by_role("button", name=EDIT_WORDS).all()
        + main.get_by_role("link", name=EDIT_WORDS).all()
    )
    return [f"button/link {c.inner_text().strip()}" for c in named] + page.evaluate(WRITE_CONTROLS)


def test_a_viewer_sees_no_edit_control_on_the_main_pages(
    page: Page, shared_server: LiveServer
) -> None:
    sign_in_as(page, shared_server, "viewer")
    found: dict[str, list[str]] = {}
    for name, path in READ_PAGES.items():
        response = page.goto(shared_server.url + path)
        assert response is not None and response.status == 200, name
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if controls := edit_controls(page):
            found[name] = controls
    assert found == {}


def test_my_work_tells_a_viewer_it_is_not_for_them(page: Page, shared_server: LiveServer) -> None:
    viewer = page
    sign_in_as(viewer, shared_server, "viewer")
    viewer.goto(f"{shared_server.url}/my-work")
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(viewer.get_by_role("main")).to_contain_text("Viewers can read the plans")
    assert edit_controls(viewer) == []
    # Nor is it in their navigation.
    expect(
        viewer.get_by_role("navigation", name="Main").get_by_role("link", name="My work")
    ).to_have_count(0)


def test_the_same_checks_find_the_leads_edit_controls(
    page: Page, shared_server: LiveServer
) -> None:
    sign_in_as(page, shared_server, "SJ311 lead")
    for path in (f"{PLAN}/quick-wins", f"{PLAN}/strategies/3.1", "/my-work"):
        page.goto(shared_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert edit_controls(page), f"{path}: the lead is offered no edit control"
    page.goto(f"{shared_server.url}{PLAN}/quick-wins")
    expect(page.get_by_label("Move quick win 1 to")).to_be_visible()
