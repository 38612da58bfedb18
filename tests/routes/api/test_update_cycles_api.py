"""Issue 13 over the API: organisation settings, update requests, My work's due list."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Organization, Strategy, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]
SETTINGS = f"{API}/organizations/testville/settings"


class TestOrganizationSettings:
    def test_an_administrator_changes_them_and_the_history_says_so(
        self, session: Session, people: People, client_for: Client
    ) -> None:
        client = client_for(people.admin)
        got = client.get(SETTINGS)
        assert got.status_code == 200, got.text
        body = got.json()
        assert (body["time_zone"], body["reporting_cadence"], body["reporting_due_day"]) == (
            "UTC",
            "monthly",
            10,
        )
        assert got.headers["ETag"] == f'"{body["version"]}"'
        changed = client.patch(
            SETTINGS,
            json={
                "version": body["version"],
                "time_zone": "America/Chicago",
                "reporting_cadence": "quarterly",
                "reporting_due_day": 20,
            },
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["time_zone"] == "America/Chicago"
        assert changed.json()["version"] == body["version"] + 1
        [entry] = history(session, "organization", body["id"])
        assert entry["changes"]["time_zone"] == ("UTC", "America/Chicago")
        assert entry["changes"]["reporting_cadence"] == ("monthly", "quarterly")

    def test_a_stale_edit_is_refused_with_the_newer_value(
        self, session: Session, people: People, client_for: Client
    ) -> None:
        client = client_for(people.admin)
        version = client.get(SETTINGS).json()["version"]
        assert client.patch(SETTINGS, json={"version": version, "reporting_due_day": 5}).is_success
        stale = client.patch(SETTINGS, json={"version": version, "reporting_due_day": 7})
        assert stale.status_code == 409
        assert stale.json()["error"]["current"]["reporting_due_day"] == 5
        precondition = client.patch(
            SETTINGS,
            json={"version": version + 1, "reporting_due_day": 7},
            headers={"If-Match": f'"{version}"'},
        )
        assert precondition.status_code == 412

    def test_bad_input_names_the_field_and_saves_nothing(
        self, session: Session, people: People, client_for: Client
    ) -> None:
        client = client_for(people.admin)
        body = client.get(SETTINGS).json()
        before = history_count(session)
        for field, value in (
            ("time_zone", "Mars/Olympus"),
            ("time_zone", None),
            ("reporting_due_day", 31),
            ("reporting_due_day", 0),
            ("reporting_cadence", "weekly"),
        ):
            answer = client.patch(SETTINGS, json={"version": body["version"], field: value})
            assert answer.status_code == 422, (field, value, answer.text)
            assert field in answer.text
        assert history_count(session) == before
        assert row_of(session, Organization, body["id"])["time_zone"] == "UTC"

    def test_only_an_administrator_may_change_them(
        self, people: People, client_for: Client
    ) -> None:
        for who in (people.coordinator, people.cc_lead, people.viewer):
            client = client_for(who)
            version = client.get(SETTINGS).json()["version"]
            answer = client.patch(SETTINGS, json={"version": version, "reporting_due_day": 3})
            assert answer.status_code == 403, answer.text
            assert "administrator" in answer.text


class TestUpdateRequests:
    def ask(self, client: TestClient, kind: str, item_id: int, message: str = "Please update"):
        return client.post(
            f"{API}/update-requests",
            json={"subject_type": kind, "subject_id": item_id, "message": message},
        )

    def test_a_coordinator_asks_and_a_progress_update_answers(
        self, session: Session, people: People, ids: Ids, client_for: Client
    ) -> None:
        coordinator = client_for(people.coordinator)
        made = self.ask(coordinator, "strategy", ids.s11, "Council asks about 1.1")
        assert made.status_code == 201, made.text
        request = made.json()
        assert request["open"] is True and request["department_id"] == ids.cc
        assert made.headers["Location"] == f"{API}/update-requests/{request['id']}"
        [entry] = history(session, "update_request", request["id"])
        assert entry["action"] == "create" and "Council asks about 1.1" in entry["note"]

        lead = client_for(people.cc_lead)
        mine = lead.get(f"{API}/my-work").json()
        assert [r["id"] for r in mine["open_requests"]] == [request["id"]]
        version = row_of(session, Strategy, ids.s11)["version"]
        posted = lead.post(
            f"{API}/strategies/{ids.s11}/progress",
            json={"version": version, "status": "on_track", "note": "Two hired"},
        )
        assert posted.status_code == 200, posted.text
        closed = coordinator.get(f"{API}/update-requests/{request['id']}").json()
        assert closed["open"] is False
        assert closed["answered_by_name"] == "Cara Lead"
        assert closed["answered_with"] == "a progress update"
        assert lead.get(f"{API}/my-work").json()["open_requests"] == []
        assert history(session, "update_request", request["id"])[-1]["note"].startswith("Answered")

    def test_a_value_answers_a_metric_request_and_a_quick_win_update_its_own(
        self, people: People, ids: Ids, client_for: Client
    ) -> None:
        coordinator = client_for(people.coordinator)
        metric = self.ask(coordinator, "metric", ids.fcr).json()
        quick = self.ask(coordinator, "quick_win", ids.qw1).json()
        lead = client_for(people.cc_lead)
        assert lead.post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-07-01", "value": 84}
        ).is_success
        assert coordinator.get(f"{API}/update-requests/{metric['id']}").json()["answered_with"] == (
            "a value for July 2025"
        )
        assert coordinator.get(f"{API}/update-requests/{quick['id']}").json()["open"] is True
        qw = lead.get(f"{API}/quick-wins/{ids.qw1}").json()
        assert lead.post(
            f"{API}/quick-wins/{ids.qw1}/progress",
            json={"version": qw["version"], "narrative": "Chat in Spanish all day"},
        ).is_success
        assert coordinator.get(f"{API}/update-requests/{quick['id']}").json()["open"] is False

    def test_the_coordinator_withdraws_and_a_stale_withdrawal_is_refused(
        self, session: Session, people: People, ids: Ids, client_for: Client
    ) -> None:
        coordinator = client_for(people.coordinator)
        request = self.ask(coordinator, "strategy", ids.s12).json()
        url = f"{API}/update-requests/{request['id']}/withdraw"
        assert client_for(people.pw_lead).post(url, json={"version": 1}).status_code == 403
        done = coordinator.post(url, json={"version": request["version"]})
        assert done.status_code == 200, done.text
        assert done.json()["open"] is False and done.json()["withdrawn_by_name"] == "Coco Ordinator"
        again = coordinator.post(url, json={"version": request["version"]})
        assert again.status_code == 409
        assert client_for(people.pw_lead).get(f"{API}/my-work").json()["open_requests"] == []
        listed = coordinator.get(f"{API}/organizations/testville/update-requests").json()
        assert listed == []
        closed = coordinator.get(
            f"{API}/organizations/testville/update-requests?include_closed=true"
        ).json()
        assert [r["id"] for r in closed] == [request["id"]]

    def test_requests_are_internal(
        self, people: People, ids: Ids, client_for: Client, anonymous: TestClient
    ) -> None:
        request = self.ask(client_for(people.coordinator), "strategy", ids.s11).json()
        assert anonymous.get(f"{API}/update-requests/{request['id']}").status_code == 404
        listed = anonymous.get(f"{API}/organizations/testville/update-requests")
        assert listed.status_code == 200 and listed.json() == []
        assert client_for(people.viewer).get(f"{API}/update-requests/{request['id']}").is_success

    def test_refusals(self, session: Session, people: People, ids: Ids, client_for: Client) -> None:
        before = history_count(session)
        lead = self.ask(client_for(people.cc_lead), "strategy", ids.s11)
        assert lead.status_code == 403 and "coordinator" in lead.text
        coordinator = client_for(people.coordinator)
        empty = self.ask(coordinator, "strategy", ids.s11, "")
        assert empty.status_code == 422 and "message" in empty.text
        wrong_kind = self.ask(coordinator, "step", ids.step)
        assert wrong_kind.status_code == 422 and "subject_type" in wrong_kind.text
        missing = self.ask(coordinator, "metric", 999_999)
        assert missing.status_code == 404
        assert history_count(session) == before


class TestMyWorkDue:
    def test_the_lead_sees_what_is_due_overdue_first(
        self, people: People, ids: Ids, client_for: Client
    ) -> None:
        answer = client_for(people.cc_lead).get(f"{API}/my-work")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["department_code"] == "CC"
        due = body["due"]
        kinds = {(d["subject_type"], d["subject_id"]) for d in due}
        # Its strategy, in-progress quick win and its metric (no frequency: never due) …
        assert ("strategy", ids.s11) in kinds and ("quick_win", ids.qw1) in kinds
        assert ("strategy", ids.s12) not in kinds  # … and nothing of Public Works
        keys = [(not d["overdue"], d["due"]) for d in due]
        assert keys == sorted(keys)

    def test_a_coordinator_names_the_department(self, people: People, client_for: Client) -> None:
        client = client_for(people.coordinator)
        assert client.get(f"{API}/my-work").status_code == 422
        assert client.get(f"{API}/my-work?department=PW").json()["department_code"] == "PW"
        assert client_for(people.viewer).get(f"{API}/my-work").status_code == 403
