"""A lead types a value with a decimal comma and voids a wrong one, in Chromium (issue 8):
`70,5` is stored as 70.5 and shown so (the old form stored 705%), and a voided value leaves the
metric's chart and its latest figure while the page lists it with the reason."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import Measurement
from tests.e2e.conftest import SAN_JOSE, BrowserProblems, assign_metric, db_session, sign_in_as
from tests.live_server import LiveServer


def test_a_decimal_comma_is_read_as_meant_and_a_wrong_value_is_voided(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    metric_id = assign_metric(live_server, "S1-NT")
    # The refused 150% answers 422 on purpose: the browser reports it as a failed load.
    problems = BrowserProblems(
        page, expected_errors=(f"/my-work/metrics/{metric_id}/measurements",)
    )
    sign_in_as(page, live_server, "SJ311 lead")
    page.get_by_role("link", name="My work").click()
    metric = page.locator(f"#metric-{metric_id}")

    # January: typed the way a French or German keyboard writes it.
    metric.get_by_label("Period (month)").fill("2025-01")
    metric.get_by_label("Value (%)", exact=True).fill("70,5")
    metric.get_by_role("button", name="Record value").click()
    expect(metric.get_by_role("status")).to_have_text("70.5% recorded for January 2025.")
    expect(metric.locator(".latest-value")).to_have_text("70.5% January 2025")

    # February: a slip of the keyboard, refused beside the field, then a wrong value kept.
    metric.get_by_label("Period (month)").fill("2025-02")
    metric.get_by_label("Value (%)", exact=True).fill("150")
    metric.get_by_role("button", name="Record value").click()
    value = metric.get_by_label("Value (%)", exact=True)
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(metric.locator(".field-error")).to_contain_text("a percentage is between 0% and 100%")
    metric.get_by_label("Value (%)", exact=True).fill("15")
    metric.get_by_role("button", name="Record value").click()
    expect(metric.locator(".latest-value")).to_have_text("15% February 2025")

    with db_session(live_server) as session:
        values = session.exec(
            select(Measurement.value).where(Measurement.metric_id == metric_id)
        ).all()
    assert sorted(values) == [15, 70.5]

    # The metric's page: void February's 15% with a reason.
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/scorecard/S1-NT")
    canvas = page.locator("canvas").first
    assert json.loads(canvas.get_attribute("data-series") or "{}")["values"] == [70.5, 15]
    february = page.locator("details.void-measurement", has_text="Void the value for February 2025")
    february.locator("summary").click()
    february.get_by_label("Why is 15% wrong?").fill("Typed the weekly figure, not the month's")
    february.get_by_role("button", name="Void this value").click()
    expect(page.locator("#metric-notice")).to_contain_text("The value was voided")
    expect(page.locator("dl.figures")).to_contain_text("70.5%")
    canvas = page.locator("canvas").first
    assert json.loads(canvas.get_attribute("data-series") or "{}")["values"] == [70.5]
    voided = page.locator("#voided-measurements")
    expect(voided).to_contain_text("15%")
    expect(voided).to_contain_text("Typed the weekly figure, not the month's")
    page.screenshot(path=str(screenshot_dir / "metric-after-void.png"), full_page=True)
    assert problems.errors == [] and problems.csp_violations() == []
