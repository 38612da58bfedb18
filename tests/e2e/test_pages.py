"""Every main page in a real browser: a screenshot of each, and a walk that checks the browser
reports no Content-Security-Policy violation and no JavaScript error, as an administrator (every
page, htmx swaps included) and anonymously (the published plans' public pages).

One server for the module: these tests only read. Its San José plan first gets a little history
(a progress update, an owned metric with a target and three months of values) so the scorecard
draws a chart, the review and the activity feed have something to show.

The API's documentation (/api/docs, Swagger UI from swagger-ui-dist) is walked too: it must run
under the same policy, from this server alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from app.models import Metric, Plan, Strategy, User
from app.models.enums import Comparator
from app.models.metric import MeasurementIn, TargetIn
from app.models.strategy import ProgressUpdateIn
from app.services.changes import metrics, strategies
from app.services.changes.history import Actor
from tests.e2e.conftest import (
    SAN_JOSE,
    BrowserProblems,
    assign_metric,
    db_session,
    sign_in_as,
)
from tests.live_server import LiveServer

PLAN = f"/plans/{SAN_JOSE}"

# name → path, for the screenshots (as the administrator, except My work: as the SJ311 lead).
MAIN_PAGES = {
    "plans": "/plans",
    "plan-overview": PLAN,
    "roadmap": f"{PLAN}/roadmap",
    "quick-wins-board": f"{PLAN}/quick-wins",
    "review": "/review",
    "scorecard": f"{PLAN}/scorecard",
    "metric": f"{PLAN}/scorecard/S1-NT",
    "search": f"{PLAN}/search?q=language",
    "activity": "/activity",
    "strategy-drill-down": f"{PLAN}/strategies/3.1",
    "report": f"{PLAN}/report",
}
MISSING = "/this-page-does-not-exist"
PUBLIC_PAGES = [
    "/api/docs",  # its heading is Swagger UI's own: seen only once the script has run
    "/",
    "/plans",
    "/login",
    PLAN,
    f"{PLAN}/roadmap",
    f"{PLAN}/quick-wins",
    f"{PLAN}/quick-wins?by=category",
    f"{PLAN}/scorecard",
    f"{PLAN}/scorecard/S1-NT",
    f"{PLAN}/search?q=language",
    f"{PLAN}/strategies/3.1",
    f"{PLAN}/focus-areas/3",
    f"{PLAN}/report",
    "/plans/mississauga-customer-service-strategy",
    "/plans/mississauga-customer-service-strategy/roadmap",
    "/plans/mississauga-customer-service-strategy/scorecard",
    "/plans/charlotte-county-customer-informed-organization",
]
SIGNED_IN_PAGES = [
    "/review",
    "/activity",
    "/my-work",
    "/my-work?department=SJ311",
    "/admin/users",
    "/account",
    "/plans/philadelphia-customer-service-officers-program",
    "/plans/dcx-311-strategic-plan/scorecard",
    MISSING,
]


def month_start(months_back: int) -> dt.date:
    # Months back from the newest one San José's period allows (it ended 2026-09-06).
    today = min(dt.date.today(), dt.date(2026, 9, 1))
    year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return dt.date(year, month + 1, 1)


@pytest.fixture(scope="module")
def server(shared_server: LiveServer) -> Iterator[LiveServer]:
    metric_id = assign_metric(shared_server, "S1-NT")
    with db_session(shared_server) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        lead = session.exec(select(User).where(User.username == "sj311-lead")).one()
        metric = session.get(Metric, metric_id)
        assert metric is not None
        metrics.revise_target(
            session=session,
            metric=metric,
            version=metric.version,
            target=TargetIn(value=80, comparator=Comparator.at_least),
            actor=Actor(user=admin),
        )
        for months_back, value in ((2, 64.0), (1, 70.5), (0, 74.0)):
            metrics.record_measurement(
                session=session,
                metric=metric,
                data=MeasurementIn(period=month_start(months_back), value=value),
                actor=Actor(user=lead),
            )
        rec = session.exec(
            select(Strategy).join(Plan).where(Strategy.code == "3.1", Plan.slug == SAN_JOSE)
        ).one()
        strategies.record_strategy_progress(
            session=session,
            strategy=rec,
            actor=Actor(user=lead),
            data=ProgressUpdateIn(
                version=rec.version, status="on_track", progress=35, narrative="Menus translated."
            ),
        )
        session.commit()
    yield shared_server


def test_a_screenshot_of_every_main_page(
    page: Page,
    new_context: Callable[..., BrowserContext],
    server: LiveServer,
    screenshot_dir: Path,
) -> None:
    sign_in_as(page, server, "admin")
    for name, path in MAIN_PAGES.items():
        response = page.goto(server.url + path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        settle(page)
        page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
    lead = new_context().new_page()
    sign_in_as(lead, server, "SJ311 lead")
    lead.goto(f"{server.url}/my-work")
    expect(lead.get_by_role("heading", level=1)).to_have_text("My work: SJ311")
    lead.screenshot(path=str(screenshot_dir / "my-work.png"), full_page=True)

    for name in [*MAIN_PAGES, "my-work"]:
        shot = screenshot_dir / f"{name}.png"
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"


def settle(page: Page) -> None:
    """Past the load event, a frame and a task: deferred scripts, charts and the violation
    reports they cause (queued as tasks) have all run."""
    page.wait_for_load_state("load")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)))")


def walk(page: Page, problems: BrowserProblems, base: str, paths: list[str]) -> list[str]:
    """Open each page, let its scripts settle, and collect the CSP violations it recorded."""
    found: list[str] = []
    for path in paths:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        settle(page)
        found += [f"{path}: CSP violation {v}" for v in problems.csp_violations()]
    return found


def test_no_csp_violation_or_script_error_on_any_page_as_an_administrator(
    page: Page, server: LiveServer
) -> None:
    problems = BrowserProblems(page, expected_errors=(MISSING,))
    sign_in_as(page, server, "admin")
    found = walk(page, problems, server.url, PUBLIC_PAGES + SIGNED_IN_PAGES)

    # The htmx swaps: a scorecard filter re-creates its chart, the roadmap regroups, the board
    # switches view, the search answers, the review filters; then the walk reads what they did.
    page.goto(f"{server.url}{PLAN}/scorecard")
    expect(page.locator("canvas").first).to_be_visible()
    page.get_by_label("Horizon").select_option(label="Near-term")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/scorecard\?horizon=near_term"))
    expect(page.locator("canvas").first).to_be_visible()
    settle(page)
    found += [f"scorecard filter: CSP violation {v}" for v in problems.csp_violations()]

    page.goto(f"{server.url}{PLAN}/roadmap")
    page.get_by_label("Group rows by").select_option(label="Phase")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/roadmap\?group=phase"))
    expect(page.get_by_role("main")).to_contain_text("Phase 1")
    settle(page)
    found += [f"roadmap filter: CSP violation {v}" for v in problems.csp_violations()]

    page.goto(f"{server.url}{PLAN}/quick-wins")
    page.get_by_role("link", name="By People / Process / Technology").click()
    expect(page).to_have_url(re.compile(r"/quick-wins\?by=category"))
    expect(page.get_by_role("heading", level=2, name="Technology")).to_be_visible()
    settle(page)
    found += [f"board view: CSP violation {v}" for v in problems.csp_violations()]

    page.goto(f"{server.url}{PLAN}/search")
    page.get_by_role("searchbox").fill("transfer")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("main")).to_contain_text("Transfers")
    settle(page)
    found += [f"search: CSP violation {v}" for v in problems.csp_violations()]

    assert found + problems.errors == []


def test_no_csp_violation_or_script_error_on_the_public_pages(
    page: Page, server: LiveServer
) -> None:
    problems = BrowserProblems(page)
    found = walk(page, problems, server.url, PUBLIC_PAGES)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()  # really anonymous
    assert found + problems.errors == []


def test_the_walk_would_see_a_violation_and_a_script_error(page: Page, server: LiveServer) -> None:
    """The listeners the walks rely on do hear a refused load and an uncaught error."""
    problems = BrowserProblems(page)
    page.goto(f"{server.url}/plans")
    settle(page)
    assert problems.csp_violations() == [] and problems.errors == []
    page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.src = "https://cdn.example.invalid/pixel.png";
          document.body.append(img);
          setTimeout(() => { throw new Error("boom"); }, 0);
        }"""
    )
    settle(page)
    assert [v["directive"] for v in problems.csp_violations()] == ["img-src"]
    assert any("boom" in error for error in problems.errors)


def test_printed_pages_lose_their_menus_and_keep_their_charts(
    page: Page, server: LiveServer, screenshot_dir: Path
) -> None:
    """With print media (print.css): the navigation and filters are gone, the scorecard's chart
    is its table of values, the report's charts are SVG; one screenshot each, as printed."""
    sign_in_as(page, server, "admin")
    page.emulate_media(media="print")
    page.goto(f"{server.url}{PLAN}/scorecard")
    settle(page)
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("canvas").first).to_be_hidden()
    expect(page.locator(".chart-values table").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "print-scorecard.png"), full_page=True)
    page.goto(f"{server.url}{PLAN}/report")
    settle(page)
    expect(page.locator("nav.plan-nav")).to_be_hidden()
    expect(page.locator("svg.report-chart").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "print-report.png"), full_page=True)
