"""/api/v1 metrics: the at-risk band read as a share of the target (tolerance_kind), set on
create and update, read back in the rule, and refused by field when bad."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Metric, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]
CREATE = f"{API}/plans/testville-service/metrics"


def _new(**extra: object) -> dict:
    return {
        "code": "SAT",
        "name": "Satisfaction",
        "unit": "percent",
        "direction": "higher",
        "target": {"value": 75, "comparator": "at_least"},
        **extra,
    }


def test_created_as_a_share_and_read_back(
    session: Session, client_for: Client, people: People
) -> None:
    answer = client_for(people.admin).post(CREATE, json=_new(tolerance=5, tolerance_kind="share"))
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["tolerance"], body["tolerance_kind"]) == (5, "share")
    assert body["rule"] == "On track at 75% or more; at risk from 71.25%; off track below."
    assert row_of(session, Metric, body["id"])["tolerance_kind"] == "share"


def test_left_out_it_is_absolute(client_for: Client, people: People) -> None:
    body = client_for(people.admin).post(CREATE, json=_new(tolerance=5)).json()
    assert body["tolerance_kind"] == "absolute"
    assert body["rule"] == "On track at 75% or more; at risk from 70%; off track below."


def test_changed_to_a_share_with_history(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    answer = client_for(people.cc_lead).patch(
        f"{API}/metrics/{ids.fcr}",
        json={"version": 1, "tolerance": 10, "tolerance_kind": "share"},
    )
    assert answer.status_code == 200, answer.json()
    # FCR's latest value is judged by "at least 85%": 10% of it is 8.5 points.
    assert answer.json()["rule"] == "On track at 85% or more; at risk from 76.5%; off track below."
    (entry,) = history(session, "metric", ids.fcr)
    assert entry["changes"]["tolerance_kind"] == ("absolute", "share")


def test_an_unknown_kind_names_the_field_and_saves_nothing(
    session: Session, client_for: Client, people: People
) -> None:
    before = history_count(session)
    answer = client_for(people.admin).post(CREATE, json=_new(tolerance_kind="percent"))
    assert answer.status_code == 422
    assert [f["field"] for f in answer.json()["error"]["fields"]] == ["tolerance_kind"]
    assert session.exec(select(Metric).where(Metric.code == "SAT")).first() is None
    assert history_count(session) == before


def test_a_share_above_100_names_the_tolerance(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    admin = client_for(people.admin)
    created = admin.post(CREATE, json=_new(tolerance=150, tolerance_kind="share"))
    assert created.status_code == 422
    assert [f["field"] for f in created.json()["error"]["fields"]] == ["tolerance"]
    assert session.exec(select(Metric).where(Metric.code == "SAT")).first() is None
    # Turning an absolute band of 150 into a share is refused the same way (the stored value).
    url = f"{API}/metrics/{ids.fcr}"
    assert admin.patch(url, json={"version": 1, "tolerance": 150}).status_code == 200
    before = row_of(session, Metric, ids.fcr)
    changed = admin.patch(url, json={"version": 2, "tolerance_kind": "share"})
    assert changed.status_code == 422
    assert [f["field"] for f in changed.json()["error"]["fields"]] == ["tolerance"]
    assert row_of(session, Metric, ids.fcr) == before


def test_null_kind_is_bad_input(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    answer = client_for(people.admin).patch(
        f"{API}/metrics/{ids.fcr}", json={"version": 1, "tolerance_kind": None}
    )
    assert answer.status_code == 422
    assert [f["field"] for f in answer.json()["error"]["fields"]] == ["tolerance_kind"]


def test_openapi_describes_it(anonymous: TestClient) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    assert "share" in schemas["MetricRead"]["properties"]["tolerance_kind"]["description"]
    created = next(s for name, s in schemas.items() if name.startswith("MetricCreate"))
    assert "percentage of the target" in created["properties"]["tolerance_kind"]["description"]
