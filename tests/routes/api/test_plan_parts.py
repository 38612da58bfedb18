"""Statements, phases, focus areas, goals and personas: lists by plan, and one of each."""

from __future__ import annotations

from starlette.testclient import TestClient

from app.models import Plan
from tests.routes.api.conftest import API, Ids


class TestStatements:
    def test_list_and_one(self, anonymous: TestClient, plan: Plan) -> None:
        answer = anonymous.get(f"{API}/statements", params={"plan": "testville-service"}).json()
        (timely,) = answer["items"]
        assert timely == {
            **timely,
            "plan_id": plan.id,
            "kind": "standard",
            "code": "1",
            "title": "Timely",
            "definition": "We answer quickly.",
        }
        assert anonymous.get(f"{API}/statements/{timely['id']}").json() == timely
        assert anonymous.get(f"{API}/statements/999").status_code == 404


class TestPhases:
    def test_list_and_one(self, anonymous: TestClient, plan: Plan) -> None:
        (phase,) = anonymous.get(f"{API}/phases", params={"plan": "testville-service"}).json()[
            "items"
        ]
        assert (phase["code"], phase["name"], phase["start"], phase["end"]) == (
            "1",
            "Phase 1",
            "2024-01-01",
            "2024-12-31",
        )
        assert anonymous.get(f"{API}/phases/{phase['id']}").json() == phase


class TestFocusAreas:
    def test_list_paginates_in_plan_order(self, anonymous: TestClient, ids: Ids) -> None:
        first = anonymous.get(f"{API}/focus-areas", params={"limit": 1}).json()
        second = anonymous.get(f"{API}/focus-areas", params={"limit": 1, "offset": 1}).json()
        assert [(f["code"], f["title"], f["category"]) for f in first["items"]] == [
            ("1", "Access", "people")
        ]
        assert [f["title"] for f in second["items"]] == ["Tools"]
        assert first["total"] == second["total"] == 2

    def test_one_with_its_version(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/focus-areas/{ids.fa_tools}")
        assert (answer.json()["title"], answer.json()["version"], answer.headers["ETag"]) == (
            "Tools",
            1,
            '"1"',
        )


class TestGoals:
    def test_list_filter_and_one(self, anonymous: TestClient, ids: Ids) -> None:
        (goal,) = anonymous.get(f"{API}/goals").json()["items"]
        assert (goal["code"], goal["title"], goal["outcomes"]) == (
            "G1",
            "Faster answers",
            ["Residents wait less"],
        )
        # G1 belongs to the plan as a whole, not to a focus area.
        assert (
            anonymous.get(f"{API}/goals", params={"focus_area_id": ids.fa_access}).json()["total"]
            == 0
        )
        assert anonymous.get(f"{API}/goals/{goal['id']}").json() == goal
        assert anonymous.get(f"{API}/strategies/{ids.s11}").json()["goal_ids"] == [goal["id"]]


class TestPersonas:
    def test_personas_come_with_their_journeys(self, anonymous: TestClient, plan: Plan) -> None:
        (persona,) = anonymous.get(f"{API}/personas", params={"plan": "testville-service"}).json()[
            "items"
        ]
        assert (persona["name"], persona["description"]) == ("New resident", "Just moved in.")
        assert [(j["title"], j["description"]) for j in persona["journeys"]] == [
            ("Start water service", "Calls to start service."),
        ]
        assert anonymous.get(f"{API}/personas/{persona['id']}").json() == persona

    def test_unknown_plan_is_404(self, anonymous: TestClient, plan: Plan) -> None:
        assert anonymous.get(f"{API}/personas", params={"plan": "nope"}).status_code == 404
