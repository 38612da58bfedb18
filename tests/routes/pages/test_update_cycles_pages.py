"""Issue 13's pages: the organisation's settings, requesting an update from an item's page, and
My work's due list and open requests. Refusals show beside their fields and save nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, Organization, Plan, Strategy, UpdateRequest, User
from app.models.enums import Role
from app.routes import cached_pages
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
SETTINGS = "/organizations/testville/settings"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def post(client_csrf: tuple[TestClient, str], url: str, **kwargs: Any) -> Any:
    client, csrf = client_csrf
    headers = {"X-CSRF-Token": csrf, **kwargs.pop("headers", {})}
    return client.post(url, headers=headers, follow_redirects=False, **kwargs)


def count(session: Session, model: type) -> int:
    session.expire_all()
    return len(session.exec(select(model.id)).all())


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


def person(session: Session, name: str, role: Role, **kw: Any) -> tuple[TestClient, str]:
    user: User = make_person(session, name, role, **kw)
    return signed_in_client(session, user)


def strategy_11(session: Session) -> Strategy:
    session.expire_all()
    return session.exec(select(Strategy).where(Strategy.code == "1.1")).one()


class TestOrganizationSettingsPage:
    def test_an_administrator_saves_them(self, session: Session, plan: Plan) -> None:
        admin = person(session, "ada-admin", Role.admin)
        page = admin[0].get(SETTINGS)
        assert page.status_code == 200
        html = soup(page.text)
        assert html.find("input", id="org-time_zone")["value"] == "UTC"
        assert html.find("label", attrs={"for": "org-reporting_due_day"}) is not None
        saved = post(
            admin,
            SETTINGS,
            data={"version": "1", "time_zone": "America/Los_Angeles",
                  "reporting_cadence": "quarterly", "reporting_due_day": "15"},
        )  # fmt: skip
        assert saved.status_code == 303
        session.expire_all()
        org = session.exec(select(Organization).where(Organization.slug == "testville")).one()
        assert (org.time_zone, org.reporting_cadence, org.reporting_due_day) == (
            "America/Los_Angeles",
            "quarterly",
            15,
        )
        assert "Settings saved." in admin[0].get(saved.headers["location"]).text

    def test_a_bad_zone_is_shown_beside_its_field_and_nothing_is_saved(
        self, session: Session, plan: Plan
    ) -> None:
        admin = person(session, "ada-admin", Role.admin)
        before = count(session, HistoryEntry)
        answer = post(admin, SETTINGS, data={"version": "1", "time_zone": "Atlantis/Capital"})
        assert answer.status_code == 422
        html = soup(answer.text)
        field = html.find("input", id="org-time_zone")
        assert field["aria-invalid"] == "true"
        assert "not a time zone" in html.find(id=field["aria-describedby"]).text
        assert field["value"] == "Atlantis/Capital"  # what was typed is kept
        day = post(admin, SETTINGS, data={"version": "1", "reporting_due_day": "30"}, headers=HX)
        assert day.status_code == 422 and soup(day.text).find(id="org-reporting_due_day-error")
        assert count(session, HistoryEntry) == before

    def test_a_stale_form_shows_the_newer_settings(self, session: Session, plan: Plan) -> None:
        admin = person(session, "ada-admin", Role.admin)
        assert post(admin, SETTINGS, data={"version": "1", "reporting_due_day": "5"}).is_redirect
        stale = post(admin, SETTINGS, data={"version": "1", "reporting_due_day": "7"})
        assert stale.status_code == 409
        html = soup(stale.text)
        assert "Someone else saved a newer version" in html.text
        assert html.find("input", id="org-reporting_due_day")["value"] == "5"

    def test_the_navigation_takes_an_administrator_there_and_no_one_else(
        self, session: Session, plan: Plan
    ) -> None:
        admin = person(session, "ada-admin", Role.admin)
        nav = soup(admin[0].get("/plans").text).select_one("nav[aria-label=Main]")
        link = nav.find("a", string="Settings")
        assert link is not None
        landed = admin[0].get(link["href"])
        assert landed.status_code == 200 and str(landed.url).endswith(SETTINGS)
        coordinator = person(session, "cora-coord", Role.coordinator)
        nav = soup(coordinator[0].get("/plans").text).select_one("nav[aria-label=Main]")
        assert nav.find("a", string="Settings") is None

    def test_others_may_not_open_it(self, session: Session, plan: Plan) -> None:
        coordinator = person(session, "coco-ordinator", Role.coordinator)
        assert coordinator[0].get(SETTINGS).status_code == 403


class TestRequestAnUpdate:
    def test_from_the_strategy_page_to_the_leads_my_work_until_answered(
        self, session: Session, plan: Plan
    ) -> None:
        coordinator = person(session, "coco-ordinator", Role.coordinator)
        page = soup(coordinator[0].get("/plans/testville-service/strategies/1.1").text)
        form = page.find(id="update-requests").find("form")
        url = form["action"]
        asked = post(coordinator, url, data={"message": "Where does hiring stand?"})
        assert asked.status_code == 303
        assert asked.headers["location"].endswith("/strategies/1.1#update-requests")
        lead = person(session, "cara-lead", Role.lead, department="CC")
        mine = soup(lead[0].get("/my-work").text)
        section = mine.find("section", class_="update-requests")
        assert "Where does hiring stand?" in section.text
        # Other leads do not see it; nor do they get the form on the item's page.
        other = person(session, "pete-lead", Role.lead, department="PW")
        assert soup(other[0].get("/my-work").text).find("section", class_="update-requests") is None
        item_page = soup(lead[0].get("/plans/testville-service/strategies/1.1").text)
        assert item_page.find(id="update-request-message") is None
        s = strategy_11(session)
        saved = post(
            lead,
            f"/my-work/strategies/{s.id}/progress",
            data={"version": str(s.version), "status": "on_track", "progress": "",
                  "narrative": "Hiring done", "note": ""},
        )  # fmt: skip
        assert saved.status_code == 303, saved.text
        assert soup(lead[0].get("/my-work").text).find("section", class_="update-requests") is None
        session.expire_all()
        row = session.exec(select(UpdateRequest)).one()
        assert row.answered_by_name == "Cara Lead" and row.answered_with == "a progress update"

    def test_an_empty_message_is_refused_beside_the_field(
        self, session: Session, plan: Plan
    ) -> None:
        coordinator = person(session, "coco-ordinator", Role.coordinator)
        s = strategy_11(session)
        answer = post(
            coordinator, f"/update-requests/for/strategy/{s.id}", data={"message": " "}, headers=HX
        )
        assert answer.status_code == 422
        field = soup(answer.text).find("textarea", id="update-request-message")
        assert field["aria-describedby"] == "update-request-message-error"
        assert count(session, UpdateRequest) == 0

    def test_the_coordinator_withdraws_it_and_a_stale_withdrawal_says_why(
        self, session: Session, plan: Plan
    ) -> None:
        coordinator = person(session, "coco-ordinator", Role.coordinator)
        s = strategy_11(session)
        asked = post(
            coordinator, f"/update-requests/for/strategy/{s.id}", data={"message": "Please"}
        )
        assert asked.status_code == 303, asked.text
        session.rollback()  # a new transaction sees the request
        row = session.exec(select(UpdateRequest)).one()
        done = post(coordinator, f"/update-requests/{row.id}/withdraw", data={"version": "1"})
        assert done.status_code == 303
        again = post(
            coordinator, f"/update-requests/{row.id}/withdraw", data={"version": "2"}, headers=HX
        )
        assert again.status_code == 409
        assert "already closed: withdrawn by Coco Ordinator" in again.text

    def test_a_quick_wins_requests_have_their_own_page_linked_from_its_card(
        self, session: Session, plan: Plan
    ) -> None:
        coordinator = person(session, "coco-ordinator", Role.coordinator)
        board = soup(coordinator[0].get("/plans/testville-service/quick-wins").text)
        link = board.find("a", href=lambda h: h and h.startswith("/update-requests/for/quick-win/"))
        page = coordinator[0].get(link["href"])
        assert page.status_code == 200
        assert soup(page.text).find(id="update-request-message") is not None

    def test_the_card_offers_requests_to_who_asks_or_answers_them_only(
        self, session: Session, plan: Plan
    ) -> None:
        def links(who: tuple[TestClient, str]) -> int:
            board = soup(who[0].get("/plans/testville-service/quick-wins").text)
            found = board.find_all("a", href=lambda h: h and h.startswith("/update-requests/"))
            return len(found)

        # Quick win 1 is the Contact Centre's, 2 Public Works': a lead answers for their own.
        assert links(person(session, "coco-ordinator", Role.coordinator)) == 2
        assert links(person(session, "cara-lead", Role.lead, department="CC")) == 1
        assert links(person(session, "vic-viewer", Role.viewer)) == 0

    def test_the_public_sees_no_requests(self, session: Session, plan: Plan) -> None:
        from tests.factories import app_under_test

        anonymous = TestClient(app_under_test())
        page = anonymous.get("/plans/testville-service/strategies/1.1")
        assert page.status_code == 200 and soup(page.text).find(id="update-requests") is None


class TestMyWorkDue:
    def test_the_due_list_puts_overdue_first(self, session: Session, plan: Plan) -> None:
        lead = person(session, "cara-lead", Role.lead, department="CC")
        html = soup(lead[0].get("/my-work").text)
        rows = html.select(".due-list tbody tr")
        assert rows, "the lead's items owe updates"
        overdue = [r.get("class") == ["overdue"] for r in rows]
        assert overdue == sorted(overdue, reverse=True)
        assert "Recommendation 1.1" in html.select_one(".due-list").text

    def test_a_plan_past_its_period_still_owes_updates_but_a_draft_or_archived_owes_none(
        self, session: Session, plan: Plan
    ) -> None:
        lead = person(session, "cara-lead", Role.lead, department="CC")
        plan.period_start, plan.period_end = dt.date(2020, 1, 1), dt.date(2021, 12, 31)
        session.add(plan)
        session.commit()
        due = soup(lead[0].get("/my-work").text).select_one(".due-list")
        assert due is not None and "Recommendation 1.1" in due.text
        for status in ("draft", "archived"):
            plan.status = status
            session.add(plan)
            session.commit()
            cached_pages.forget_all()  # written behind the app's back: no history, no new stamp
            html = soup(lead[0].get("/my-work").text)
            assert html.select(".due-list tbody tr") == [], status
