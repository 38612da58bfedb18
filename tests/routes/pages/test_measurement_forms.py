"""Pages: a typed value is stored as meant or refused beside the field (/my-work), and a wrong
value is voided from the metric's page with a reason, leaving its chart and status."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Measurement, Metric, Plan
from app.models.metric import MetricCreate
from app.services.changes import metrics
from app.services.changes.history import Actor
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
METRIC_PAGE = "/plans/testville-service/scorecard/FCR"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def fcr(session: Session) -> Metric:
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def stored(session: Session, metric_id: int, period: dt.date) -> Measurement | None:
    session.expire_all()
    return session.exec(
        select(Measurement).where(Measurement.metric_id == metric_id, Measurement.period == period)
    ).first()


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def cc_lead(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "cc-lead", "lead", department="CC"))


def post_value(client: TestClient, csrf: str, metric_id: int, data: dict[str, str]):  # noqa: ANN201
    return client.post(
        f"/my-work/metrics/{metric_id}/measurements",
        data=data,
        headers={"X-CSRF-Token": csrf, **HX},
    )


def field_message(response_text: str, metric_id: int, name: str) -> str:
    soup = page(response_text)
    field = soup.find("input", id=f"metric-{metric_id}-measurement-{name}")
    assert field is not None and field.get("aria-invalid") == "true"
    return text_of(soup.find(id=field["aria-describedby"]))


class TestTypedValues:
    def test_a_decimal_comma_is_stored_as_the_decimal_it_means(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        answer = post_value(client, csrf, metric.id, {"period": "2025-07", "value": "70,5"})
        assert answer.status_code == 200
        block = page(answer.text).find(id=f"metric-{metric.id}")
        assert text_of(block.find(class_="latest-value")) == "70.5% July 2025"
        assert "70.5% recorded for July 2025." in text_of(block.find(class_="notice-ok"))
        row = stored(session, metric.id, dt.date(2025, 7, 1))
        assert row is not None and row.value == 70.5

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("150", "150% is outside the range: a percentage is between 0% and 100%"),
            ("-5", "-5% is outside the range: a percentage is between 0% and 100%."),
            ("70,500", "70,500 could be 70500 or 70.5. Did you mean 70.5?"),
        ],
    )
    def test_a_value_out_of_range_or_ambiguous_is_refused_beside_the_field(
        self, session: Session, cc_lead: tuple[TestClient, str], value: str, message: str
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        answer = post_value(client, csrf, metric.id, {"period": "2025-07", "value": value})
        assert answer.status_code == 422
        assert field_message(answer.text, metric.id, "value").startswith(message)
        soup = page(answer.text)
        assert soup.find("input", id=f"metric-{metric.id}-measurement-value")["value"] == value
        assert stored(session, metric.id, dt.date(2025, 7, 1)) is None

    def test_a_period_before_the_plan_is_refused_with_the_reason(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        answer = post_value(client, csrf, metric.id, {"period": "1999-01", "value": "70"})
        assert answer.status_code == 422
        assert field_message(answer.text, metric.id, "period") == (
            "January 1999 is before this plan's measurements begin "
            "(the plan's period starts 2024-01-01)."
        )
        assert stored(session, metric.id, dt.date(1999, 1, 1)) is None

    def test_a_correction_says_what_it_was_and_what_it_is_now(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        metric = fcr(session)
        june = stored(session, metric.id, dt.date(2025, 6, 1))
        assert june is not None
        answer = post_value(
            client,
            csrf,
            metric.id,
            {"period": "2025-06", "value": "8,3", "version": str(june.version)},
        )
        assert answer.status_code == 200
        notice = text_of(page(answer.text).find(class_="notice-ok"))
        assert notice == "June 2025 corrected: was 83%, now 8.3%."

    def test_a_wait_typed_as_minutes_and_seconds_is_shown_that_way(
        self, session: Session, tiny: Plan, cc_lead: tuple[TestClient, str]
    ) -> None:
        department_id = fcr(session).department_id
        wait = metrics.create_metric(
            session=session,
            plan=tiny,
            data=MetricCreate(
                code="WAIT",
                name="Average wait",
                unit="minutes",  # type: ignore[arg-type]
                direction="lower",  # type: ignore[arg-type]
                department_id=department_id,
            ),
            actor=Actor(name="test"),
        )
        session.commit()
        client, csrf = cc_lead
        answer = post_value(client, csrf, wait.id, {"period": "2025-07", "value": "4:22"})
        assert answer.status_code == 200
        block = page(answer.text).find(id=f"metric-{wait.id}")
        assert text_of(block.find(class_="latest-value")) == "4:22 July 2025"
        row = stored(session, wait.id, dt.date(2025, 7, 1))
        assert row is not None and row.value == pytest.approx(4 + 22 / 60)
        # The correction form offers the value back as it was typed.
        correct = block.find("input", id=f"metric-{wait.id}-correct-value")
        assert correct["value"] == "4:22"


class TestVoidOnTheMetricPage:
    def void_form(self, soup: BeautifulSoup, value_id: int) -> Tag:
        form = soup.find("form", id=f"void-{value_id}-form")
        assert form is not None
        return form

    def test_a_lead_voids_a_value_with_a_reason_and_it_leaves_chart_and_status(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        june = stored(session, fcr(session).id, dt.date(2025, 6, 1))
        assert june is not None
        before = page(client.get(METRIC_PAGE).text)
        form = self.void_form(before, june.id)
        assert text_of(before.find(id="metric-page").find("p")).startswith("At risk")
        answer = client.post(
            form["action"],
            data={"version": form.find("input", {"name": "version"})["value"], "reason": "x10"},
            headers={"X-CSRF-Token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        after = page(client.get(answer.headers["location"]).text)
        assert "The value was voided" in text_of(after.find(id="metric-notice"))
        series = json.loads(after.find("canvas")["data-series"])
        assert series["values"] == [78]
        status = text_of(after.find(id="metric-page").find("p"))
        assert "78% against a target of at least 80%" in status
        voided = after.find(id="voided-measurements")
        assert "83%" in text_of(voided) and "x10" in text_of(voided)
        assert "Cc Lead" in text_of(voided)

    def test_a_void_without_a_reason_is_refused_beside_the_field(
        self, session: Session, cc_lead: tuple[TestClient, str]
    ) -> None:
        client, csrf = cc_lead
        june = stored(session, fcr(session).id, dt.date(2025, 6, 1))
        assert june is not None
        answer = client.post(
            f"{METRIC_PAGE}/measurements/{june.id}/void",
            data={"version": str(june.version), "reason": " "},
            headers={"X-CSRF-Token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 422
        soup = page(answer.text)
        field = soup.find("input", id=f"void-{june.id}-reason")
        assert field["aria-invalid"] == "true"
        assert text_of(soup.find(id=field["aria-describedby"])) == "Say why this value is voided."
        row = stored(session, fcr(session).id, dt.date(2025, 6, 1))
        assert row is not None and row.archived_at is None

    def test_no_void_control_for_a_viewer_or_the_public(self, session: Session, tiny: Plan) -> None:
        viewer, _ = signed_in_client(session, make_person(session, "vic", "viewer"))
        for client in (viewer, TestClient(viewer.app)):
            soup = page(client.get(METRIC_PAGE).text)
            assert soup.find("form", id=lambda v: bool(v and v.startswith("void-"))) is None
