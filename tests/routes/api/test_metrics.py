"""/api/v1/metrics and measurements: read, create, change, revise targets, record values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Measurement, Metric, MetricTarget, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]
CC_METRIC = (
    "This metric is owned by the Contact Centre department; you can change only your own "
    "department's work."
)


class TestListMetrics:
    def test_metrics_come_with_their_targets_oldest_first(
        self, anonymous: TestClient, ids: Ids
    ) -> None:
        answer = anonymous.get(f"{API}/metrics", params={"plan": "testville-service"}).json()
        assert answer["total"] == 1
        (fcr,) = answer["items"]
        assert (fcr["code"], fcr["unit"], fcr["direction"], fcr["department_id"]) == (
            "FCR",
            "percent",
            "higher",
            ids.cc,
        )
        assert [(t["value"], t["comparator"], t["effective_from"]) for t in fcr["targets"]] == [
            (80, "at_least", None),
            (85, "at_least", "2025-01-01"),
        ]

    def test_department_filter(self, anonymous: TestClient, ids: Ids) -> None:
        assert (
            anonymous.get(f"{API}/metrics", params={"department_id": ids.pw}).json()["total"] == 0
        )
        assert (
            anonymous.get(f"{API}/metrics", params={"department_id": ids.cc}).json()["total"] == 1
        )

    def test_one_metric(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.get(f"{API}/metrics/{ids.fcr}")
        assert (answer.status_code, answer.headers["ETag"]) == (200, '"1"')
        assert answer.json()["name"] == "First call resolution"
        assert len(answer.json()["targets"]) == 2
        # The rule against the target in force for its latest value (June 2025: at least 85%).
        assert answer.json()["rule"] == (
            "On track at 85% or more; at risk from 80.75%; off track below."
        )


class TestCreateMetric:
    URL = f"{API}/plans/testville-service/metrics"

    def test_created_with_its_target(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            self.URL,
            json={
                "code": "AHT",
                "name": "Average handle time",
                "unit": "minutes",
                "direction": "lower",
                "department_id": ids.cc,
                "target": {"value": 10, "comparator": "at_most"},
            },
        )
        assert answer.status_code == 201, answer.json()
        body = answer.json()
        assert answer.headers["Location"] == f"/api/v1/metrics/{body['id']}"
        assert [(t["value"], t["comparator"]) for t in body["targets"]] == [(10, "at_most")]
        (entry,) = history(session, "metric", body["id"])
        assert entry["action"] == "create" and entry["changes"]["name"] == (
            None,
            "Average handle time",
        )

    def test_measuring_two_things_names_the_field_and_saves_nothing(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.admin).post(
            self.URL,
            json={
                "code": "X",
                "name": "X",
                "unit": "count",
                "direction": "higher",
                "focus_area_id": ids.fa_access,
                "strategy_id": ids.s11,
            },
        )
        assert answer.status_code == 422
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["focus_area_id"]
        assert session.exec(select(Metric).where(Metric.code == "X")).first() is None
        assert history_count(session) == before


class TestUpdateMetric:
    def test_change_and_history(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "data_source": "Genesys"}
        )
        assert (answer.status_code, answer.json()["data_source"], answer.headers["ETag"]) == (
            200,
            "Genesys",
            '"2"',
        )
        (entry,) = history(session, "metric", ids.fcr)
        assert entry["changes"] == {"data_source": ("", "Genesys")}

    def test_null_unit_is_bad_input(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = row_of(session, Metric, ids.fcr)
        answer = client_for(people.cc_lead).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "unit": None}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"] == [
            {"field": "unit", "message": "must not be null"}
        ]
        assert row_of(session, Metric, ids.fcr) == before

    def test_lead_of_another_department_is_403(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.pw_lead).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "name": "Mine"}
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["message"] == CC_METRIC
        assert row_of(session, Metric, ids.fcr)["name"] == "First call resolution"
        assert history(session, "metric", ids.fcr) == []


class TestReviseTarget:
    def test_a_revision_adds_a_target_and_keeps_the_old_ones(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/targets",
            json={
                "version": 1,
                "value": 90,
                "comparator": "at_least",
                "label": "90% or higher",
                "effective_from": "2026-01-01",
                "note": "Council raised the bar",
            },
        )
        assert answer.status_code == 200, answer.json()
        body = answer.json()
        assert (body["version"], answer.headers["ETag"]) == (2, '"2"')
        assert [t["value"] for t in body["targets"]] == [80, 85, 90]
        (entry,) = history(session, "metric", ids.fcr)
        assert entry["note"] == "Council raised the bar"
        before, after = entry["changes"]["target"]
        assert before["value"] == 85 and after == {
            "value": 90,
            "comparator": "at_least",
            "label": "90% or higher",
            "effective_from": "2026-01-01",
        }

    def test_a_date_not_after_the_latest_names_the_field(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/targets",
            json={
                "version": 1,
                "value": 90,
                "comparator": "at_least",
                "effective_from": "2024-06-01",
            },
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "effective_from"
        session.expire_all()
        assert (
            len(session.exec(select(MetricTarget).where(MetricTarget.metric_id == ids.fcr)).all())
            == 2
        )
        assert history(session, "metric", ids.fcr) == []

    def test_stale_if_match_is_412(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead)
        assert (
            lead.patch(f"{API}/metrics/{ids.fcr}", json={"version": 1, "kind": "KPI"}).status_code
            == 200
        )
        answer = lead.post(
            f"{API}/metrics/{ids.fcr}/targets",
            headers={"If-Match": '"1"'},
            json={
                "version": 1,
                "value": 90,
                "comparator": "at_least",
                "effective_from": "2026-01-01",
            },
        )
        assert answer.status_code == 412
        session.expire_all()
        assert (
            len(session.exec(select(MetricTarget).where(MetricTarget.metric_id == ids.fcr)).all())
            == 2
        )


class TestMeasurements:
    def test_listed_newest_first_and_paginated(self, anonymous: TestClient, ids: Ids) -> None:
        url = f"{API}/metrics/{ids.fcr}/measurements"
        answer = anonymous.get(url).json()
        assert [(m["period"], m["value"]) for m in answer["items"]] == [
            ("2025-06-01", 83),
            ("2024-06-01", 78),
        ]
        page = anonymous.get(url, params={"limit": 1, "offset": 1}).json()
        assert ([m["period"] for m in page["items"]], page["total"]) == (["2024-06-01"], 2)
        one = anonymous.get(f"{API}/measurements/{answer['items'][0]['id']}")
        assert (one.status_code, one.json()["value"], one.headers["ETag"]) == (200, 83, '"1"')

    def test_recording_a_new_period_creates_it(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements",
            json={"period": "2025-07-01", "value": 84.5, "note": "Survey"},
        )
        assert answer.status_code == 201, answer.json()
        body = answer.json()
        assert answer.headers["Location"] == f"/api/v1/measurements/{body['id']}"
        assert (body["period"], body["value"], body["version"]) == ("2025-07-01", 84.5, 1)
        (entry,) = history(session, "measurement", body["id"])
        assert entry["action"] == "create" and entry["actor"] == "Cara Lead"
        assert entry["changes"]["value"] == (None, 84.5)

    def test_a_period_already_recorded_needs_its_version(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        url = f"{API}/metrics/{ids.fcr}/measurements"
        first = client_for(people.cc_lead).post(url, json={"period": "2025-07-01", "value": 84})
        admin = client_for(people.admin)
        unseen = admin.post(url, json={"period": "2025-07-01", "value": 99})
        assert unseen.status_code == 409
        error = unseen.json()["error"]
        assert error["current"]["value"] == 84 and error["saved_by"] == "Cara Lead"
        assert row_of(session, Measurement, first.json()["id"])["value"] == 84

        corrected = admin.post(url, json={"period": "2025-07-01", "value": 85, "version": 1})
        assert (corrected.status_code, corrected.json()["value"], corrected.json()["version"]) == (
            200,
            85,
            2,
        )
        assert [
            e["changes"].get("value") for e in history(session, "measurement", first.json()["id"])
        ] == [
            (None, 84),
            (84, 85),
        ]

    def test_a_future_period_names_the_field_and_saves_nothing(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        future = (dt.date.today() + dt.timedelta(days=40)).replace(day=1).isoformat()
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": future, "value": 90}
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "period"
        assert session.exec(select(Measurement).where(Measurement.value == 90)).first() is None
        assert history_count(session) == before

    def test_lead_of_another_department_is_403(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        before = history_count(session)
        answer = client_for(people.pw_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-07-01", "value": 1}
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["message"] == CC_METRIC
        assert (
            session.exec(
                select(Measurement).where(Measurement.period == dt.date(2025, 7, 1))
            ).first()
            is None
        )
        assert history_count(session) == before

    def test_anonymous_is_401(self, anonymous: TestClient, ids: Ids) -> None:
        answer = anonymous.post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-07-01", "value": 1}
        )
        assert answer.status_code == 401


class TestArchiveMetric:
    def test_archived_metric_leaves_the_list_until_an_admin_restores_it(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead, admin = client_for(people.cc_lead), client_for(people.admin)
        assert lead.post(f"{API}/metrics/{ids.fcr}/archive", json={"version": 1}).status_code == 200
        assert lead.get(f"{API}/metrics").json()["total"] == 0
        assert lead.get(f"{API}/metrics/{ids.fcr}/measurements").status_code == 404
        assert admin.get(f"{API}/metrics", params={"include_archived": "true"}).json()["total"] == 1
        assert (
            admin.post(f"{API}/metrics/{ids.fcr}/restore", json={"version": 2}).status_code == 200
        )
        assert lead.get(f"{API}/metrics").json()["total"] == 1
        assert [e["action"] for e in history(session, "metric", ids.fcr)] == ["archive", "restore"]
