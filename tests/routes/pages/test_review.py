"""/review and /review/focus-areas/{id}: the coordinator's table across plans, and the narrative
history of one focus area, read as a user reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import FocusArea, Plan, Strategy, User
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.operations.demo_setup import assign_demo_ownership
from app.services.plan_file.importing import import_plan_path, import_plan_text
from tests.factories import (
    SEEDS_DIR,
    app_under_test,
    back_dated_progress,
    make_person,
    signed_in_client,
)
from tests.services.views.review.test_review import CC_PLAN, many_off_target_plan

HX = {"HX-Request": "true"}
SJ = "san-jose-customer-service"
TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture(autouse=True)
def _today_as_the_test_begins() -> None:
    """Today as each test begins, not as the module was collected: a run that crosses midnight
    (UTC) would otherwise compare yesterday's date with the page's."""
    global TODAY
    TODAY = dt.datetime.now(dt.UTC).date()


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def sj_strategy(session: Session, code: str) -> Strategy:
    return session.exec(
        select(Strategy).join(Plan).where(Strategy.code == code, Plan.slug == SJ)
    ).one()


def row_of(soup: BeautifulSoup, focus_area: FocusArea) -> Tag:
    row = soup.find("tr", id=f"focus-area-{focus_area.id}")
    assert isinstance(row, Tag), focus_area.title
    return row


def cells(row: Tag) -> list[str]:
    return [text_of(c) for c in row.find_all(["th", "td"], recursive=False)]


def person(session: Session, username: str, role: str, department: str | None = None) -> User:
    return make_person(session, username, role, department=department, organization="san-jose")


@pytest.fixture
def san_jose(session: Session) -> Plan:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    return session.exec(select(Plan).where(Plan.slug == SJ)).one()


@pytest.fixture
def coordinator(session: Session, san_jose: Plan) -> TestClient:
    return signed_in_client(session, person(session, "carla", "coordinator"))[0]


def theme(session: Session, code: str) -> FocusArea:
    return session.exec(
        select(FocusArea).join(Plan).where(FocusArea.code == code, Plan.slug == SJ)
    ).one()


def back_dated_update(session: Session, item: Strategy, days: int, who: str) -> None:
    back_dated_progress(
        session,
        item,
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days),
        actor_name=who,
        label=f"Recommendation {item.code}: {item.title}",
        note="quarterly check-in",
    )


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, session: Session, san_jose: Plan) -> None:
        client = TestClient(app_under_test())
        for url in ("/review", f"/review/focus-areas/{theme(session, '1').id}"):
            response = client.get(url, follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=/review")

    @pytest.mark.parametrize("role", ["viewer", "lead"])
    def test_others_get_a_sentence_saying_why(
        self, session: Session, san_jose: Plan, role: str
    ) -> None:
        client, _ = signed_in_client(session, person(session, "someone", role, "SJ311"))
        response = client.get("/review")
        assert response.status_code == 403
        main = text_of(page(response.text).find("main"))
        assert "The review is for program coordinators and administrators" in main
        fa = theme(session, "3")
        assert client.get(f"/review/focus-areas/{fa.id}").status_code == 403

    def test_the_nav_offers_the_review_to_coordinators(self, coordinator: TestClient) -> None:
        nav = page(coordinator.get("/review").text).find("nav", attrs={"aria-label": "Main"})
        assert nav.find("a", href="/review") is not None


class TestReviewTable:
    def test_every_theme_in_the_plans_words(
        self, session: Session, coordinator: TestClient
    ) -> None:
        response = coordinator.get("/review")
        assert response.status_code == 200
        soup = page(response.text)
        assert text_of(soup.h1) == "Review"
        rows = soup.find("table", class_="review-table").find("tbody").find_all("tr")
        assert len(rows) == 5
        first = cells(row_of(soup, theme(session, "1")))
        assert first[0] == (
            "Recommendation theme 1: Culture and Training Customer Service Vision and Standards"
        )
        assert first[1].startswith("Not started 2 of 2 recommendations are not started: 1.1, 1.2")
        assert text_of(row_of(soup, theme(session, "1")).find(class_="progress-number")) == "0%"
        assert first[3] == "Never"
        assert first[4] == "0 stale 0 overdue"
        assert first[5] == "0"
        assert first[6] == "None"

    def test_the_leads_change_shows_with_its_age_and_the_since_count(
        self, session: Session, coordinator: TestClient
    ) -> None:
        assign_demo_ownership(session=session, actor=Actor(name="demo setup"))
        session.commit()
        lead = person(session, "sj311-lead", "lead", "SJ311")
        item = sj_strategy(session, "3.1")
        record_strategy_progress(
            session=session,
            strategy=item,
            actor=Actor(user=lead),
            data=ProgressUpdateIn(
                version=item.version,
                status="on_track",
                progress=25,
                narrative="Spanish chat staffed",
                note="monthly update",
            ),
        )
        session.commit()
        back_dated_update(session, sj_strategy(session, "5.1"), 12, "Old Hand")

        soup = page(coordinator.get("/review").text)
        three = row_of(soup, theme(session, "3"))
        assert "row-changed" in three["class"]
        row = cells(three)
        assert "On track 1" in row[1] and "Not started 1" in row[1]
        # The demo plans 3.2 from April 2026 and nobody has updated it: stale, and said why.
        assert "Stale 1" in row[1] and "is stale: 3.2" in row[1]
        assert text_of(three.find(class_="progress-number")) == "8%"
        assert row[3] == f"{TODAY.isoformat()} today"
        assert row[6] == "3 changes"  # the two demo assignments and the lead's update
        five = cells(row_of(soup, theme(session, "5")))
        assert five[3] == f"{(TODAY - dt.timedelta(days=12)).isoformat()} 12 days ago"
        assert five[6] == "1 change"
        assert "2 with changes since" in text_of(soup.find(class_="board-summary"))

        since = (TODAY - dt.timedelta(days=5)).isoformat()
        later = page(coordinator.get(f"/review?since={since}").text)
        five = row_of(later, theme(session, "5"))
        assert "row-changed" not in (five.get("class") or [])
        assert cells(five)[6] == "None"
        assert cells(five)[3].endswith("12 days ago")  # the last update does not depend on it
        assert later.find("input", id="filter-since")["value"] == since

    def test_filters_are_a_get_form_with_labels(self, coordinator: TestClient) -> None:
        soup = page(coordinator.get("/review?term=long&status=not_started").text)
        form = soup.find("form", class_="filters")
        assert form["method"] == "get" and form["action"] == "/review"
        for control in form.find_all(["select", "input"]):
            assert soup.find("label", attrs={"for": control["id"]}) is not None
        term = form.find("select", id="filter-term")
        assert term.find("option", selected=True)["value"] == "long"
        titles = [text_of(r.find("th")).split(":")[0] for r in soup.find("tbody").find_all("tr")]
        # Long-term recommendations only (1.2, 2.1, 4.2, 5.2, 5.3): theme 3 has none.
        assert titles == [f"Recommendation theme {n}" for n in (1, 2, 4, 5)]
        five = soup.find("tbody").find_all("tr")[-1]
        assert "2 of 2 recommendations are not started: 5.2, 5.3" in text_of(five)

    def test_a_bad_since_date_is_named_beside_the_field(self, coordinator: TestClient) -> None:
        soup = page(coordinator.get("/review?since=yesterday").text)
        field = soup.find("input", id="filter-since")
        assert field["value"] == "yesterday" and field["aria-invalid"] == "true"
        error = text_of(soup.find(id="filter-since-error"))
        default = (TODAY - dt.timedelta(days=30)).isoformat()
        assert error == f"Enter a date as YYYY-MM-DD. Showing changes since {default}."

    def test_department_plans_are_reviewed_with_the_organisations(self, session: Session) -> None:
        from tests.factories import make_tiny_plan

        make_tiny_plan(session)
        import_plan_text(session=session, text=CC_PLAN, source="cc.yaml")
        session.commit()
        client, _ = signed_in_client(session, make_person(session, "c", "coordinator"))
        soup = page(client.get("/review?department=CC").text)
        titles = [text_of(r.find("th")) for r in soup.find("tbody").find_all("tr")]
        assert titles == [
            "Pillar A: Answering Contact Centre Plan (Contact Centre’s plan)",
            "Pillar B: Backlog Contact Centre Plan (Contact Centre’s plan)",
            "Focus area 1: Access Testville Customer Service Plan",
        ]
        answering = soup.find("tbody").find("tr")
        off_target = text_of(answering.find_all("td")[4])
        assert off_target.startswith("1 Speed of answer Off track")

    def test_a_row_lists_its_worst_off_target_metrics_and_links_to_all(
        self, session: Session
    ) -> None:
        import_plan_text(session=session, text=many_off_target_plan(3, 5), source="many.yaml")
        session.commit()
        user = make_person(session, "m", "coordinator", organization="manyville")
        client, _ = signed_in_client(session, user)
        cell = page(client.get("/review").text).find("tbody").find("tr").find_all("td")[4]
        assert text_of(cell.find(class_="flag-count")) == "8"
        listed = [text_of(li) for li in cell.find_all("li")]
        assert listed == [f"Metric {n} Off track" for n in (4, 5, 6, 7, 8)] + ["and 3 more"]
        more = cell.find("li", class_="off-target-more").find("a")["href"]
        assert more == "/plans/many/focus-areas/A#fa-metrics"
        focus_area = page(client.get(more).text)
        metrics = text_of(focus_area.find(id="fa-metrics").find_next("table"))
        assert all(f"Metric {n}" in metrics for n in range(1, 9))

    def test_htmx_gets_the_fragment(self, coordinator: TestClient) -> None:
        response = coordinator.get("/review", headers=HX)
        assert response.status_code == 200
        assert "<html" not in response.text and "site-header" not in response.text
        assert "review-table" in response.text


class TestFocusAreaHistory:
    def test_the_narrative_history_newest_first_since_the_date(
        self, session: Session, coordinator: TestClient
    ) -> None:
        item = sj_strategy(session, "3.2")
        back_dated_update(session, item, 45, "Old Hand")
        carla = session.exec(select(User).where(User.username == "carla")).one()
        record_strategy_progress(
            session=session,
            strategy=item,
            actor=Actor(user=carla),
            data=ProgressUpdateIn(
                version=item.version,
                status="at_risk",
                progress=30,
                narrative="Library pilot slipped",
                note="vendor delay",
            ),
        )
        session.commit()
        fa = theme(session, "3")
        soup = page(coordinator.get(f"/review/focus-areas/{fa.id}").text)
        assert text_of(soup.h1) == "Recommendation theme 3 Equitable Access"
        entries = soup.find("ol", class_="history-list").find_all("li", recursive=False)
        assert len(entries) == 1
        entry = text_of(entries[0])
        assert "Recommendation 3.2" in entry and "Carla" in entry and "(today)" in entry
        assert "Status Not started → At risk" in entry
        assert "Progress 0% → 30%" in entry
        assert "Narrative Library pilot slipped" in entry
        assert "Note: vendor delay" in entry
        link = soup.find("a", string="Show the whole history")
        everything = page(coordinator.get(link["href"]).text)
        entries = everything.find("ol", class_="history-list").find_all("li", recursive=False)
        assert len(entries) == 2
        assert "Old Hand" in text_of(entries[1]) and "45 days ago" in text_of(entries[1])
        # Its recommendations, with their status, link to their pages.
        assert everything.find("a", href=f"/plans/{SJ}/strategies/3.2") is not None

    def test_the_review_row_opens_it(self, session: Session, coordinator: TestClient) -> None:
        soup = page(coordinator.get("/review").text)
        fa = theme(session, "3")
        link = row_of(soup, fa).find("th").find("a")
        assert link["href"].startswith(f"/review/focus-areas/{fa.id}?since=")
        assert coordinator.get(link["href"]).status_code == 200

    def test_an_unknown_focus_area_is_not_found(self, coordinator: TestClient) -> None:
        assert coordinator.get("/review/focus-areas/999999").status_code == 404
