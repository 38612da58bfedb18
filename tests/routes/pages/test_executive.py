"""/organizations/{slug}/executive and /api/v1/organizations/{slug}/executive, read over HTTP:
who may open them, what they show, and the API's contract (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Plan, Strategy
from app.models.enums import Role
from app.models.strategy import ProgressUpdateIn
from app.services.accounts import demo_accounts
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.operations.database_admin import load_seeds
from app.services.plan_file.importing import import_plan_text
from tests.factories import (
    SEEDS_DIR,
    app_under_test,
    make_person,
    make_tiny_plan,
    signed_in_client,
)
from tests.services.views.test_executive import MEMBER

PAGE = "/organizations/testville/executive"
API = "/api/v1/organizations/testville/executive"


@pytest.fixture
def city(session: Session) -> None:
    make_tiny_plan(session)
    import_plan_text(session=session, text=MEMBER, source="member.yaml")
    session.commit()


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(session: Session, city: None) -> None:
    client, _ = signed_in_client(session, None)
    answer = client.get(PAGE, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
    assert client.get(API).status_code == 401


def test_another_organisation_gets_404(session: Session, city: None) -> None:
    import_plan_text(
        session=session,
        text=MEMBER.replace("slug: testville}", "slug: elsewhere}")
        .replace("testville-public-works", "elsewhere-works")
        .replace("  programme: testville-service\n", ""),
        source="elsewhere.yaml",
    )
    session.commit()
    outsider = make_person(session, "outsider", Role.coordinator, organization="elsewhere")
    client, _ = signed_in_client(session, outsider)
    assert client.get(PAGE).status_code == 404
    assert client.get(API).status_code == 404
    assert client.get("/organizations/nowhere/executive").status_code == 404
    # Their own organisation's view, through the navigation's link.
    answer = client.get("/executive", follow_redirects=False)
    assert answer.headers["location"] == "/organizations/elsewhere/executive"


def test_a_viewer_reads_the_page_with_the_programme_nesting_its_member(
    session: Session, city: None
) -> None:
    viewer = make_person(session, "viewer", Role.viewer)
    client, _ = signed_in_client(session, viewer)
    answer = client.get(PAGE)
    assert answer.status_code == 200
    soup = BeautifulSoup(answer.text, "html.parser")
    assert soup.find("a", href="/executive") is not None  # in the navigation
    (programme,) = soup.select("tbody.programme")
    rows = programme.select("tr[id^=plan-]")
    assert [r["id"] for r in rows] == ["plan-testville-service", "plan-testville-public-works"]
    member = rows[1]
    cells = [" ".join(td.get_text(" ").split()) for td in member.find_all("td")]
    assert "Off track 1" in cells[0] and "Complete 1" in cells[0]
    assert cells[2:5] == ["1", "0", "1"]  # overdue, stale, metrics off target
    bar = member.find("svg", class_="stack-bar")
    assert bar is not None and "1 Off track" in bar["aria-label"]
    # Each number opens the page that lists its items.
    assert member.find(
        "a",
        href="?since="
        + _default_since()
        + "&plan=testville-public-works#off-target-testville-public-works",
    )
    assert member.find("a", href=f"/activity?plan=testville-public-works&from={_default_since()}")


def _default_since() -> str:
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30)).isoformat()


def test_drill_down_lists_the_off_target_metrics_and_since_is_checked(
    session: Session, city: None
) -> None:
    client, _ = signed_in_client(session, make_person(session, "coord", Role.coordinator))
    answer = client.get(PAGE, params={"plan": "testville-public-works"})
    soup = BeautifulSoup(answer.text, "html.parser")
    drill = soup.find("tr", id="off-target-testville-public-works")
    assert drill is not None
    assert drill.find("a", href="/plans/testville-public-works/scorecard/PT") is not None
    refused = client.get(PAGE, params={"since": "next tuesday"})
    soup = BeautifulSoup(refused.text, "html.parser")
    field = soup.find("input", id="executive-since")
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == "since-error"
    assert "YYYY-MM-DD" in soup.find(id="since-error").get_text()
    fragment = client.get(PAGE, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "<h1>Executive view</h1>" in fragment.text


def test_the_api_contract(session: Session, city: None) -> None:
    client, _ = signed_in_client(session, make_person(session, "coord", Role.coordinator))
    body = client.get(API, params={"since": "2024-01-01"}).json()
    assert body["organization_slug"] == "testville" and body["since"] == "2024-01-01"
    (programme,) = body["plans"]
    (member,) = programme["members"]
    assert member["slug"] == "testville-public-works"
    assert member["rollup"]["distribution"]["off_track"] == 1 and member["overdue"] == 1
    assert member["off_target_count"] == 1 and member["off_target"][0]["code"] == "PT"
    assert set(member["moved"]) == {"status_changes", "completed", "new_off_target"}
    assert programme["combined"]["total"] == programme["rollup"]["total"] + 4
    refused = client.get(API, params={"since": "2024-13-01"})
    assert refused.status_code == 422 and "since" in refused.text
    spec = app_under_test().openapi()
    operation = spec["paths"]["/api/v1/organizations/{slug}/executive"]["get"]
    assert operation["summary"] and "404" in operation["responses"]


def test_philadelphia_seeds_show_fleet_under_the_cso_program(session: Session) -> None:
    load_seeds(session=session, seeds_dir=SEEDS_DIR)
    person = make_person(session, "phl", Role.viewer, organization="philadelphia")
    client, _ = signed_in_client(session, person)
    body = client.get("/api/v1/organizations/philadelphia/executive").json()
    (cso,) = body["plans"]
    assert cso["slug"] == "philadelphia-customer-service-officers-program"
    assert [m["slug"] for m in cso["members"]] == ["philadelphia-fleet-management-customer-service"]


def test_the_programme_overview_rolls_up_its_department_plans(session: Session, city: None) -> None:
    client, _ = signed_in_client(session, make_person(session, "coord", Role.coordinator))
    soup = BeautifulSoup(client.get("/plans/testville-service").text, "html.parser")
    section = soup.find("section", class_="department-plans")
    assert section is not None
    row = section.find("tr", id="member-testville-public-works")
    assert row.find("a", href="/plans/testville-public-works") is not None
    cells = [" ".join(td.get_text(" ").split()) for td in row.find_all("td")]
    # The member's own overview says the same.
    own = BeautifulSoup(client.get("/plans/testville-public-works").text, "html.parser")
    own_status = own.find("section", class_="plan-status")
    own_words = " ".join(own_status.find("ul", class_="distribution").get_text(" ").split())
    assert own_words in cells[0]
    assert "43%" in cells[1] and "43%" in own_status.get_text()
    assert cells[2:] == ["1", "0"]  # overdue, stale
    # A plan in no programme has no such section.
    assert own.find("section", class_="department-plans") is None


def test_the_programme_tree_carries_its_members_roll_ups(session: Session, city: None) -> None:
    client, _ = signed_in_client(session, make_person(session, "coord", Role.coordinator))
    tree = client.get("/api/v1/plans/testville-service/tree")
    member_tree = client.get("/api/v1/plans/testville-public-works/tree").json()
    (member,) = tree.json()["member_plans"]
    assert member["slug"] == "testville-public-works"
    assert member["rollup"] == member_tree["rollup"]
    combined = tree.json()["programme_rollup"]
    assert combined["strategies"] == tree.json()["rollup"]["strategies"] + 4
    assert member_tree["member_plans"] == [] and member_tree["programme_rollup"] is None
    # A change in the member plan is a new tree of the programme.
    etag = tree.headers["ETag"]
    assert (
        client.get(
            "/api/v1/plans/testville-service/tree", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )

    strategy = session.exec(
        select(Strategy)
        .join(Plan)
        .where(Plan.slug == "testville-public-works", Strategy.code == "1.2")
    ).one()
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(version=strategy.version, status="on_track"),  # type: ignore[arg-type]
        actor=Actor(name="lead"),
    )
    session.commit()
    again = client.get("/api/v1/plans/testville-service/tree", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_the_demo_executive_of_philadelphia_reads_its_executive_view(session: Session) -> None:
    load_seeds(session=session, seeds_dir=SEEDS_DIR)
    created = demo_accounts.ensure_demo_users(session=session, actor=Actor(name="test"))
    session.commit()
    assert "philadelphia-executive" in created
    executive = demo_accounts.demo_user(session=session, username="philadelphia-executive")
    assert executive is not None and executive.role == Role.viewer
    client, _ = signed_in_client(session, executive)
    page = client.get("/executive", follow_redirects=True)
    assert page.url.path == "/organizations/philadelphia/executive"
    soup = BeautifulSoup(page.text, "html.parser")
    programme = soup.select_one("tbody.programme")
    assert programme is not None
    assert programme.select_one("#plan-philadelphia-fleet-management-customer-service.member-plan")
    # A demo account runs no other organisation: San José's view is not Philadelphia's to read.
    assert client.get("/organizations/san-jose/executive").status_code == 404
