"""Issue 11's "Done when", in a real browser: the demo coordinator schedules a performance session
for San José's recommendation themes 3 and 5, opens its pack, records a decision and an action
item for SJ311 (its linked recommendation chosen in the picker), closes the session, and exports
the plan's scorecard to Excel from the scorecard page; then the SJ311 lead finds the action item
in My work and moves it on (in progress, then done). The closed session's pack is downloaded
as a PDF and its text read back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader
from sqlmodel import select

from app.models import ActionItem, PerformanceSession, Plan, Strategy
from tests.e2e.conftest import SAN_JOSE, BrowserProblems, db_session, sign_in_as
from tests.live_server import LiveServer

WHAT = "Publish the in-language journey map for council"
DECISION = "Fund Vietnamese chat for the 2027 budget"
REC_3_1 = "3.1 Ensure customers can access a full journey in-language"


def test_coordinator_holds_a_session_and_the_sj311_lead_follows_up(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    screenshot_dir: Path,
    tmp_path: Path,
) -> None:
    problems = BrowserProblems(page)
    sign_in_as(page, live_server, "coordinator")

    # Schedule: themes 3 and 5 of San José's plan.
    page.get_by_role("link", name="Sessions").first.click()
    page.get_by_role("button", name="Schedule a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a performance session")
    page.get_by_label("Title").fill("Council prep: access and channels")
    page.get_by_label("Date").fill(dt.date.today().isoformat())
    page.get_by_label("Attendees").fill("City Manager; SJ311 manager")
    page.get_by_label(re.compile(r": 3 Equitable Access$")).check()
    page.get_by_label(re.compile(r": 5 Channels, Software, and Data$")).check()
    page.get_by_role("button", name="Schedule").click()

    # The pack: both themes, in the plan's words.
    expect(page.get_by_role("heading", level=1)).to_have_text("Council prep: access and channels")
    agenda = page.locator("#agenda")
    expect(
        agenda.get_by_role("heading", name=re.compile("Recommendation theme 3: Equitable Access"))
    ).to_be_visible()
    expect(
        agenda.get_by_role("heading", name=re.compile("Recommendation theme 5: Channels, Software"))
    ).to_be_visible()
    expect(agenda.locator("article.pack-focus-area")).to_have_count(2)
    # caret="initial": hiding the caret leaves style="" on the inputs, which htmx's settling
    # would then copy onto the swapped form (a style attribute the CSP refuses).
    page.screenshot(path=str(screenshot_dir / "session-pack.png"), full_page=True, caret="initial")

    # Edit it (htmx answers with a redirect to the session): one more attendee.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the session")
    expect(page.get_by_label(re.compile(r": 5 Channels, Software, and Data$"))).to_be_checked()
    page.get_by_label("Attendees").fill("City Manager; SJ311 manager; Council aide")
    page.screenshot(path=str(screenshot_dir / "session-edit.png"), full_page=True, caret="initial")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Council prep: access and channels")
    expect(page.get_by_text("Council aide")).to_be_visible()

    # Outcomes: a decision, and an action item for SJ311 linked to recommendation 3.1.
    page.get_by_label("Decision").fill(DECISION)
    page.get_by_role("button", name="Record the decision").click()
    outcomes = page.locator("#outcomes")
    expect(outcomes.get_by_role("status")).to_have_text("Decision recorded.")
    expect(outcomes.get_by_role("listitem").filter(has_text=DECISION)).to_be_visible()
    page.get_by_label("What").fill(WHAT)
    page.get_by_label("Owner department").select_option(label="SJ311")
    page.get_by_label("Due").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    picker = page.get_by_label("Linked item")
    expect(picker.locator("optgroup[label='Recommendations']")).to_contain_text(REC_3_1)
    expect(picker.locator("optgroup[label='Recommendation themes']")).to_contain_text(
        "3 Equitable Access"
    )
    expect(picker.locator("optgroup[label='Metrics']")).to_have_count(1)
    picker.select_option(label=REC_3_1)
    page.get_by_role("button", name="Record the action item").click()
    expect(outcomes.get_by_role("status")).to_have_text("Action item recorded.")
    recorded = outcomes.get_by_role("listitem").filter(has_text=WHAT)
    expect(recorded).to_contain_text("SJ311")
    expect(recorded).to_contain_text(f"Linked: Recommendations: {REC_3_1}")
    with db_session(live_server) as session:
        item = session.exec(select(ActionItem).where(ActionItem.what == WHAT)).one()
        rec = session.exec(
            select(Strategy).join(Plan).where(Strategy.code == "3.1", Plan.slug == SAN_JOSE)
        ).one()
        assert (item.link_kind, item.link_id) == ("strategy", rec.id)

    # Close: the pack is frozen.
    page.get_by_role("button", name="Close the session and freeze its pack").click()
    expect(page.locator(".lede")).to_contain_text("Closed")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    session_url = page.url.split("?")[0]
    with db_session(live_server) as session:
        held = session.get(PerformanceSession, int(session_url.rsplit("/", 1)[1]))
        assert held is not None and held.status == "closed" and held.pack is not None
    # The frozen pack as a PDF a council member reads on paper: downloaded from the session page,
    # its text read back out of the file.
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    reader = PdfReader(pdf_path)
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    text = " ".join(text.split())
    assert len(reader.pages) >= 2
    for words in ("Council prep: access and channels", "Equitable Access", "Channels, Software"):
        assert words in text
    assert DECISION in text and WHAT in text
    assert problems.errors == [] and problems.csp_violations() == []

    # The plan's scorecard to Excel, through the link on the scorecard page.
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/scorecard")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX of these metrics").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.suffix == ".xlsx"
    sheet = load_workbook(target).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Metric", "Department")
    assert "Status" in rows[0] and "Latest value" in rows[0]
    codes = {row[0] for row in rows[1:]}
    assert "S1-NT" in codes  # standard 1's near-term measure
    assert sheet.freeze_panes == "A2"

    # The SJ311 lead, on another machine: the action item is in My work.
    lead = new_context().new_page()
    sign_in_as(lead, live_server, "SJ311 lead")
    lead.get_by_role("link", name="My work").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("My work: SJ311")
    row = lead.locator(".action-items li").filter(has_text=WHAT)
    expect(row).to_contain_text("Council prep: access and channels")
    row.get_by_label("Status").select_option(label="In progress")
    row.get_by_role("button", name="Save").click()
    row = lead.locator(".action-items li").filter(has_text=WHAT)
    expect(row.locator(".status")).to_have_text("In progress")
    lead.screenshot(path=str(screenshot_dir / "my-work-action-item.png"), full_page=True)
    row.get_by_label("Status").select_option(label="Done")
    row.get_by_role("button", name="Save").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("My work: SJ311")
    expect(lead.get_by_text(WHAT)).to_have_count(0)  # done: no longer owed
    with db_session(live_server) as session:
        done = session.exec(select(ActionItem).where(ActionItem.what == WHAT)).one()
        assert done.status == "done" and done.version == 3
