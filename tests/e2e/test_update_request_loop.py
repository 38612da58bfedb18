"""Issue 13's update request, in a real browser: the demo coordinator requests an update on San
José's recommendation 3.1 (assigned to SJ311) from its page; the SJ311 lead sees the request on
My work, posts a progress update there, and the request closes
(gone from My work; listed as answered on the recommendation's page)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import SAN_JOSE, BrowserProblems, assign_strategy, sign_in_as
from tests.live_server import LiveServer

MESSAGE = "Council asks where language access stands before Thursday's session."


def test_a_coordinator_asks_the_lead_answers_and_the_request_closes(
    page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    rec_id = assign_strategy(live_server, "3.1")
    problems = BrowserProblems(page)

    sign_in_as(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/strategies/3.1")
    panel = page.locator("#update-requests")
    panel.get_by_label("Request an update from the department's leads").fill(MESSAGE)
    panel.get_by_role("button", name="Request an update").click()
    panel = page.locator("#update-requests")
    expect(panel).to_contain_text(MESSAGE)
    expect(panel.get_by_role("button", name="Withdraw this request")).to_be_visible()
    assert problems.errors == [] and problems.csp_violations() == []

    lead = new_context().new_page()
    seen = BrowserProblems(lead)
    sign_in_as(lead, live_server, "SJ311 lead")
    lead.goto(f"{live_server.url}/my-work")
    requests = lead.locator(".update-requests")
    expect(requests).to_contain_text(MESSAGE)
    expect(requests.get_by_role("link", name="3.1")).to_be_visible()
    # (No due list here: San José's plan period ended on 6 September 2026, and a plan owes no
    # update after its period, as it owes no metric value; tests/routes/pages covers the list.)

    block = lead.locator(f"#strategy-{rec_id}")
    block.get_by_label("Status").select_option("on_track")
    block.get_by_label("Narrative").fill("Spanish chat is live; Vietnamese next month.")
    block.get_by_role("button", name="Save update").click()
    expect(block.locator(".notice-ok")).to_be_visible()
    lead.goto(f"{live_server.url}/my-work")
    expect(lead.locator(".update-requests")).to_have_count(0)
    assert seen.errors == [] and seen.csp_violations() == []

    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/strategies/3.1")
    panel = page.locator("#update-requests")
    expect(panel).to_contain_text("No open requests.")
    panel.get_by_text("Closed requests").click()
    expect(panel).to_contain_text("answered by Demo SJ311 lead with a progress update")
