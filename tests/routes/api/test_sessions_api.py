"""/api/v1 performance sessions, decisions and action items (issue 11)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import User
from tests.routes.api.conftest import API, Ids, People, history, history_count

Client = Callable[[User], TestClient]
ORG = f"{API}/organizations/testville/sessions"


def _schedule(client: TestClient, **extra: object) -> dict:
    answer = client.post(ORG, json={"held_on": "2025-03-01", "title": "March review", **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_coordinator_runs_a_session_through_the_api(
    client_for: Client, people: People, ids: Ids, session: Session
) -> None:
    coordinator = client_for(people.coordinator)
    made = _schedule(coordinator, focus_area_ids=[ids.fa_access], attendees="Mayor, SJ311")
    assert made["status"] == "scheduled" and made["version"] == 1
    assert [fa["title"] for fa in made["pack"]["focus_areas"]] == ["Access"]
    url = f"{API}/sessions/{made['id']}"
    assert coordinator.get(url).headers["ETag"] == '"1"'
    decision = coordinator.post(f"{url}/decisions", json={"text": "Fund the chat pilot"})
    assert decision.status_code == 201, decision.text
    action = coordinator.post(
        f"{url}/action-items",
        json={"what": "Staff the chat", "department_id": ids.cc, "due_on": "2025-05-01",
              "link_kind": "strategy", "link_id": ids.s11},
    )  # fmt: skip
    assert action.status_code == 201, action.text
    assert action.headers["Location"] == f"{API}/action-items/{action.json()['id']}"
    closed = coordinator.post(f"{url}/close", json={"version": 1})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["closed_at"]
    assert [d["text"] for d in body["decisions"]] == ["Fund the chat pilot"]
    assert [a["what"] for a in body["action_items"]] == ["Staff the chat"]
    entries = history(session, "session", made["id"])
    assert [e["action"] for e in entries] == ["create", "update"]
    assert entries[1]["changes"]["status"] == ("scheduled", "closed")


def test_bad_input_is_422_naming_the_field(
    client_for: Client, people: People, ids: Ids, session: Session
) -> None:
    coordinator = client_for(people.coordinator)
    before = history_count(session)
    answer = coordinator.post(ORG, json={"held_on": "not a date", "title": ""})
    assert answer.status_code == 422
    named = str(answer.json())
    assert "held_on" in named and "title" in named
    answer = coordinator.post(
        ORG, json={"held_on": "2025-03-01", "title": "X", "plan_ids": [99999]}
    )
    assert answer.status_code == 422 and "plan_ids" in answer.text
    made = _schedule(coordinator)
    answer = coordinator.post(
        f"{API}/sessions/{made['id']}/action-items", json={"what": "x", "department_id": 99999}
    )
    assert answer.status_code == 422 and "department_id" in answer.text
    assert history_count(session) == before + 1  # only the session made


def test_a_stale_action_item_change_is_409_with_the_newer_value(
    client_for: Client, people: People, ids: Ids
) -> None:
    coordinator, lead = client_for(people.coordinator), client_for(people.cc_lead)
    made = _schedule(coordinator)
    action = coordinator.post(
        f"{API}/sessions/{made['id']}/action-items",
        json={"what": "Call back", "department_id": ids.cc},
    ).json()
    url = f"{API}/action-items/{action['id']}"
    first = lead.patch(url, json={"version": 1, "status": "in_progress"})
    assert first.status_code == 200 and first.json()["status"] == "in_progress"
    stale = coordinator.patch(url, json={"version": 1, "status": "dropped"})
    assert stale.status_code == 409
    assert "in_progress" in stale.text
    assert lead.get(url).json()["status"] == "in_progress"


def test_who_may_write(client_for: Client, people: People, ids: Ids) -> None:
    coordinator = client_for(people.coordinator)
    assert (
        client_for(people.viewer)
        .post(ORG, json={"held_on": "2025-03-01", "title": "X"})
        .status_code
        == 403
    )
    made = _schedule(coordinator)
    action = coordinator.post(
        f"{API}/sessions/{made['id']}/action-items", json={"what": "Fix", "department_id": ids.cc}
    ).json()
    url = f"{API}/action-items/{action['id']}"
    assert (
        client_for(people.pw_lead).patch(url, json={"version": 1, "status": "done"}).status_code
        == 403
    )
    assert (
        client_for(people.cc_lead).patch(url, json={"version": 1, "status": "done"}).status_code
        == 200
    )
    lead_session = client_for(people.cc_lead).post(
        f"{API}/sessions/{made['id']}/decisions", json={"text": "x"}
    )
    assert lead_session.status_code == 403


def test_sessions_are_not_for_the_public(
    anonymous: TestClient, client_for: Client, people: People
) -> None:
    made = _schedule(client_for(people.coordinator))
    for path in (f"{API}/sessions", f"{API}/sessions/{made['id']}", f"{API}/action-items"):
        assert anonymous.get(path).status_code == 401, path
