"""Two people edit the same recommendation at once, each in their own browser: the later save is
refused with the newer value and who saved it, and nothing the first person saved is overwritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from app.models import HistoryEntry, HistoryField, Plan, Strategy
from tests.e2e.conftest import SAN_JOSE, db_session, sign_in_as
from tests.live_server import LiveServer

LEAD_NARRATIVE = "Menus translated; chat next."
COORDINATOR_NARRATIVE = "Waiting on the budget."


def strategy_3_1(server: LiveServer) -> Strategy:
    with db_session(server) as session:
        return session.exec(
            select(Strategy).join(Plan).where(Strategy.code == "3.1", Plan.slug == SAN_JOSE)
        ).one()


def test_the_second_of_two_concurrent_saves_shows_the_conflict_and_overwrites_nothing(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    screenshot_dir: Path,
) -> None:
    before = strategy_3_1(live_server)

    # Both open the recommendation before either saves.
    lead = page
    sign_in_as(lead, live_server, "SJ311 lead")
    lead.goto(f"{live_server.url}/my-work")
    lead_form = lead.get_by_role("article", name="Recommendation 3.1")

    coordinator = new_context().new_page()
    sign_in_as(coordinator, live_server, "coordinator")
    coordinator.goto(f"{live_server.url}/my-work?department=SJ311")
    coordinator_form = coordinator.get_by_role("article", name="Recommendation 3.1")
    expect(coordinator_form.get_by_role("button", name="Save update")).to_be_visible()

    # The lead saves first.
    lead_form.get_by_label("Status").select_option(label="On track")
    lead_form.get_by_label("Progress (%)").fill("40")
    lead_form.get_by_label("Narrative").fill(LEAD_NARRATIVE)
    lead_form.get_by_role("button", name="Save update").click()
    expect(lead_form.get_by_role("status")).to_have_text("Progress update saved.")

    # The coordinator, still on the old version, saves something else.
    coordinator_form.get_by_label("Status").select_option(label="At risk")
    coordinator_form.get_by_label("Progress (%)").fill("10")
    coordinator_form.get_by_label("Narrative").fill(COORDINATOR_NARRATIVE)
    coordinator_form.get_by_role("button", name="Save update").click()
    conflict = coordinator_form.get_by_role("alert")
    expect(conflict).to_contain_text("Not saved: Demo SJ311 lead saved a newer version")
    expect(conflict).to_contain_text("Status now")
    expect(conflict).to_contain_text("On track")
    expect(conflict).to_contain_text("40%")
    expect(conflict).to_contain_text(LEAD_NARRATIVE)
    # Their own words are still in the form, to check and save again if they mean it.
    expect(coordinator_form.get_by_label("Narrative")).to_have_value(COORDINATOR_NARRATIVE)
    expect(coordinator_form.get_by_label("Status")).to_have_value("at_risk")
    # What the page shows as current is the lead's.
    expect(coordinator_form.get_by_role("progressbar")).to_have_accessible_name(
        "Progress of Recommendation 3.1: 40%"
    )
    coordinator_form.scroll_into_view_if_needed()
    coordinator.screenshot(path=str(screenshot_dir / "stale-edit-conflict.png"))

    # Nothing was overwritten: the row and its history hold the lead's save alone.
    after = strategy_3_1(live_server)
    assert (after.status, after.progress, after.narrative) == ("on_track", 40, LEAD_NARRATIVE)
    assert after.version == before.version + 1
    with db_session(live_server) as session:
        entries = session.exec(
            select(HistoryEntry.actor_name, HistoryEntry.action).where(
                HistoryEntry.subject_type == "strategy",
                HistoryEntry.subject_id == after.id,
                HistoryEntry.version_after > before.version,
            )
        ).all()
        assert entries == [("Demo SJ311 lead", "progress")]
        written = session.exec(select(HistoryField.after)).all()
        assert not any(COORDINATOR_NARRATIVE in str(value) for value in written)

    # The lead, reloading, still sees their own update.
    lead.reload()
    expect(lead_form.get_by_label("Narrative")).to_have_value(LEAD_NARRATIVE)
    expect(lead_form).not_to_contain_text(COORDINATOR_NARRATIVE)
