"""/api/v1: a measurement is a JSON number inside its metric's bounds, for a period inside the
plan; a metric's own `bounds`; the seconds unit; voiding a wrong value."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import Response
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Measurement, User
from tests.routes.api.conftest import API, Ids, People, history, history_count, row_of

Client = Callable[[User], TestClient]


def _fields(answer: Response) -> list[str]:
    return [f["field"] for f in answer.json()["error"]["fields"]]


def _messages(answer: Response) -> list[str]:
    return [f["message"] for f in answer.json()["error"]["fields"]]


class TestValuesAreNumbersInsideTheBounds:
    @pytest.mark.parametrize("value", ["70,5", "70.5", "705%"])
    def test_a_string_for_the_value_is_422_naming_it(
        self, session: Session, client_for: Client, people: People, ids: Ids, value: str
    ) -> None:
        before = history_count(session)
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-07-01", "value": value}
        )
        assert answer.status_code == 422
        assert _fields(answer) == ["value"]
        assert history_count(session) == before

    @pytest.mark.parametrize(("value", "words"), [(150, "150%"), (-5, "-5%"), (705, "705%")])
    def test_a_percentage_outside_0_to_100_is_refused_with_the_range(
        self,
        session: Session,
        client_for: Client,
        people: People,
        ids: Ids,
        value: float,
        words: str,
    ) -> None:
        before = history_count(session)
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-07-01", "value": value}
        )
        assert answer.status_code == 422
        assert _fields(answer) == ["value"]
        assert _messages(answer)[0].startswith(
            f"{words} is outside the range: a percentage is between 0% and 100%"
        )
        assert session.exec(select(Measurement).where(Measurement.value == value)).first() is None
        assert history_count(session) == before

    def test_a_metric_whose_bounds_allow_more_than_100_takes_150(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead)
        changed = lead.patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "bounds": {"min": 0, "max": 200}}
        )
        assert changed.status_code == 200, changed.json()
        assert changed.json()["bounds"] == {"min": 0, "max": 200}
        assert lead.get(f"{API}/metrics/{ids.fcr}").json()["bounds"] == {"min": 0, "max": 200}
        answer = lead.post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-07-01", "value": 150}
        )
        assert answer.status_code == 201, answer.json()
        over = lead.post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-08-01", "value": 201}
        )
        assert over.status_code == 422
        assert _messages(over) == [
            "201% is outside the range: this metric's values are between 0% and 200% (its bounds)"
        ]

    def test_bounds_with_min_above_max_are_refused(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).patch(
            f"{API}/metrics/{ids.fcr}", json={"version": 1, "bounds": {"min": 10, "max": 5}}
        )
        assert answer.status_code == 422
        assert _fields(answer)[0].startswith("bounds")

    def test_a_metric_without_bounds_reads_null(self, anonymous: TestClient, ids: Ids) -> None:
        assert anonymous.get(f"{API}/metrics/{ids.fcr}").json()["bounds"] is None

    def test_a_negative_count_is_refused_and_a_seconds_metric_is_created(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        lead = client_for(people.cc_lead)
        for code, unit in (("CALLS", "count"), ("WAIT", "seconds")):
            made = lead.post(
                f"{API}/plans/testville-service/metrics",
                json={
                    "code": code,
                    "name": code,
                    "unit": unit,
                    "direction": "lower",
                    "department_id": ids.cc,
                },
            )
            assert made.status_code == 201, made.json()
            assert made.json()["unit"] == unit
            url = f"{API}/metrics/{made.json()['id']}/measurements"
            negative = lead.post(url, json={"period": "2025-07-01", "value": -1})
            assert negative.status_code == 422 and _fields(negative) == ["value"]
            assert lead.post(url, json={"period": "2025-07-01", "value": 31}).status_code == 201


class TestPeriodsInsideThePlan:
    @pytest.mark.parametrize(
        ("period", "reason"),
        [
            (
                "1999-01-01",
                "January 1999 is before this plan's measurements begin "
                "(the plan's period starts 2024-01-01)",
            ),
            (
                "2023-12-01",
                "December 2023 is before this plan's measurements begin "
                "(the plan's period starts 2024-01-01)",
            ),
        ],
    )
    def test_a_period_before_the_plan_is_422_with_the_reason(
        self,
        session: Session,
        client_for: Client,
        people: People,
        ids: Ids,
        period: str,
        reason: str,
    ) -> None:
        before = history_count(session)
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": period, "value": 70}
        )
        assert answer.status_code == 422
        assert (_fields(answer), _messages(answer)) == (["period"], [reason])
        assert history_count(session) == before

    def test_the_first_month_of_the_plan_is_accepted(
        self, client_for: Client, people: People, ids: Ids
    ) -> None:
        answer = client_for(people.cc_lead).post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2024-01-01", "value": 70}
        )
        assert answer.status_code == 201


class TestVoid:
    def _june(self, session: Session, ids: Ids) -> Measurement:
        return session.exec(
            select(Measurement).where(Measurement.metric_id == ids.fcr, Measurement.value == 83)
        ).one()

    def test_a_voided_value_leaves_the_list_and_keeps_who_and_why(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        june = self._june(session, ids)
        lead = client_for(people.cc_lead)
        answer = lead.post(
            f"{API}/measurements/{june.id}/void",
            json={"version": 1, "reason": "Typed 83 for the wrong month."},
        )
        assert answer.status_code == 200, answer.json()
        body = answer.json()
        assert body["archived_at"] is not None and body["version"] == 2
        assert body["void_reason"] == "Typed 83 for the wrong month."
        assert body["voided_by_id"] == people.cc_lead.id
        listed = lead.get(f"{API}/metrics/{ids.fcr}/measurements").json()["items"]
        assert [m["value"] for m in listed] == [78]
        everything = (
            client_for(people.admin)
            .get(f"{API}/metrics/{ids.fcr}/measurements", params={"include_archived": "true"})
            .json()["items"]
        )
        assert [m["value"] for m in everything] == [83, 78]
        entry = history(session, "measurement", june.id)[-1]
        assert (entry["action"], entry["actor"], entry["note"]) == (
            "archive",
            "Cara Lead",
            "Typed 83 for the wrong month.",
        )

    def test_a_reason_is_required_and_a_string_version_refused(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        june = self._june(session, ids)
        lead = client_for(people.cc_lead)
        before = history_count(session)
        blank = lead.post(f"{API}/measurements/{june.id}/void", json={"version": 1, "reason": ""})
        assert blank.status_code == 422 and _fields(blank) == ["reason"]
        typed = lead.post(
            f"{API}/measurements/{june.id}/void", json={"version": "1", "reason": "x"}
        )
        assert typed.status_code == 422 and _fields(typed) == ["version"]
        assert row_of(session, Measurement, june.id)["archived_at"] is None
        assert history_count(session) == before

    def test_a_stale_version_is_409_and_a_second_void_is_refused(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        june = self._june(session, ids)
        lead = client_for(people.cc_lead)
        stale = lead.post(
            f"{API}/measurements/{june.id}/void",
            json={"version": 1, "reason": "Wrong"},
            headers={"If-Match": '"7"'},
        )
        assert stale.status_code == 412
        assert (
            lead.post(
                f"{API}/measurements/{june.id}/void", json={"version": 1, "reason": "Wrong"}
            ).status_code
            == 200
        )
        again = lead.post(
            f"{API}/measurements/{june.id}/void", json={"version": 2, "reason": "Wrong"}
        )
        assert again.status_code == 422
        assert _messages(again) == ["this measurement is already voided"]

    def test_another_departments_lead_is_403_and_a_coordinator_may_void(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        june = self._june(session, ids)
        refused = client_for(people.pw_lead).post(
            f"{API}/measurements/{june.id}/void", json={"version": 1, "reason": "Wrong"}
        )
        assert refused.status_code == 403
        assert row_of(session, Measurement, june.id)["archived_at"] is None
        done = client_for(people.coordinator).post(
            f"{API}/measurements/{june.id}/void", json={"version": 1, "reason": "Wrong"}
        )
        assert done.status_code == 200

    def test_recording_the_period_again_replaces_the_voided_value(
        self, session: Session, client_for: Client, people: People, ids: Ids
    ) -> None:
        june = self._june(session, ids)
        lead = client_for(people.cc_lead)
        lead.post(f"{API}/measurements/{june.id}/void", json={"version": 1, "reason": "x10"})
        again = lead.post(
            f"{API}/metrics/{ids.fcr}/measurements", json={"period": "2025-06-01", "value": 8.3}
        )
        assert again.status_code in (200, 201), again.json()
        row = row_of(session, Measurement, june.id)
        assert (row["value"], row["archived_at"], row["void_reason"]) == (8.3, None, "")
