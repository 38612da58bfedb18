"""/api/v1/quick-wins: read, create, change, progress, archive and restore."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import QuickWin, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]


def numbers(answer: dict) -> list[int]:
    return [item["number"] for item in answer["items"]]


class TestListQuickWins:
    def test_filters(self, anonymous: TestClient, ids: Ids) -> None:
        def listed(**params: object) -> list[int]:
            answer = anonymous.get(f"{API}/quick-wins", params=params)
            assert answer.status_code == 200, answer.json()
            return numbers(answer.json())

        assert listed() == [1, 2]
        assert listed(status="complete") == [2]
        assert listed(category="people") == [1]
        assert listed(department_id=ids.pw) == [2]
        assert listed(plan="testville-service", status="planned") == []

    def test_paginates(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/quick-wins", params={"limit": 1, "offset": 1}).json()
        assert (numbers(answer), answer["total"], answer["limit"], answer["offset"]) == (
            [2],
            2,
            1,
            1,
        )

    def test_one_quick_win(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/quick-wins/{ids.qw2}")
        assert answer.headers["ETag"] == '"1"'
        assert answer.json() == {
            **answer.json(),
            "number": 2,
            "service_areas": ["Public Works", "Contact Centre"],
            "issue_category": "Staffing",
            "category": "process",
            "status": "complete",
            "department_id": ids.pw,
            "version": 1,
        }


class TestCreateQuickWin:
    URL = f"{API}/plans/testville-service/quick-wins"

    def test_created(self, session: Session, client_for: Client, people: People, ids: Ids) -> None:
        answer = client_for(people.cc_lead).post(
            self.URL,
            json={
                "number": 3,
                "issue_category": "Signage",
                "summary": "New signs.",
                "department_id": ids.cc,
            },
        )
        assert answer.status_code == 201, answer.json()
        body = answer.json()
        assert answer.headers["Location"] == f"/api/v1/quick-wins/{body['id']}"
        assert (body["number"], body["status"], body["version"]) == (3, "planned", 1)
        (entry,) = history(session, "quick_win", body["id"])
        assert entry["action"] == "create" and entry["changes"]["summary"] == (None, "New signs.")

    def test_a_number_already_taken_names_the_field(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.admin).post(self.URL, json={"number": 1})
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"] == [
            {"field": "number", "message": "quick win 1 already exists in this plan"}
        ]
        assert history_count(session) == before

    def test_anonymous_is_401(self, session: Session, anonymous: TestClient, ids: Ids) -> None:
        assert anonymous.post(self.URL, json={"number": 3}).status_code == 401
        assert session.exec(select(QuickWin).where(QuickWin.number == 3)).first() is None

    def test_a_service_area_longer_than_a_plan_file_holds_names_the_entry(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        client = client_for(people.cc_lead)
        before = history_count(session)
        answer = client.post(
            self.URL,
            json={"number": 3, "department_id": ids.cc, "service_areas": ["S" * 301]},
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["service_areas.0"]
        changed = client.patch(
            f"{API}/quick-wins/{ids.qw1}", json={"version": 1, "service_areas": ["ok", ""]}
        )
        assert changed.status_code == 422
        assert [f["field"] for f in changed.json()["error"]["fields"]] == ["service_areas.1"]
        assert history_count(session) == before


class TestUpdateQuickWin:
    def test_change_and_history(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/quick-wins/{ids.qw1}", json={"version": 1, "summary": "Spanish chat all day."}
        )
        assert (answer.status_code, answer.json()["version"]) == (200, 2)
        (entry,) = history(session, "quick_win", ids.qw1)
        assert entry["changes"] == {
            "summary": ("Spanish chat only when staffed.", "Spanish chat all day.")
        }

    def test_lead_of_another_department_is_403_and_nothing_changes(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = row_of(session, QuickWin, ids.qw1)
        answer = client_for(people.pw_lead).patch(
            f"{API}/quick-wins/{ids.qw1}", json={"version": 1, "summary": "Nope"}
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["message"] == (
            "This quick win is owned by the Contact Centre department; you can change only your "
            "own department's work."
        )
        assert row_of(session, QuickWin, ids.qw1) == before
        assert history(session, "quick_win", ids.qw1) == []

    def test_stale_if_match_is_412(self, client_for: Client, people: People, ids: Ids) -> None:
        lead = client_for(people.cc_lead)
        url = f"{API}/quick-wins/{ids.qw1}"
        assert (
            lead.patch(
                url, json={"version": 1, "summary": "A"}, headers={"If-Match": '"1"'}
            ).status_code
            == 200
        )
        stale = lead.patch(url, json={"version": 1, "summary": "B"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert stale.json()["error"]["current"] == {"version": 2, "summary": "A"}
        assert stale.json()["error"]["saved_by"] == "Cara Lead"


class TestQuickWinProgress:
    def test_status_moves_with_a_narrative_and_note(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.coordinator).post(
            f"{API}/quick-wins/{ids.qw1}/progress",
            json={
                "version": 1,
                "status": "complete",
                "narrative": "Live since May.",
                "note": "Done",
            },
        )
        assert answer.status_code == 200, answer.json()
        assert (answer.json()["status"], answer.json()["narrative"]) == (
            "complete",
            "Live since May.",
        )
        (entry,) = history(session, "quick_win", ids.qw1)
        assert (entry["action"], entry["note"]) == ("progress", "Done")
        assert entry["changes"] == {
            "status": ("in_progress", "complete"),
            "narrative": ("", "Live since May."),
        }

    def test_unknown_status_names_the_field(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/quick-wins/{ids.qw1}/progress", json={"version": 1, "status": "finished"}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "status"
        assert history(session, "quick_win", ids.qw1) == []


class TestArchiveQuickWin:
    def test_archived_quick_win_leaves_the_list_until_an_admin_restores_it(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead, admin = client_for(people.cc_lead), client_for(people.admin)
        assert (
            lead.post(f"{API}/quick-wins/{ids.qw1}/archive", json={"version": 1}).status_code == 200
        )
        assert numbers(lead.get(f"{API}/quick-wins").json()) == [2]
        assert lead.get(f"{API}/quick-wins/{ids.qw1}").status_code == 404
        assert (
            admin.get(
                f"{API}/quick-wins/{ids.qw1}", params={"include_archived": "true"}
            ).status_code
            == 200
        )
        assert (
            lead.post(f"{API}/quick-wins/{ids.qw1}/restore", json={"version": 2}).status_code == 403
        )
        assert (
            admin.post(f"{API}/quick-wins/{ids.qw1}/restore", json={"version": 2}).status_code
            == 200
        )
        assert numbers(lead.get(f"{API}/quick-wins").json()) == [1, 2]
        assert [e["action"] for e in history(session, "quick_win", ids.qw1)] == [
            "archive",
            "restore",
        ]
