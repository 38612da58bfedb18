"""A field the API does not know is refused (422 naming it), not silently dropped.

A client that misspells `progress` as `progres` used to get 200 and a saved update without its
progress; plan files already refused such keys. Every write schema forbids them, so the
published schema says `additionalProperties: false` and the answer names the field as every
other invalid field is named (`target.colour` inside an object).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Measurement, Metric, Strategy, User
from tests.factories import app_under_test
from tests.routes.api.conftest import API, Ids, People, history_count, row_of

Client = Callable[[User], TestClient]
UNKNOWN = "is not a field of this request (misspelt?)"


def refused_fields(answer) -> list[dict[str, str]]:  # noqa: ANN001
    assert answer.status_code == 422, answer.text
    return answer.json()["error"]["fields"]


def test_every_write_body_schema_forbids_unknown_fields() -> None:
    schema = app_under_test().openapi()
    components = schema["components"]["schemas"]
    bodies = {
        content["schema"]["$ref"].rsplit("/", 1)[1]
        for path in schema["paths"].values()
        for operation in path.values()
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        if media == "application/json"  # a plan file (application/yaml) is text: no fields
    }
    assert len(bodies) >= 12  # every kind of change the API takes (22 routes share them)
    # Nested input objects (a metric's target) are held to it too.
    assert components["TargetIn"]["additionalProperties"] is False
    assert {name: components[name].get("additionalProperties") for name in bodies} == {
        name: False for name in bodies
    }


def test_a_misspelt_progress_field_is_named_and_nothing_is_saved(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    before, entries = row_of(session, Strategy, ids.s11), history_count(session)
    answer = client_for(people.cc_lead).post(
        f"{API}/strategies/{ids.s11}/progress",
        json={"version": 1, "progres": 40, "narrative": "Hiring started"},
    )
    assert refused_fields(answer) == [{"field": "progres", "message": UNKNOWN}]
    assert row_of(session, Strategy, ids.s11) == before
    assert history_count(session) == entries


def test_an_unknown_field_in_a_change_is_named_and_the_item_is_unchanged(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    before = row_of(session, Strategy, ids.s11)
    answer = client_for(people.cc_lead).patch(
        f"{API}/strategies/{ids.s11}", json={"version": 1, "title": "New", "owner": "me"}
    )
    assert refused_fields(answer) == [{"field": "owner", "message": UNKNOWN}]
    assert row_of(session, Strategy, ids.s11) == before


def test_an_unknown_field_inside_a_new_metrics_target_is_named_by_its_path(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    answer = client_for(people.admin).post(
        f"{API}/plans/testville-service/metrics",
        json={
            "code": "AHT",
            "name": "Average handle time",
            "unit": "minutes",
            "direction": "lower",
            "target": {"value": 300, "comparator": "at_most", "colour": "green"},
        },
    )
    assert refused_fields(answer) == [{"field": "target.colour", "message": UNKNOWN}]
    session.expire_all()
    assert session.exec(select(Metric).where(Metric.code == "AHT")).first() is None


def test_an_unknown_field_with_a_measurement_saves_no_measurement(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    entries = history_count(session)
    answer = client_for(people.cc_lead).post(
        f"{API}/metrics/{ids.fcr}/measurements",
        json={"period": "2024-01-01", "value": 71, "source": "Genesys"},
    )
    assert refused_fields(answer) == [{"field": "source", "message": UNKNOWN}]
    session.expire_all()
    assert session.exec(select(Measurement).where(Measurement.value == 71)).first() is None
    assert history_count(session) == entries


def test_archive_takes_only_version_and_note(
    session: Session, client_for: Client, people: People, ids: Ids
) -> None:
    before = row_of(session, Strategy, ids.s11)
    answer = client_for(people.admin).post(
        f"{API}/strategies/{ids.s11}/archive", json={"version": 1, "reason": "done"}
    )
    assert refused_fields(answer) == [{"field": "reason", "message": UNKNOWN}]
    assert row_of(session, Strategy, ids.s11) == before
