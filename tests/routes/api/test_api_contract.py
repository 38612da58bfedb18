"""What holds for every route of the JSON API, checked over the routes the app's OpenAPI schema
lists (every API route is in it), so a new route is covered without anyone adding it here."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlmodel import Session
from starlette.testclient import TestClient

from app.models import Plan, User
from tests.factories import app_under_test
from tests.routes.api.conftest import API, Ids, People

Client = Callable[[User], TestClient]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
VERSIONED_TABLES = ("strategy", "workplan_step", "quick_win", "metric", "measurement", "plan")


def api_operations() -> list[tuple[str, str, dict]]:
    schema = app_under_test().openapi()
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(API)
        for method, operation in operations.items()
    ]


def concrete(path: str, ids: Ids) -> str:
    """The route's path with its parameters filled in with rows of the tiny plan."""
    values = {
        "strategy_id": ids.s11,
        "step_id": ids.step,
        "quick_win_id": ids.qw1,
        "metric_id": ids.fcr,
        "department_id": ids.cc,
        "focus_area_id": ids.fa_access,
        "subject_type": "strategy",
        "subject_id": ids.s11,
    }
    slug = "testville" if path.startswith(f"{API}/organizations/") else "testville-service"
    path = path.replace("{slug}", slug)
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def state(session: Session) -> tuple[int, ...]:
    """Every row count and version that a write would move."""
    session.expire_all()
    counts = [
        session.execute(text(f"SELECT COUNT(*), COALESCE(SUM(version), 0) FROM {t}")).one()
        for t in VERSIONED_TABLES
    ]
    history = session.execute(text("SELECT COUNT(*) FROM history_entry")).scalar_one()
    targets = session.execute(text("SELECT COUNT(*) FROM metric_target")).scalar_one()
    return (*[n for pair in counts for n in pair], history, targets)


UNSAFE_ROUTES = [(m, p) for m, p, _ in api_operations() if m in UNSAFE]
# Performance sessions and action items are the organisation's own (their packs hold internal
# narratives): no published plan opens them to anyone (tests/routes/api/test_sessions_api.py).
# Nor does the executive view, for the organisation's people (tests/routes/pages/test_executive.py).
# Accounts (issue 13) are their owners' and administrators' alone (test_accounts_api.py).
# The outbox is its administrators' (tests/routes/pages/test_outbox.py).
# Update requests (issue 13) are internal as narratives are, and My work is a signed-in person's
# (tests/routes/api/test_update_cycles_api.py).
INTERNAL = (
    f"{API}/sessions",
    f"{API}/action-items",
    f"{API}/organizations/{{slug}}/executive",
    f"{API}/account",
    f"{API}/users",
    f"{API}/outbox",
    f"{API}/update-requests",
    f"{API}/organizations/{{slug}}/update-requests",
    f"{API}/my-work",
)
READ_ROUTES = [
    (m, p)
    for m, p, _ in api_operations()
    if m == "GET" and not p.endswith("/history") and not p.startswith(INTERNAL)
]


def test_the_api_has_its_write_routes() -> None:
    # Guards the generated tests below against an empty list.
    assert len(UNSAFE_ROUTES) >= 20 and len(READ_ROUTES) >= 25


@pytest.mark.parametrize(("method", "path"), UNSAFE_ROUTES)
def test_anonymous_writes_are_401_and_change_nothing(
    method: str, path: str, session: Session, anonymous: TestClient, ids: Ids
) -> None:
    before = state(session)
    answer = anonymous.request(method, concrete(path, ids), json={})
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert state(session) == before


@pytest.mark.parametrize(("method", "path"), READ_ROUTES)
def test_every_read_answers_the_published_plan_to_anyone(
    method: str, path: str, anonymous: TestClient, ids: Ids, plan: Plan
) -> None:
    answer = anonymous.get(concrete(path, ids))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    if "items" in body:
        assert body["total"] >= 1 and len(body["items"]) >= 1
    # An editable item: its version is its ETag. (The plan tree, the lead's, answers many items.)
    # (A public update shows its version only to the organisation's people, who may edit it.)
    if body.get("version") is not None and not path.endswith("/tree"):
        assert answer.headers["ETag"] == f'"{body["version"]}"'


def test_every_route_documents_its_answer_and_its_errors() -> None:
    for method, path, operation in api_operations():
        responses = operation["responses"]
        success = "201" if "201" in responses else "200"
        assert "$ref" in str(responses[success].get("content")), (method, path)
        assert "422" in responses, (method, path)
        if method in UNSAFE:
            assert {"401", "403", "404"} <= set(responses), (method, path)
        if any(p["name"] == "if-match" for p in operation.get("parameters", [])):
            assert {"409", "412"} <= set(responses), (method, path)


def test_a_405_names_every_method_the_path_answers(anonymous: TestClient, ids: Ids) -> None:
    # GET and PATCH of a strategy are two routes; the answer must name both.
    answer = anonymous.delete(f"{API}/strategies/{ids.s11}")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, PATCH"
    assert answer.json()["error"]["code"] == "method_not_allowed"


class TestBodiesKeepToTheirJsonTypes:
    """Pydantic's lax mode would take "5" or true for a number and 0 for a date; clients are held
    to the types the schema publishes, and nothing is saved."""

    @pytest.mark.parametrize(
        "body",
        [
            {"period": "2025-07-01", "value": True},
            {"period": "2025-07-01", "value": "84"},
            {"period": 0, "value": 84},
        ],
    )
    def test_measurement(
        self, body: dict, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = state(session)
        answer = client_for(people.cc_lead).post(f"{API}/metrics/{ids.fcr}/measurements", json=body)
        assert answer.status_code == 422
        (field,) = {f["field"] for f in answer.json()["error"]["fields"]}
        assert field in ("value", "period")
        assert state(session) == before

    def test_a_string_for_an_integer_is_refused(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/strategies/{ids.s11}", json={"version": "1", "priority": 3}
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["version"]

    def test_an_integral_number_is_an_integer(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.pw_lead).post(
            f"{API}/strategies/{ids.s12}/progress",
            json={"version": 1.0, "status": "on_track", "progress": 40.0},
        )
        assert (answer.status_code, answer.json()["progress"]) == (200, 40)

    def test_history_since_is_a_time_not_a_number(
        self, client_for: Client, people: People, plan: Plan
    ) -> None:
        answer = client_for(people.viewer).get(f"{API}/history", params={"since": "0.5"})
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "since"
