"""PUT /api/v1/plans/{slug}/assignments: owners and dates of many rows in one save, every row
or none, each refused row named."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Metric, Strategy, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

URL = f"{API}/plans/testville-service/assignments"
Client = Callable[[User], TestClient]


def test_a_save_sets_every_row_and_answers_their_versions(
    session: Session, people: People, ids: Ids, client_for: Client
) -> None:
    client = client_for(people.admin)
    answer = client.put(
        URL,
        json={
            "rows": [
                {"kind": "strategy", "id": ids.s11, "version": 1, "leads": ["Ana Ruiz"],
                 "planned_end": "2025-03-31", "update_cadence_days": 14},
                {"kind": "strategy", "id": ids.s12, "version": 1, "department_id": ids.cc,
                 "term": "short"},
                {"kind": "metric", "id": ids.fcr, "version": 1, "department_id": ids.pw,
                 "frequency": "quarterly"},
            ]
        },
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["changed"] == 3 and body["unchanged"] == 0
    assert {(r["code"], r["version"], r["changed"]) for r in body["rows"]} == {
        ("1.1", 2, True), ("1.2", 2, True), ("FCR", 2, True)
    }  # fmt: skip
    s11 = row_of(session, Strategy, ids.s11)
    assert (s11["leads"], str(s11["planned_end"]), s11["update_cadence_days"]) == (
        ["Ana Ruiz"], "2025-03-31", 14
    )  # fmt: skip
    assert row_of(session, Metric, ids.fcr)["frequency"] == "quarterly"
    assert history(session, "strategy", ids.s12)[-1]["changes"]["term"] == ("long", "short")
    assert history(session, "metric", ids.fcr)[-1]["actor_id"] == people.admin.id


def test_refused_rows_are_each_named_and_nothing_is_saved(
    session: Session, people: People, ids: Ids, client_for: Client
) -> None:
    before = (row_of(session, Strategy, ids.s11), row_of(session, Strategy, ids.s12))
    entries = history_count(session)
    answer = client_for(people.admin).put(
        URL,
        json={
            "rows": [
                {"kind": "strategy", "id": ids.s11, "version": 1, "leads": ["Fine"]},
                {"kind": "strategy", "id": ids.s12, "version": 1, "planned_start": "2025-06-01",
                 "planned_end": "2025-01-01"},
                {"kind": "metric", "id": ids.fcr, "version": 1, "leads": ["Not a metric's"]},
                {"kind": "strategy", "id": ids.s11 + 1000, "version": 1, "term": "short"},
            ]
        },
    )  # fmt: skip
    assert answer.status_code == 422, answer.text
    fields = answer.json()["error"]["fields"]
    assert {(f["field"], f.get("code")) for f in fields} == {
        ("rows.1.planned_end", "1.2"), ("rows.2.leads", "FCR"), ("rows.3.id", "")
    }  # fmt: skip
    assert "before the planned start" in answer.json()["error"]["message"]
    assert (row_of(session, Strategy, ids.s11), row_of(session, Strategy, ids.s12)) == before
    assert history_count(session) == entries


def test_a_bad_value_is_named_by_its_row_before_anything_runs(
    people: People, ids: Ids, client_for: Client
) -> None:
    answer = client_for(people.admin).put(
        URL, json={"rows": [{"kind": "strategy", "id": ids.s11, "version": 1, "term": "soon"}]}
    )
    assert answer.status_code == 422
    assert [f["field"] for f in answer.json()["error"]["fields"]] == ["rows.0.term"]


def test_a_stale_row_is_409_naming_it_with_the_current_values(
    session: Session, people: People, ids: Ids, client_for: Client
) -> None:
    client = client_for(people.admin)
    first = client.patch(f"{API}/strategies/{ids.s12}", json={"version": 1, "leads": ["Theirs"]})
    assert first.status_code == 200
    entries = history_count(session)
    answer = client.put(
        URL,
        json={
            "rows": [
                {"kind": "strategy", "id": ids.s11, "version": 1, "leads": ["Mine"]},
                {"kind": "strategy", "id": ids.s12, "version": 1, "leads": ["Mine too"]},
            ]
        },
    )
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert "1.2" in error["message"]
    assert error["current"]["rows"] == [
        {**error["current"]["rows"][0], "row": 1, "code": "1.2", "version": 2, "leads": ["Theirs"]}
    ]
    assert row_of(session, Strategy, ids.s11)["leads"] == []
    assert history_count(session) == entries


def test_a_lead_may_not_set_another_departments_rows(
    session: Session, people: People, ids: Ids, client_for: Client
) -> None:
    entries = history_count(session)
    answer = client_for(people.cc_lead).put(
        URL,
        json={
            "rows": [
                {"kind": "strategy", "id": ids.s11, "version": 1, "leads": ["Mine"]},
                {"kind": "strategy", "id": ids.s12, "version": 1, "leads": ["Not mine"]},
            ]
        },
    )
    assert answer.status_code == 403
    assert "1.2" in answer.json()["error"]["message"]
    assert history_count(session) == entries


def test_the_route_is_documented_with_its_answer(anonymous: TestClient) -> None:
    schema = anonymous.get("/openapi.json").json()
    route = schema["paths"]["/api/v1/plans/{slug}/assignments"]["put"]
    assert {"200", "403", "409", "422"} <= set(route["responses"])
    ok = route["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/AssignmentsOut")


def test_a_coordinator_sets_every_departments_rows(
    session: Session, people: People, ids: Ids, client_for: Client
) -> None:
    answer = client_for(people.coordinator).put(
        URL,
        json={
            "rows": [
                {"kind": "strategy", "id": ids.s11, "version": 1, "leads": ["Ana"]},
                {"kind": "strategy", "id": ids.s12, "version": 1, "leads": ["Bo"]},
                {"kind": "metric", "id": ids.fcr, "version": 1, "frequency": "monthly"},
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == 3
    assert history(session, "strategy", ids.s12)[-1]["actor_id"] == people.coordinator.id
