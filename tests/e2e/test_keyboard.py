"""The lead's My work with the keyboard alone: skip link, Tab to the controls, change, submit.

Signing in is set-up; from the moment My work is open there is no click: every step is a key
press, and after each Tab the test checks where focus is and that it can be seen.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import sign_in_as
from tests.live_server import LiveServer

NARRATIVE = "Phone tree in Spanish is live."

# How an element looks, its style transitions run to their end (Pico fades the focus ring in).
LOOK = """el => {
  el.getAnimations().forEach((animation) => animation.finish());
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor].join(" | ");
}"""


def tab_to(page: Page, target: Locator, *, at_most: int, within: str = "") -> int:
    """Press Tab until `target` has focus; how many presses it took. `within`: a selector every
    element focused on the way must be inside (no detour through the navigation)."""
    for presses in range(1, at_most + 1):
        page.keyboard.press("Tab")
        if within:
            where = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
            inside = page.evaluate(f"document.activeElement.closest({within!r}) !== null")
            assert inside, f"Tab {presses} left {within}: {where}"
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{at_most} presses of Tab never reached {target}")


def assert_focus_visible(focused: Locator) -> None:
    """The focused element matches :focus-visible and looks different from when it is not."""
    expect(focused).to_be_focused()
    assert focused.evaluate("el => el.matches(':focus-visible')")
    with_focus = focused.evaluate(LOOK)
    focused.evaluate("el => el.blur()")
    without_focus = focused.evaluate(LOOK)
    focused.focus()  # back where the keyboard left it (focus(), not a click)
    assert with_focus != without_focus, f"no visible focus indicator: {with_focus}"


def test_a_lead_updates_a_recommendation_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    sign_in_as(page, live_server, "SJ311 lead")
    page.goto(f"{live_server.url}/my-work")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work: SJ311")
    rec = page.get_by_role("article", name="Recommendation 3.1")

    # The first Tab reaches the skip link, shown on screen while it has focus.
    skip = page.get_by_role("link", name="Skip to content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.screenshot(path=str(screenshot_dir / "my-work-skip-link.png"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/my-work#main")

    # From the skip target, Tab goes into the page, past none of the navigation, to the form:
    # on the way only My work's own links (the Due list's items, then the plan's link).
    status = rec.get_by_label("Status")
    due_links = page.locator(".due-list a").count()
    tab_to(page, status, at_most=due_links + 3, within="main")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert_focus_visible(status)
    page.keyboard.press("ArrowDown")  # Not started → On track
    expect(status).to_have_value("on_track")

    progress = rec.get_by_label("Progress (%)")
    page.keyboard.press("Tab")
    assert_focus_visible(progress)
    page.keyboard.press("Control+A")
    page.keyboard.type("25")

    narrative = rec.get_by_label("Narrative")
    page.keyboard.press("Tab")
    assert_focus_visible(narrative)
    page.keyboard.type(NARRATIVE)

    save = rec.get_by_role("button", name="Save update")
    tab_to(page, save, at_most=2)  # past the optional note
    assert_focus_visible(save)
    page.screenshot(path=str(screenshot_dir / "my-work-keyboard-save.png"))
    page.keyboard.press("Enter")

    # Saved, in place; the keyboard user is not thrown back to the top of the page.
    expect(rec.get_by_role("status")).to_have_text("Progress update saved.")
    expect(rec.get_by_role("progressbar")).to_have_accessible_name(
        "Progress of Recommendation 3.1: 25%"
    )
    expect(rec.get_by_label("Narrative")).to_have_value(NARRATIVE)
    expect(rec.get_by_label("Status")).to_have_value("on_track")
    # htmx keeps focus on the button it swapped, so the next Tab carries on from there.
    expect(save).to_be_focused()
    # Next comes the recommendation's public update (issue 12), then its workplan steps.
    page.keyboard.press("Tab")
    public_update = rec.get_by_role("link", name="Public update of recommendation 3.1")
    expect(public_update).to_be_focused()
    assert_focus_visible(public_update)
    page.keyboard.press("Tab")
    expect(rec.get_by_text("Add a workplan step")).to_be_focused()

    # And it is saved: a fresh load shows it.
    page.reload()
    expect(rec.get_by_label("Narrative")).to_have_value(NARRATIVE)
    expect(rec.get_by_label("Status")).to_have_value("on_track")
    expect(rec).to_contain_text("25%")
