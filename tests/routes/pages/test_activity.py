"""/activity: the organisation-wide history, newest first, filtered and paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, Plan, QuickWin, Strategy, User
from app.models.enums import SubjectType
from app.models.history import HistoryAction
from app.models.quick_win import QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn
from app.services.changes import quick_wins
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR, app_under_test, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
SJ = "san-jose-customer-service"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def entries(soup: BeautifulSoup) -> list[Tag]:
    listing = soup.find("ol", class_="activity-list")
    if listing is None:
        return []
    return [li for li in listing.find_all("li", recursive=False) if li.get("id")]


def quick_win(session: Session, number: int) -> QuickWin:
    return session.exec(
        select(QuickWin).join(Plan).where(QuickWin.number == number, Plan.slug == SJ)
    ).one()


@pytest.fixture
def san_jose(session: Session) -> Plan:
    import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
    session.commit()
    return session.exec(select(Plan).where(Plan.slug == SJ)).one()


def person(session: Session, username: str, role: str, department: str | None = None) -> User:
    return make_person(session, username, role, department=department, organization="san-jose")


@pytest.fixture
def coordinator(session: Session, san_jose: Plan) -> TestClient:
    return signed_in_client(session, person(session, "carla", "coordinator"))[0]


def filler(session: Session, plan: Plan, count: int, *, days_ago: int = 1) -> None:
    """`count` progress notes on a strategy, one a minute, `days_ago` days back."""
    item = session.exec(select(Strategy).where(Strategy.plan_id == plan.id)).first()
    assert item is not None
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    for n in range(count):
        session.add(
            HistoryEntry(
                organization_id=plan.organization_id,
                plan_id=plan.id,
                subject_type=SubjectType.strategy,
                subject_id=item.id,
                subject_label=f"Filler {n}",
                action=HistoryAction.progress,
                actor_name="Filler",
                at=start + dt.timedelta(minutes=n),
                note=f"note {n}",
            )
        )
    session.commit()


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, san_jose: Plan) -> None:
        response = TestClient(app_under_test()).get("/activity", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/activity"

    def test_any_signed_in_person_reads_their_organisations_activity(
        self, session: Session, san_jose: Plan
    ) -> None:
        make_tiny_plan(session)  # another organisation
        client, _ = signed_in_client(session, person(session, "vic", "viewer"))
        response = client.get("/activity")
        assert response.status_code == 200
        soup = page(response.text)
        assert text_of(soup.h1) == "Activity"
        shown = [text_of(e) for e in entries(soup)]
        assert len(shown) == 1 and "Imported" in shown[0]
        assert "Testville" not in response.text


class TestFeed:
    def test_the_coordinator_sees_the_leads_change_with_before_and_after(
        self, session: Session, san_jose: Plan, coordinator: TestClient
    ) -> None:
        lead = person(session, "sj311-lead", "lead", "SJ311")
        client, csrf = signed_in_client(session, lead)
        item = quick_win(session, 1)
        client.post(
            f"/plans/{SJ}/quick-wins",
            headers={"X-CSRF-Token": csrf, **HX},
            data={"quick_win_id": str(item.id), "version": str(item.version), "status": "complete"},
        )
        soup = page(coordinator.get("/activity").text)
        first = entries(soup)[0]
        head = text_of(first.find(class_="entry-head"))
        assert head.startswith("Sj311 Lead · Progress update · Quick win 1: Language Access")
        assert "(today)" in head and "Customer Service Vision and Standards" in head
        link = first.find(class_="entry-head").find("a")
        assert link["href"] == f"/plans/{SJ}/quick-wins#quick-win-{item.id}"
        assert text_of(first.find("dl")) == "Status In progress → Complete"
        assert text_of(first.find(class_="status")) == "Complete"

    def test_a_strategy_entry_links_to_its_page_with_fields_and_note(
        self, session: Session, san_jose: Plan, coordinator: TestClient
    ) -> None:
        item = session.exec(select(Strategy).where(Strategy.code == "3.1")).one()
        record_strategy_progress(
            session=session,
            strategy=item,
            actor=Actor(user=person(session, "boss", "admin")),
            data=ProgressUpdateIn(
                version=item.version,
                status="on_track",
                progress=40,
                narrative="<script>alert(1)</script>",
                note="by phone",
            ),
        )
        session.commit()
        response = coordinator.get("/activity")
        assert "<script>alert(1)</script>" not in response.text
        first = entries(page(response.text))[0]
        assert first.find("a")["href"] == f"/plans/{SJ}/strategies/3.1"
        changes = text_of(first.find("dl"))
        assert "Progress 0% → 40%" in changes
        assert "Narrative (empty) → <script>alert(1)</script>" in changes
        assert text_of(first.find(class_="entry-note")) == "Note: by phone"

    def test_an_archived_items_entries_stay_without_a_link(
        self, session: Session, san_jose: Plan, coordinator: TestClient
    ) -> None:
        admin = person(session, "boss", "admin")
        item = quick_win(session, 2)
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=item,
            actor=Actor(user=admin),
            data=QuickWinProgressIn(version=item.version, narrative="done and dusted"),
        )
        quick_wins.set_quick_win_archived(
            session=session,
            quick_win=item,
            version=item.version,
            archived=True,
            actor=Actor(user=admin),
            note="dup",
        )
        session.commit()
        shown = entries(page(coordinator.get("/activity").text))
        archived, progress = shown[0], shown[1]
        assert "Archived" in text_of(archived.find(class_="entry-head"))
        for entry in (archived, progress):
            assert entry.find("a") is None
            assert "Quick win 2: City Tools (archived)" in text_of(entry)

    def test_newest_first_fifty_a_page_with_plain_links_and_htmx_more(
        self, session: Session, san_jose: Plan, coordinator: TestClient
    ) -> None:
        filler(session, san_jose, 119)  # 120 entries with the import
        soup = page(coordinator.get("/activity").text)
        shown = entries(soup)
        assert len(shown) == 50
        assert text_of(shown[0]).startswith("system · Imported")  # the import is the newest
        assert text_of(shown[1]).startswith("Filler · Progress update · Filler 118")
        more = soup.find("li", class_="load-more").find("a")
        assert more["href"] == "/activity?page=2"
        assert more["hx-get"] == "/activity?page=2" and more["hx-target"] == "closest li"
        fragment = coordinator.get("/activity?page=2", headers=HX)
        assert "<html" not in fragment.text and "<h1" not in fragment.text
        items = page(fragment.text).find_all("li", recursive=False)
        assert len([li for li in items if li.get("id")]) == 50
        assert text_of(items[0]).startswith("Filler · Progress update · Filler 69")
        assert items[-1]["class"] == ["load-more"]
        last = page(coordinator.get("/activity?page=3").text)
        assert len(entries(last)) == 20
        assert last.find("li", class_="load-more") is None
        assert text_of(entries(last)[-1]).startswith("Filler · Progress update · Filler 0")
        newer = last.find("nav", class_="pager").find("a")
        assert newer["href"] == "/activity?page=2"
        assert last.find("ol", class_="activity-list")["start"] == "101"
        # Page 0 or a page that is not a number is the first page, not a list numbered from -49.
        for odd in ("0", " 2x", "-1"):
            first = page(coordinator.get(f"/activity?page={odd}").text)
            assert first.find("ol", class_="activity-list")["start"] == "1", odd
            assert text_of(entries(first)[0]).startswith("system · Imported"), odd


class TestFilters:
    @pytest.fixture
    def history(self, session: Session, san_jose: Plan) -> dict[str, User]:
        lead = person(session, "sj311-lead", "lead", "SJ311")
        coord = person(session, "carla", "coordinator")
        item = quick_win(session, 1)
        quick_wins.record_quick_win_progress(
            session=session,
            quick_win=item,
            actor=Actor(user=lead),
            data=QuickWinProgressIn(version=item.version, status="complete"),
        )
        strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
        record_strategy_progress(
            session=session,
            strategy=strategy,
            actor=Actor(user=coord),
            data=ProgressUpdateIn(version=1, status="on_track"),
        )
        session.commit()
        filler(session, san_jose, 2, days_ago=40)
        return {"lead": lead, "coordinator": coord}

    def heads(self, client: TestClient, query: str) -> list[str]:
        return [
            text_of(e.find(class_="entry-head")).split(" · ")[0]
            for e in entries(page(client.get("/activity?" + query).text))
        ]

    def test_by_kind_person_action_plan_and_dates(
        self, session: Session, history: dict[str, User]
    ) -> None:
        client, _ = signed_in_client(session, history["coordinator"])
        assert self.heads(client, "kind=quick_win") == ["Sj311 Lead"]
        assert self.heads(client, f"person={history['coordinator'].id}") == ["Carla"]
        assert self.heads(client, "action=imported") == ["system"]
        assert len(self.heads(client, f"plan={SJ}")) == 5
        old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=41)).date().isoformat()
        to = (dt.datetime.now(dt.UTC) - dt.timedelta(days=39)).date().isoformat()
        assert self.heads(client, f"from={old}&to={to}") == ["Filler", "Filler"]
        soup = page(client.get("/activity?kind=quick_win").text)
        assert soup.find("select", id="filter-kind").find("option", selected=True)["value"] == (
            "quick_win"
        )
        assert soup.find("a", string="Clear the filters")["href"] == "/activity"

    def test_the_form_is_a_labelled_get_form(self, session: Session, history: dict) -> None:
        client, _ = signed_in_client(session, history["coordinator"])
        soup = page(client.get("/activity").text)
        form = soup.find("form", class_="filters")
        assert form["method"] == "get" and form["action"] == "/activity"
        for control in form.find_all(["select", "input"]):
            assert soup.find("label", attrs={"for": control["id"]}) is not None
        people = [text_of(o) for o in form.find("select", id="filter-person").find_all("option")]
        assert "Sj311 Lead" in people and "Carla" in people

    def test_a_bad_date_is_named_beside_its_field(self, session: Session, history: dict) -> None:
        client, _ = signed_in_client(session, history["coordinator"])
        soup = page(client.get("/activity?from=last+week").text)
        field = soup.find("input", id="filter-from")
        assert field["value"] == "last week" and field["aria-invalid"] == "true"
        assert "Enter a date as YYYY-MM-DD" in text_of(soup.find(id="filter-from-error"))
        assert len(entries(soup)) == 5  # the filter was not applied

    def test_pagination_keeps_the_filters(self, session: Session, san_jose: Plan) -> None:
        filler(session, san_jose, 60)
        client, _ = signed_in_client(session, person(session, "carla", "coordinator"))
        soup = page(client.get(f"/activity?kind=strategy&plan={SJ}").text)
        more = soup.find("li", class_="load-more").find("a")
        assert more["href"] == f"/activity?plan={SJ}&kind=strategy&page=2"
