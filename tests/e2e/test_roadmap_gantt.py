"""The roadmap's Gantt chart on a phone (issue 12): at 390 px wide the chart scrolls sideways
inside its own box, the page does not, and the first column (the strategy's name and status)
stays in view while the quarters move under it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserProblems
from tests.live_server import LiveServer

ROADMAP = "/plans/mississauga-customer-service-strategy/roadmap"


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_at_390_px_the_chart_scrolls_and_the_first_column_stays(
    page: Page, shared_server: LiveServer, screenshot_dir: Path
) -> None:
    problems = BrowserProblems(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{shared_server.url}{ROADMAP}")
    chart = page.locator(".rm-scroll")
    expect(chart).to_be_visible()
    name = "table.roadmap-table tbody tr#rm-3\\.3 th.rm-name"
    expect(page.locator(name)).to_contain_text("Welcome Desk")
    # The page itself does not scroll sideways: only the chart's box does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(name).scroll_into_view_if_needed()
    before_name, before_quarter = _box(page, name), _box(page, "thead th.rm-q >> nth=8")

    assert chart.get_attribute("tabindex") == "0"  # focusable: arrow keys scroll it too
    chart.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_function("document.querySelector('.rm-scroll').scrollLeft > 100")
    after_name, after_quarter = _box(page, name), _box(page, "thead th.rm-q >> nth=8")
    page.screenshot(path=str(screenshot_dir / "roadmap-390-scrolled.png"))

    assert after_quarter["x"] < before_quarter["x"] - 100  # the quarters moved under it
    assert abs(after_name["x"] - before_name["x"]) <= 4  # the first column did not
    assert after_name["x"] >= 0 and after_name["x"] + after_name["width"] <= 390
    # …and it is on top: the point at its middle is the name cell, not a quarter behind it.
    middle = (after_name["x"] + after_name["width"] / 2, after_name["y"] + 10)
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th')?.className ?? ''", middle
    )
    assert "rm-name" in hit
    assert problems.csp_violations() == []
