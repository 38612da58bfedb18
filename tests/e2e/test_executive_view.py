"""Issue 12's "Done when", its executive half, in a real browser: Philadelphia's demo executive
signs in with one click, opens "Executive" from the navigation and finds every plan of the city on
one screen, the Customer Service Officers Program with the Fleet Management department plan nested
under it and a combined line that counts both; picks another "moved since" date (htmx, and the
address follows), is told inline when the date is not one; opens the programme's off-target
metrics, then drills into Fleet's own plan. axe-core finds no serious or critical violation on
the page, and the browser reports no script error or CSP violation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from app.models import Organization, Plan
from tests.e2e.conftest import BrowserProblems, db_session, sign_in_as
from tests.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PROGRAMME = "philadelphia-customer-service-officers-program"
FLEET = "philadelphia-fleet-management-customer-service"


def _philadelphia_titles(server: LiveServer) -> dict[str, str]:
    with db_session(server) as session:
        org = session.exec(select(Organization).where(Organization.slug == "philadelphia")).one()
        plans = session.exec(select(Plan).where(Plan.organization_id == org.id)).all()
        return {p.slug: p.title for p in plans}


def test_the_executive_reads_every_plan_with_the_programme_rolling_up_fleet(
    page: Page,
    new_context: Callable[..., BrowserContext],
    shared_server: LiveServer,
    screenshot_dir: Path,
) -> None:
    titles = _philadelphia_titles(shared_server)
    assert set(titles) == {PROGRAMME, FLEET}
    problems = BrowserProblems(page)
    sign_in_as(page, shared_server, "Philadelphia executive")
    page.get_by_role("link", name="Executive", exact=True).click()
    expect(page).to_have_url(re.compile(r"/organizations/philadelphia/executive"))
    expect(page.get_by_role("heading", name="Executive view")).to_be_visible()

    # Every plan, the department plan inside its programme's group, after the programme.
    programme = page.get_by_role("rowgroup", name=f"Programme {titles[PROGRAMME]}")
    expect(programme).to_be_visible()
    rows = programme.get_by_role("row")
    expect(rows.first).to_contain_text(titles[PROGRAMME])
    fleet_row = programme.locator(f"#plan-{FLEET}")
    expect(fleet_row).to_contain_text(titles[FLEET])
    expect(fleet_row).to_have_class(re.compile("member-plan"))
    expect(programme.locator(".programme-combined")).to_contain_text(
        "Programme with its 1 department plan"
    )
    page.screenshot(path=str(screenshot_dir / "executive-philadelphia.png"), full_page=True)

    # Another date: the table is swapped in place and the address says which date it shows.
    since = page.get_by_label("What moved since (YYYY-MM-DD)")
    since.fill("2020-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"since=2020-01-01"))
    expect(page.get_by_role("columnheader", name="Moved since 2020-01-01")).to_be_visible()
    since = page.get_by_label("What moved since (YYYY-MM-DD)")
    since.fill("2024-13-01")
    page.get_by_role("button", name="Show").click()
    expect(since).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#since-error")).to_be_visible()

    # The programme's off-target count opens its metrics in place, then Fleet opens its plan.
    page.goto(f"{shared_server.url}/organizations/philadelphia/executive")
    page.locator(f"#plan-{PROGRAMME}").get_by_role(
        "link", name=re.compile("metrics off target or late")
    ).click()
    expect(page.locator(f"#off-target-{PROGRAMME}")).to_contain_text(
        f"Metrics off target or late in {titles[PROGRAMME]}"
    )
    page.locator(f"#plan-{FLEET}").get_by_role("link", name=titles[FLEET], exact=True).click()
    expect(page).to_have_url(re.compile(rf"/plans/{FLEET}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(titles[FLEET])
    assert problems.errors == [] and problems.csp_violations() == []

    # axe-core on the executive view, in a context of its own that lets the test inject it.
    assert AXE.exists(), "npm install (axe-core) first"
    checker = new_context(bypass_csp=True).new_page()
    sign_in_as(checker, shared_server, "Philadelphia executive")
    checker.goto(f"{shared_server.url}/organizations/philadelphia/executive")
    checker.add_script_tag(path=str(AXE))
    result = checker.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AA
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
