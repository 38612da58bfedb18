"""Issue 12's "Done when", its publishing half, in a real browser: the SJ311 lead drafts a public
update for recommendation 3.1 and submits it; the demo coordinator approves it from the queue; an
anonymous visitor then opens San José's public site from the organisation's landing page, reads
the approved update on the recommendation's page with the day it was approved, downloads the
metrics as CSV from the dashboard, and finds nothing internal anywhere (the lead's narrative, an
internal metric, the draft that came before)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from app.models import Metric, Plan, Strategy, User
from app.models.metric import MeasurementIn, MetricUpdate
from app.models.strategy import ProgressUpdateIn
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from tests.e2e.conftest import SAN_JOSE, BrowserProblems, assign_strategy, db_session, sign_in_as
from tests.live_server import LiveServer

NARRATIVE = "Internal: the translation vendor missed two deadlines"
FIRST_DRAFT = "A first draft nobody approved"
APPROVED = "Residents can now follow a permit in Spanish, Vietnamese and Chinese from start to end."
INTERNAL_METRIC = "S5-LT"


def _internal_facts(server: LiveServer) -> None:
    """An internal narrative on 3.1 and an internal metric with a value: what the public must
    never see."""
    with db_session(server) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        actor = Actor(user=admin)
        rec = session.exec(
            select(Strategy).join(Plan).where(Strategy.code == "3.1", Plan.slug == SAN_JOSE)
        ).one()
        record_strategy_progress(
            session=session,
            strategy=rec,
            data=ProgressUpdateIn(version=rec.version, status="on_track", narrative=NARRATIVE),  # type: ignore[arg-type]
            actor=actor,
        )
        metric = session.exec(
            select(Metric).join(Plan).where(Plan.slug == SAN_JOSE, Metric.code == INTERNAL_METRIC)
        ).one()
        metrics.update_metric(
            session=session,
            metric=metric,
            data=MetricUpdate(version=metric.version, internal=True),
            actor=actor,
        )
        # A value for a public metric and for the internal one: only the first is open data.
        for code in ("S5-NT", INTERNAL_METRIC):
            measured = session.exec(
                select(Metric).join(Plan).where(Plan.slug == SAN_JOSE, Metric.code == code)
            ).one()
            metrics.record_measurement(
                session=session,
                metric=measured,
                data=MeasurementIn(period=dt.date(2026, 6, 1), value=57),
                actor=actor,
            )
        session.commit()


def test_a_lead_drafts_the_coordinator_approves_and_the_public_reads_it(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    screenshot_dir: Path,
) -> None:
    rec_id = assign_strategy(live_server, "3.1")
    _internal_facts(live_server)
    problems = BrowserProblems(page)

    # The SJ311 lead writes for residents from the recommendation's page and submits it.
    sign_in_as(page, live_server, "SJ311 lead")
    page.goto(f"{live_server.url}/plans/{SAN_JOSE}/strategies/3.1")
    page.get_by_role("link", name="Public update (what residents read)").click()
    page.get_by_label("Public update").fill(FIRST_DRAFT)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft (not submitted)")).to_be_visible()
    page.get_by_label("Public update").fill(APPROVED)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted, waiting for a coordinator")).to_be_visible()
    assert problems.errors == [] and problems.csp_violations() == []

    # The coordinator approves it from the queue.
    coordinator = new_context().new_page()
    sign_in_as(coordinator, live_server, "coordinator")
    coordinator.goto(f"{live_server.url}/plans/{SAN_JOSE}/public-updates")
    waiting = coordinator.locator("article, li, tr").filter(has_text=APPROVED).first
    expect(waiting).to_be_visible()
    waiting.get_by_role("button", name="Approve").click()
    expect(coordinator.get_by_text("Nothing is waiting")).to_be_visible()

    # An anonymous visitor finds it from the organisation's public landing page.
    visitor = new_context().new_page()
    seen = BrowserProblems(visitor)
    visitor.goto(f"{live_server.url}/public/san-jose")
    visitor.get_by_role("link", name="Customer Service Vision and Standards").first.click()
    visitor.get_by_role("link", name="Equitable Access").first.click()
    visitor.get_by_role("link", name="3.1 Ensure customers can access a full journey").click()
    update = visitor.locator(".public-update")
    expect(update).to_contain_text(APPROVED)
    today = dt.date.today()
    expect(update).to_contain_text(f"Updated {today.day} {today.strftime('%B %Y')}")
    visitor.screenshot(path=str(screenshot_dir / "public-update.png"), full_page=True)
    text = visitor.locator("body").inner_text()
    assert NARRATIVE not in text and FIRST_DRAFT not in text and "Demo SJ311 lead" not in text

    # The metrics as CSV from the dashboard: no internal metric, no narrative.
    visitor.goto(f"{live_server.url}/public/san-jose/{SAN_JOSE}")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="CSV", exact=True).click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows, "the CSV has no rows"
    codes = {row["metric_code"] for row in rows}
    assert "S5-NT" in codes and INTERNAL_METRIC not in codes
    assert NARRATIVE not in body and APPROVED not in body
    assert seen.errors == [] and seen.csp_violations() == []
    assert rec_id > 0
