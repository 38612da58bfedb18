"""The back button never brings back a form from before a save (issue 8 §5).

A lead saved a progress update on My work, went to another page and pressed back: Chromium
showed My work as first loaded (its cached copy), with the old narrative and the old version,
and saving it again was refused as a clash with the lead's own save. Signed-in pages are now
`Cache-Control: no-store`, so back asks the server again.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserProblems, assign_strategy, sign_in_as
from tests.live_server import LiveServer


def test_back_after_a_save_shows_the_saved_values_and_saves_again_without_a_clash(
    page: Page, live_server: LiveServer
) -> None:
    problems = BrowserProblems(page)
    rec_id = assign_strategy(live_server, "5.1")
    sign_in_as(page, live_server, "Sj311")
    page.goto(f"{live_server.url}/my-work")
    block = page.locator(f"#strategy-{rec_id}")
    version_before = block.locator("input[name=version]").first.input_value()

    block.get_by_label("Status").select_option("on_track")  # Not started at 35% is refused
    block.get_by_label("Progress (%)").fill("35")
    block.get_by_label("Narrative").fill("Scripts drafted for the new menu.")
    block.get_by_role("button", name="Save update").click()
    expect(block.locator(".notice-ok")).to_have_text("Progress update saved.")
    saved_version = block.locator("input[name=version]").first.input_value()
    assert int(saved_version) == int(version_before) + 1

    page.get_by_role("link", name="Plans", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/plans")
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/my-work")

    block = page.locator(f"#strategy-{rec_id}")
    expect(block.get_by_label("Narrative")).to_have_value("Scripts drafted for the new menu.")
    expect(block.get_by_label("Progress (%)")).to_have_value("35")
    expect(block.locator(".progress-number")).to_have_text("35%")
    expect(block.locator("input[name=version]").first).to_have_value(saved_version)

    # Saving the form back brought is a save on the current version, not a clash with oneself.
    block.get_by_label("Progress (%)").fill("40")
    block.get_by_role("button", name="Save update").click()
    expect(block.locator(".notice-ok")).to_have_text("Progress update saved.")
    expect(block.locator(".notice-conflict")).to_have_count(0)
    expect(block.locator(".progress-number")).to_have_text("40%")
    assert problems.errors == []
