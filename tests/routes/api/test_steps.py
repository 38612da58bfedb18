"""Workplan steps: /api/v1/strategies/{id}/steps and /api/v1/steps/{id}."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import User, WorkplanStep
from tests.factories import begin_strategy
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]


def titles(answer: dict) -> list[str]:
    return [item["title"] for item in answer["items"]]


class TestListSteps:
    def test_each_step_is_followed_by_its_sub_steps(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead)
        url = f"{API}/strategies/{ids.s11}/steps"
        assert lead.post(url, json={"title": "Train staff"}).status_code == 201
        assert (
            lead.post(url, json={"title": "Book a room", "parent_id": ids.step}).status_code == 201
        )
        answer = lead.get(url).json()
        assert titles(answer) == [
            "Hire bilingual staff",
            "Post the job",
            "Book a room",
            "Train staff",
        ]
        assert [item["parent_id"] for item in answer["items"]] == [None, ids.step, ids.step, None]
        page = lead.get(url, params={"limit": 2, "offset": 2}).json()
        assert (titles(page), page["total"]) == (["Book a room", "Train staff"], 4)

    def test_steps_of_a_missing_strategy_are_404(self, anonymous: TestClient, ids: Ids) -> None:
        assert anonymous.get(f"{API}/strategies/999/steps").status_code == 404

    def test_one_step(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/steps/{ids.sub_step}")
        assert answer.status_code == 200 and answer.headers["ETag"] == '"1"'
        assert answer.json() == {
            **answer.json(),
            "id": ids.sub_step,
            "strategy_id": ids.s11,
            "parent_id": ids.step,
            "title": "Post the job",
            "completion_measure": "Posting live",
            "done_on": None,
        }


class TestCreateStep:
    def test_created_with_location_and_history(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/strategies/{ids.s11}/steps",
            json={
                "title": "Train staff",
                "completion_measure": "Ten trained",
                "due": "2024-09-30",
            },
        )
        assert answer.status_code == 201, answer.json()
        body = answer.json()
        assert answer.headers["Location"] == f"/api/v1/steps/{body['id']}"
        assert (body["title"], body["due"], body["version"]) == ("Train staff", "2024-09-30", 1)
        (entry,) = history(session, "step", body["id"])
        assert entry["action"] == "create"
        assert entry["changes"]["completion_measure"] == (None, "Ten trained")

    def test_sub_steps_have_no_sub_steps(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.cc_lead).post(
            f"{API}/strategies/{ids.s11}/steps",
            json={"title": "Too deep", "parent_id": ids.sub_step},
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "parent_id"
        assert (
            session.exec(select(WorkplanStep).where(WorkplanStep.title == "Too deep")).first()
            is None
        )
        assert history_count(session) == before

    def test_lead_of_another_department_is_403(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.pw_lead).post(
            f"{API}/strategies/{ids.s11}/steps", json={"title": "X"}
        )
        assert answer.status_code == 403
        assert "owned by the Contact Centre department" in answer.json()["error"]["message"]
        assert session.exec(select(WorkplanStep).where(WorkplanStep.title == "X")).first() is None


class TestUpdateStep:
    def test_change_and_history(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/steps/{ids.step}", json={"version": 1, "owner": "HR"}
        )
        assert (answer.status_code, answer.json()["owner"], answer.headers["ETag"]) == (
            200,
            "HR",
            '"2"',
        )
        (entry,) = history(session, "step", ids.step)
        assert entry["changes"] == {"owner": ("", "HR")}

    def test_due_outside_the_plan_period_names_the_field(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = row_of(session, WorkplanStep, ids.step)
        answer = client_for(people.cc_lead).patch(
            f"{API}/steps/{ids.step}", json={"version": 1, "due": "2031-01-01"}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "due"
        assert row_of(session, WorkplanStep, ids.step) == before

    def test_stale_if_match_is_412(self, client_for: Client, people: People, ids: Ids) -> None:
        lead = client_for(people.cc_lead)
        url = f"{API}/steps/{ids.step}"
        assert (
            lead.patch(
                url, json={"version": 1, "owner": "A"}, headers={"If-Match": '"1"'}
            ).status_code
            == 200
        )
        stale = lead.patch(url, json={"version": 1, "owner": "B"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert stale.json()["error"]["current"] == {"version": 2, "owner": "A"}


class TestStepDone:
    def test_done_then_undone(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        begin_strategy(session, ids.s11)  # Not started with progress is refused
        lead = client_for(people.cc_lead)
        done = lead.post(f"{API}/steps/{ids.sub_step}/done", json={"version": 1, "note": "Posted"})
        assert done.status_code == 200, done.json()
        assert (done.json()["done_on"], done.json()["version"]) == (dt.date.today().isoformat(), 2)
        undone = lead.post(
            f"{API}/steps/{ids.sub_step}/undone",
            json={"version": 2},
            headers={"If-Match": done.headers["ETag"]},
        )
        assert (undone.status_code, undone.json()["done_on"]) == (200, None)
        entries = history(session, "step", ids.sub_step)
        assert [(e["action"], e["note"]) for e in entries] == [
            ("progress", "Posted"),
            ("progress", ""),
        ]
        assert entries[0]["changes"] == {"done_on": (None, dt.date.today().isoformat())}

    def test_stale_done_is_409_with_who_saved(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        begin_strategy(session, ids.s11)
        assert (
            client_for(people.cc_lead)
            .post(f"{API}/steps/{ids.step}/done", json={"version": 1})
            .status_code
            == 200
        )
        stale = client_for(people.admin).post(f"{API}/steps/{ids.step}/done", json={"version": 1})
        assert stale.status_code == 409
        assert stale.json()["error"]["saved_by"] == "Cara Lead"
        assert stale.json()["error"]["current"]["version"] == 2

    def test_viewer_is_403(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.viewer).post(f"{API}/steps/{ids.step}/done", json={"version": 1})
        assert answer.status_code == 403
        assert answer.json()["error"]["message"] == "Viewers can read the plan but not change it."
        assert row_of(session, WorkplanStep, ids.step)["done_on"] is None


class TestArchiveStep:
    def test_archived_step_and_its_sub_steps_leave_the_list_until_restored(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead, admin = client_for(people.cc_lead), client_for(people.admin)
        url = f"{API}/strategies/{ids.s11}/steps"
        assert lead.post(f"{API}/steps/{ids.step}/archive", json={"version": 1}).status_code == 200
        assert lead.get(url).json()["total"] == 0
        assert lead.get(f"{API}/steps/{ids.sub_step}").status_code == 404
        assert titles(admin.get(url, params={"include_archived": "true"}).json()) == [
            "Hire bilingual staff",
            "Post the job",
        ]
        assert lead.post(f"{API}/steps/{ids.step}/restore", json={"version": 2}).status_code == 403
        assert admin.post(f"{API}/steps/{ids.step}/restore", json={"version": 2}).status_code == 200
        assert titles(lead.get(url).json()) == ["Hire bilingual staff", "Post the job"]
        assert [e["action"] for e in history(session, "step", ids.step)] == ["archive", "restore"]
