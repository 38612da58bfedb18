"""The API's side of progress counting and the status/progress rules: what a client reads agrees
with the pages, and each contradiction is a 422 naming the field, with nothing saved."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Strategy, User
from tests.routes.api.conftest import API, Ids, People, history, row_of

Client = Callable[[User], TestClient]


def progress(client: TestClient, strategy_id: int, **body: object) -> dict:
    version = client.get(f"{API}/strategies/{strategy_id}").json()["version"]
    answer = client.post(
        f"{API}/strategies/{strategy_id}/progress", json={"version": version, **body}
    )
    return {**answer.json(), "http": answer.status_code}


def field_of(answer: dict) -> str:
    return answer["error"]["fields"][0]["field"]


class TestReadingProgress:
    def test_a_first_step_makes_the_api_answer_the_counted_figure_not_the_old_40(
        self, client_for: Client, people: People, ids: Ids, session: Session
    ) -> None:
        lead = client_for(people.pw_lead)
        assert progress(lead, ids.s12, status="on_track", progress=40)["http"] == 200
        before = lead.get(f"{API}/strategies/{ids.s12}").json()
        assert (before["progress"], before["progress_counting"]) == (40, "by_hand")
        assert (
            lead.post(f"{API}/strategies/{ids.s12}/steps", json={"title": "Fill"}).status_code
            == 201
        )
        after = lead.get(f"{API}/strategies/{ids.s12}").json()
        assert {k: after[k] for k in ("progress", "progress_counting", "entered_progress")} == {
            "progress": 0,
            "progress_counting": "by_steps",
            "entered_progress": 40,
        }
        assert (after["steps_total"], after["steps_done"]) == (1, 0)
        # The switch is in the strategy's history, saying what it was.
        notes = [entry["note"] for entry in history(session, "strategy", ids.s12)]
        assert "Progress now follows its 1 workplan step: 0 done (0%); it was 40% by hand" in notes
        # The plan tree says the same.
        tree = lead.get(f"{API}/plans/testville-service/tree").json()
        node = next(s for fa in tree["focus_areas"] for s in fa["strategies"] if s["code"] == "1.2")
        assert (node["progress"], node["progress_counting"]) == (0, "by_steps")


class TestRulesInTheApi:
    def test_not_started_with_progress_is_422_on_status(
        self, client_for: Client, people: People, ids: Ids, session: Session
    ) -> None:
        answer = progress(client_for(people.pw_lead), ids.s12, progress=30)
        assert answer["http"] == 422 and field_of(answer) == "status"
        assert "Not started cannot have 30% progress" in answer["error"]["message"]
        assert row_of(session, Strategy, ids.s12)["progress"] == 0

    def test_complete_below_100_is_422_on_status(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = progress(client_for(people.pw_lead), ids.s12, status="complete", progress=70)
        assert answer["http"] == 422 and field_of(answer) == "status"

    def test_complete_with_open_steps_is_422(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = progress(client_for(people.cc_lead), ids.s11, status="complete")
        assert answer["http"] == 422 and "2 of 2 not done" in answer["error"]["message"]

    def test_100_while_on_track_is_422_on_progress(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = progress(client_for(people.pw_lead), ids.s12, status="on_track", progress=100)
        assert answer["http"] == 422 and field_of(answer) == "progress"
        assert "mark it Complete as well" in answer["error"]["message"]

    def test_null_progress_is_unchanged(self, client_for: Client, people: People, ids: Ids) -> None:
        lead = client_for(people.pw_lead)
        assert progress(lead, ids.s12, status="on_track", progress=40)["http"] == 200
        answer = progress(lead, ids.s12, progress=None, narrative="Going.")
        assert answer["http"] == 200 and answer["progress"] == 40

    def test_switching_to_by_hand_and_back(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead)
        answer = progress(
            lead, ids.s11, status="on_track", progress_counting="by_hand", progress=20
        )
        assert answer["http"] == 200
        assert (answer["progress"], answer["progress_counting"]) == (20, "by_hand")
        answer = progress(lead, ids.s11, progress_counting="by_steps")
        assert (answer["progress"], answer["progress_counting"]) == (0, "by_steps")

    def test_ticking_the_last_open_step_needs_complete_strategy(
        self, client_for: Client, people: People, ids: Ids, session: Session
    ) -> None:
        lead = client_for(people.cc_lead)
        assert progress(lead, ids.s11, status="on_track")["http"] == 200
        assert lead.post(f"{API}/steps/{ids.sub_step}/done", json={"version": 1}).status_code == 200
        refused = lead.post(f"{API}/steps/{ids.step}/done", json={"version": 1})
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"][0]["field"] == "complete_strategy"
        assert row_of(session, Strategy, ids.s11)["status"] == "on_track"
        done = lead.post(
            f"{API}/steps/{ids.step}/done", json={"version": 1, "complete_strategy": True}
        )
        assert done.status_code == 200 and done.json()["done_on"] is not None
        read = lead.get(f"{API}/strategies/{ids.s11}").json()
        assert (read["status"], read["progress"]) == ("complete", 100)
        # Reopening a step of a complete strategy is refused: post its status first.
        undo = lead.post(f"{API}/steps/{ids.step}/undone", json={"version": 2})
        assert undo.status_code == 422 and "is marked Complete" in undo.text

    def test_complete_strategy_must_be_a_json_boolean(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/steps/{ids.step}/done", json={"version": 1, "complete_strategy": "yes"}
        )
        assert answer.status_code == 422 and "complete_strategy" in answer.text
