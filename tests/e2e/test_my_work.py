"""My work in a real browser: inline edits swap in place, and 422 / 409 answers are shown."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import Strategy, User
from app.models.strategy import ProgressUpdateIn
from app.services.changes import strategies
from app.services.changes.history import Actor
from tests.e2e.conftest import assign_strategy, db_session, sign_in_as
from tests.live_server import LiveServer


def no_reload_marker(page: Page) -> None:
    page.evaluate("window.__sameDocument = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_sj311_lead_adds_a_step_to_3_1_ticks_it_and_completes_a_quick_win_inline(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    rec_id = assign_strategy(live_server, "3.1")
    sign_in_as(page, live_server, "Sj311")
    page.goto(f"{live_server.url}/my-work")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work: SJ311")
    no_reload_marker(page)

    block = page.locator(f"#strategy-{rec_id}")
    expect(block).to_contain_text("Recommendation 3.1")
    block.get_by_text("Add a workplan step").click()
    block.get_by_label("Workplan step", exact=True).fill("Translate the phone tree")
    block.get_by_label("Completion measure").fill("Spanish and Vietnamese menus live")
    block.get_by_role("button", name="Add workplan step").click()
    expect(block.locator(".notice-ok")).to_contain_text("“Translate the phone tree” added")
    expect(block).to_contain_text("0 of 1 workplan steps done")

    block.get_by_role("button", name="Mark done").click()
    # Its only step: ticked, 3.1 would be 100% while Not started. The page says so and offers
    # to mark it complete with the tick.
    expect(block).to_contain_text("would be 100% while Not started: mark it complete")
    block.get_by_role("button", name="Mark done and mark recommendation 3.1 complete").click()
    expect(block.locator(".notice-ok")).to_contain_text("marked complete")
    expect(block).to_contain_text("1 of 1 workplan steps done")
    expect(block.locator(".progress-number")).to_have_text("100%")
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "my-work-step-done.png"))

    quick_win = page.get_by_role("article", name="Quick win 1 Language Access")
    quick_win.get_by_label("Status").select_option("complete")
    quick_win.get_by_role("button", name="Save").click()
    expect(quick_win.locator(".notice-ok")).to_be_visible()
    expect(quick_win.locator(".status")).to_have_text("Complete")
    assert_not_reloaded(page)


def test_validation_and_stale_edit_messages_show_in_place(
    page: Page, live_server: LiveServer, screenshot_dir: Path
) -> None:
    rec_id = assign_strategy(live_server, "5.1")
    sign_in_as(page, live_server, "Sj311")
    page.goto(f"{live_server.url}/my-work")
    no_reload_marker(page)
    block = page.locator(f"#strategy-{rec_id}")
    progress = block.get_by_label("Progress (%)")

    # The browser itself stops 140 (max=100); the server's answer is what a script would get.
    progress.evaluate("el => el.removeAttribute('max')")
    progress.fill("140")
    block.get_by_label("Narrative").fill("Typed words")
    block.get_by_role("button", name="Save update").click()
    expect(block.locator(".field-error")).to_have_text("Must be 100 or less.")
    expect(block.get_by_label("Progress (%)")).to_have_value("140")
    expect(block.get_by_label("Narrative")).to_have_value("Typed words")

    # Meanwhile the coordinator saves a newer version.
    with db_session(live_server) as session:
        coordinator = session.exec(select(User).where(User.username == "coordinator")).one()
        rec = session.get(Strategy, rec_id)
        assert rec is not None
        strategies.record_strategy_progress(
            session=session,
            strategy=rec,
            actor=Actor(user=coordinator),
            data=ProgressUpdateIn(version=rec.version, status="at_risk", narrative="Budget cut."),
        )
        session.commit()

    block.get_by_label("Status").select_option("on_track")  # Not started at 30% is refused
    block.get_by_label("Progress (%)").fill("30")
    block.get_by_role("button", name="Save update").click()
    conflict = block.locator(".notice-conflict")
    expect(conflict).to_contain_text("Demo coordinator saved a newer version")
    expect(conflict).to_contain_text("Budget cut.")
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "my-work-conflict.png"))
    # Re-applied on the newer version, it saves.
    block.get_by_role("button", name="Save update").click()
    expect(block.locator(".notice-ok")).to_have_text("Progress update saved.")
    expect(block.locator(".progress-number")).to_have_text("30%")
    assert_not_reloaded(page)
