"""A lead's inline update on My work reaches the coordinator: Review (with its age) and Activity.

Two browser contexts, as two people on two machines: the SJ311 lead updates recommendation 3.1
(status, progress, narrative) and records this month's value of the metric the department owns;
then the coordinator, in a separate session, sees the change in the review and in the feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from app.models import HistoryEntry, Measurement, Plan, Strategy
from tests.e2e.conftest import SAN_JOSE, assign_metric, db_session, sign_in_as
from tests.live_server import LiveServer

NARRATIVE = "Spanish and Vietnamese phone menus are live; chat follows in March."


def test_lead_update_and_measurement_show_in_the_coordinators_review_and_activity(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    screenshot_dir: Path,
) -> None:
    metric_id = assign_metric(live_server, "S1-NT")  # demo mode already gave SJ311 rec. 3.1

    # The lead, on My work.
    sign_in_as(page, live_server, "SJ311 lead")
    page.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work: SJ311")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    rec = page.get_by_role("article", name="Recommendation 3.1")
    rec.get_by_label("Status").select_option(label="On track")
    rec.get_by_label("Progress (%)").fill("40")
    rec.get_by_label("Narrative").fill(NARRATIVE)
    rec.get_by_label("Note for the history").fill("Phone tree translated")
    rec.get_by_role("button", name="Save update").click()
    expect(rec.get_by_role("status")).to_have_text("Progress update saved.")
    expect(rec.locator(".progress-number")).to_have_text("40%")
    expect(rec).to_contain_text(f"Last update {dt.datetime.now(dt.UTC).date().isoformat()}")

    metric = page.locator(f"#metric-{metric_id}")
    expect(metric).to_contain_text("No measurement yet")
    metric.get_by_label("Value (%)", exact=True).fill("72.5")
    metric.get_by_label("Note").first.fill("January survey")
    # The form offers the newest month the plan's period allows (San José's ended 2026-09).
    offered = metric.get_by_label("Period (month)").input_value()
    assert offered == min(dt.date.today().strftime("%Y-%m"), "2026-09")
    metric.get_by_role("button", name="Record value").click()
    month = dt.date.fromisoformat(offered + "-01").strftime("%B %Y")
    expect(metric.get_by_role("status")).to_contain_text(f"recorded for {month}")
    expect(metric.locator(".latest-value")).to_contain_text("72.5")
    assert page.evaluate("window.__sameDocument === true"), "My work reloaded instead of a swap"
    page.screenshot(path=str(screenshot_dir / "my-work-after-update.png"), full_page=True)

    # The coordinator, in a session of their own.
    coordinator = new_context().new_page()
    sign_in_as(coordinator, live_server, "coordinator")
    coordinator.get_by_role("link", name="Review").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Review")
    theme = coordinator.get_by_role("row", name="Recommendation theme 3: Equitable Access")
    expect(theme).to_contain_text("On track")  # 3.1 on track: the theme is no longer "not started"
    expect(theme).to_contain_text(dt.datetime.now(dt.UTC).date().isoformat())
    expect(theme).to_contain_text("today")
    coordinator.screenshot(path=str(screenshot_dir / "review-after-update.png"), full_page=True)

    # Drill down: the narrative, who wrote it and when.
    theme.get_by_role("link", name="Recommendation theme 3: Equitable Access").click()
    expect(coordinator.get_by_text(NARRATIVE).first).to_be_visible()
    expect(coordinator.locator("main")).to_contain_text("Demo SJ311 lead")

    coordinator.get_by_role("link", name="Activity").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Activity")
    entries = coordinator.get_by_role("listitem").filter(
        has=coordinator.get_by_text("Demo SJ311 lead", exact=True)
    )
    progress = entries.filter(has_text="Recommendation 3.1")
    expect(progress).to_have_count(1)
    expect(progress).to_contain_text("(today)")
    expect(progress).to_contain_text("Not started → On track")
    expect(progress).to_contain_text("0% → 40%")
    expect(progress).to_contain_text(NARRATIVE)
    expect(progress).to_contain_text("Note: Phone tree translated")
    value = entries.filter(has_text="S1-NT")
    expect(value).to_have_count(1)
    expect(value).to_contain_text("72.5")
    coordinator.screenshot(path=str(screenshot_dir / "activity-after-update.png"), full_page=True)

    # What they saw is what the database holds.
    with db_session(live_server) as session:
        strategy = session.exec(
            select(Strategy).join(Plan).where(Strategy.code == "3.1", Plan.slug == SAN_JOSE)
        ).one()
        assert (strategy.status, strategy.progress, strategy.narrative) == (
            "on_track",
            40,
            NARRATIVE,
        )
        assert session.exec(
            select(Measurement.value).where(Measurement.metric_id == metric_id)
        ).all() == [72.5]
        lead_entries = session.exec(
            select(HistoryEntry.subject_type, HistoryEntry.action).where(
                HistoryEntry.actor_name == "Demo SJ311 lead"
            )
        ).all()
        assert sorted(lead_entries) == [("measurement", "create"), ("strategy", "progress")]
