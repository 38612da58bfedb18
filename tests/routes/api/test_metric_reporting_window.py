"""/api/v1 metrics: the reporting window (days after each period its value is due), set on
create and update with its history, read back in the rule, refused by field out of 0–366."""

from __future__ import annotations

from collections.abc import Callable

import pytest
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


def test_created_with_a_window_and_read_back(
    session: Session, client_for: Client, people: People
) -> None:
    answer = client_for(people.admin).post(
        CREATE, json=_new(frequency="monthly", reporting_window_days=30)
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["reporting_window_days"] == 30
    assert body["rule"] == (
        "On track at 75% or more; at risk from 71.25%; off track below. Reported monthly, due "
        "within 30 days of each month's end; stale when a value is late."
    )
    assert row_of(session, Metric, body["id"])["reporting_window_days"] == 30


def test_left_out_it_is_null(client_for: Client, people: People) -> None:
    body = client_for(people.admin).post(CREATE, json=_new()).json()
    assert body["reporting_window_days"] is None
    assert "Reported" not in body["rule"]


def test_changed_and_cleared_with_history(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    lead = client_for(people.cc_lead)
    url = f"{API}/metrics/{ids.fcr}"
    answer = lead.patch(url, json={"version": 1, "reporting_window_days": 45})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["reporting_window_days"] == 45
    (entry,) = history(session, "metric", ids.fcr)
    assert entry["changes"]["reporting_window_days"] == (None, 45)
    cleared = lead.patch(url, json={"version": 2, "reporting_window_days": None})
    assert cleared.status_code == 200
    assert row_of(session, Metric, ids.fcr)["reporting_window_days"] is None


@pytest.mark.parametrize("value", [367, -1, 2.5, "a month"])
def test_out_of_range_names_the_field_and_saves_nothing(
    session: Session, client_for: Client, people: People, ids: Ids, value: object
) -> None:
    admin = client_for(people.admin)
    before = history_count(session)
    created = admin.post(CREATE, json=_new(reporting_window_days=value))
    assert created.status_code == 422
    assert [f["field"] for f in created.json()["error"]["fields"]] == ["reporting_window_days"]
    assert session.exec(select(Metric).where(Metric.code == "SAT")).first() is None
    changed = admin.patch(
        f"{API}/metrics/{ids.fcr}", json={"version": 1, "reporting_window_days": value}
    )
    assert changed.status_code == 422
    assert [f["field"] for f in changed.json()["error"]["fields"]] == ["reporting_window_days"]
    assert row_of(session, Metric, ids.fcr)["reporting_window_days"] is None
    assert history_count(session) == before


def test_openapi_describes_it(anonymous: TestClient) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    read = schemas["MetricRead"]["properties"]["reporting_window_days"]
    assert "stale" in read["description"]
    created = next(s for name, s in schemas.items() if name.startswith("MetricCreate"))
    assert created["properties"]["reporting_window_days"]["anyOf"][0]["maximum"] == 366
