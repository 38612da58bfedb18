"""A lead pastes a block copied from a spreadsheet into the measurement grid, in Chromium (issue
10): the script spreads it across the cells; a bad cell refuses the whole save, marked with its
reason and the typed values kept; corrected, the save stores both values."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import Measurement
from tests.e2e.conftest import SAN_JOSE, BrowserProblems, assign_metric, db_session, sign_in_as
from tests.live_server import LiveServer

PASTE = """
([selector, text]) => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const input = document.querySelector(selector);
  input.focus();
  const options = {clipboardData: data, bubbles: true, cancelable: true};
  input.dispatchEvent(new ClipboardEvent("paste", options));
}
"""


def test_a_pasted_block_is_spread_and_saved_all_or_nothing(
    page: Page, live_server: LiveServer
) -> None:
    metric_id = assign_metric(live_server, "S1-NT")
    grid = f"/plans/{SAN_JOSE}/measurements/grid"
    problems = BrowserProblems(page, expected_errors=(grid,))
    sign_in_as(page, live_server, "SJ311 lead")
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/scorecard")
    page.get_by_role("link", name="Enter many values at once").click()
    page.goto(f"{live_server.url}{grid}?department=SJ311")
    row = page.locator("tr", has=page.get_by_role("link", name="S1-NT", exact=True))
    inputs = row.locator("input")
    last = inputs.count()
    first_name = inputs.nth(last - 2).get_attribute("name") or ""
    page.evaluate(PASTE, [f'input[name="{first_name}"]', "70,5\t150\n"])
    expect(inputs.nth(last - 2)).to_have_value("70,5")
    expect(inputs.nth(last - 1)).to_have_value("150")
    page.get_by_role("button", name="Save all values").click()
    expect(inputs.nth(last - 1)).to_have_attribute("aria-invalid", "true")
    expect(row.locator(".field-error")).to_contain_text("between 0% and 100%")
    expect(inputs.nth(last - 2)).to_have_value("70,5")  # kept
    with db_session(live_server) as session:
        values = session.exec(
            select(Measurement.value).where(Measurement.metric_id == metric_id)
        ).all()
    assert 70.5 not in values
    inputs.nth(last - 1).fill("71")
    page.get_by_role("button", name="Save all values").click()
    expect(page.get_by_role("status")).to_contain_text("recorded")
    with db_session(live_server) as session:
        values = session.exec(
            select(Measurement.value).where(Measurement.metric_id == metric_id)
        ).all()
    assert 70.5 in values and 71 in values
    assert problems.csp_violations() == []
