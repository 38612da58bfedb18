"""Issue 10's done-when, in the browser: the demo coordinator makes a plan from nothing.

No file, no token, no terminal: a new draft plan from the short form, a focus area, two strategies
with owners, dates and terms, a metric with a target, then a month's number through the
measurement grid; the scorecard, roadmap, overview and review show it. A second grid save with one
bad cell stores nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import Measurement, Metric, Plan, Strategy
from tests.e2e.conftest import BrowserProblems, db_session, sign_in_as
from tests.live_server import LiveServer

SLUG = "digital-front-door"
YEAR = dt.date.today().year


def _add_strategy(page: Page, area: str, code: str, title: str, quarter_end: str) -> None:
    page.get_by_role("link", name=f"Add a strategy to {area}").click()
    page.get_by_label(re.compile("^Code")).fill(code)
    page.get_by_label(re.compile("^Title")).fill(title)
    page.get_by_label("Department", exact=True).select_option(label="SJ311")
    page.get_by_label(re.compile("^Leads")).fill("Deputy Director, SJ311")
    page.get_by_label("Planned start").fill(f"{YEAR}-01-01")
    page.get_by_label("Planned end").fill(quarter_end)
    page.get_by_label("Term", exact=True).select_option(index=1)
    page.get_by_role("button", name="Add strategy").click()
    expect(page.get_by_role("status").first).to_be_visible()


def test_a_coordinator_builds_a_plan_and_fills_it_through_the_grid(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    problems = BrowserProblems(page)
    sign_in_as(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/plans")
    # A link (not a button in disguise) that the keyboard follows.
    page.get_by_role("link", name="New plan").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/plans/new")

    # A refused form keeps what was typed and names the field.
    page.get_by_label(re.compile("^Title")).fill("Digital Front Door")
    page.get_by_label("Slug (the plan's address)").fill(SLUG)
    page.get_by_label("Period starts").fill(f"{YEAR}-01-01")
    page.get_by_label("Period ends").fill(f"{YEAR - 1}-12-31")
    page.get_by_role("button", name="Create draft plan").click()
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.get_by_label(re.compile("^Title"))).to_have_value("Digital Front Door")
    with db_session(live_server) as session:
        assert session.exec(select(Plan).where(Plan.slug == SLUG)).first() is None
    page.get_by_label("Period ends").fill(f"{YEAR + 2}-12-31")
    page.get_by_role("button", name="Create draft plan").click()
    expect(page).to_have_url(re.compile(f"/plans/{SLUG}/settings"))

    # The structure: one focus area, two strategies with owners, dates and terms.
    page.goto(f"{live_server.url}/plans/{SLUG}")
    page.get_by_role("link", name="Build", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Build: Digital Front Door")
    page.get_by_role("link", name=re.compile("^Add a focus area")).click()
    page.get_by_label(re.compile("^Code")).fill("DF")
    page.get_by_label(re.compile("^Title")).fill("One front door for residents")
    page.get_by_role("button", name=re.compile("^Add")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Build:")
    _add_strategy(page, "DF", "1.1", "Launch a single service portal", f"{YEAR}-06-30")
    page.goto(f"{live_server.url}/plans/{SLUG}/build")
    _add_strategy(page, "DF", "1.2", "Answer every call within a minute", f"{YEAR + 1}-03-31")

    # A metric owned by SJ311 with its target.
    page.goto(f"{live_server.url}/plans/{SLUG}/build")
    page.get_by_role("link", name="Add a metric").click()
    page.get_by_label(re.compile("^Code")).fill("DF-1")
    page.get_by_label(re.compile("^Name")).fill("Requests resolved at first contact")
    page.get_by_label("Owner department").select_option(label="SJ311")
    page.get_by_label("Unit", exact=True).select_option("percent")
    page.get_by_label("Better is").select_option(label="Higher is better")
    page.get_by_label("Reported").select_option(label="Monthly")
    page.get_by_label("Target value").fill("80")
    page.get_by_role("button", name="Add metric").click()
    expect(page).to_have_url(re.compile(r"/metrics/\d+/edit"))
    expect(page.locator("#targets")).to_contain_text("80")

    with db_session(live_server) as session:
        plan = session.exec(select(Plan).where(Plan.slug == SLUG)).one()
        assert plan.status == "draft"
        built = session.exec(select(Strategy).where(Strategy.plan_id == plan.id)).all()
        assert sorted(s.code for s in built) == ["1.1", "1.2"]
        assert all(s.department_id and s.planned_end and s.term for s in built)
        metric = session.exec(select(Metric).where(Metric.plan_id == plan.id)).one()

    # A month's number through the grid: first with a bad cell beside it (nothing stored).
    page.goto(f"{live_server.url}/plans/{SLUG}/measurements/grid")
    row = page.locator("tr", has=page.get_by_role("link", name="DF-1", exact=True))
    cells = row.locator("input")
    last = cells.count() - 1
    cells.nth(last - 1).fill("150")
    cells.nth(last).fill("85")
    page.get_by_role("button", name="Save all values").click()
    expect(cells.nth(last - 1)).to_have_attribute("aria-invalid", "true")
    with db_session(live_server) as session:
        stored = session.exec(
            select(Measurement.value).where(Measurement.metric_id == metric.id)
        ).all()
    assert stored == []
    cells.nth(last - 1).fill("78")
    page.get_by_role("button", name="Save all values").click()
    expect(page.get_by_role("status").first).to_contain_text("recorded")
    with db_session(live_server) as session:
        stored = session.exec(
            select(Measurement.value).where(Measurement.metric_id == metric.id)
        ).all()
    assert sorted(stored) == [78, 85]

    # What the plan's readers see.
    page.goto(f"{live_server.url}/plans/{SLUG}/scorecard")
    card = page.locator("tr", has=page.get_by_text("DF-1"))
    expect(card).to_contain_text("85")
    expect(card).to_contain_text("On track")
    page.screenshot(path=str(screenshot_dir / "built-plan-scorecard.png"), full_page=True)
    page.goto(f"{live_server.url}/plans/{SLUG}/roadmap")
    expect(page.locator("main")).to_contain_text("Launch a single service portal")
    expect(page.locator("main")).to_contain_text("Answer every call within a minute")
    page.goto(f"{live_server.url}/plans/{SLUG}")
    expect(page.locator("main")).to_contain_text("One front door for residents")
    expect(page.locator("main")).to_contain_text("Draft")
    page.goto(f"{live_server.url}/review?plan={SLUG}")
    area = page.get_by_role("row", name=re.compile("One front door for residents"))
    expect(area).to_be_visible()
    assert problems.csp_violations() == []
