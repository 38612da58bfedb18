"""The plan builder's metric pages: a metric added with its baseline, target and at-risk band,
its target revised from a date, the rule read back; refusals save nothing."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from app.models import Department, HistoryEntry, Metric, MetricTarget, Plan, Strategy
from app.models.metric import MetricUpdate
from app.services.changes import metrics
from app.services.changes.history import Actor
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


def _admin(session: Session) -> tuple[Any, dict[str, str]]:
    client, csrf = signed_in_client(session, make_person(session, "ada", "admin"))
    return client, {"X-CSRF-Token": csrf}


def _metric(session: Session, code: str) -> Metric:
    session.expire_all()
    return session.exec(select(Metric).where(Metric.code == code)).one()


def _counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Metric, MetricTarget, HistoryEntry)
    )


def _form(session: Session, **over: str) -> dict[str, str]:
    cc = session.exec(select(Department).where(Department.code == "CC")).one()
    return {
        "code": "ABN",
        "name": "Calls abandoned",
        "unit": "percent",
        "direction": "lower",
        "frequency": "monthly",
        "department_id": str(cc.id),
        "baseline_value": "12.5",
        "baseline_date": "2023-12-01",
        "tolerance": "2",
        "target_comparator": "at_most",
        "target_value": "8",
        "target_label": "8% or less",
        **over,
    }


def test_a_new_metric_and_a_revised_target_read_the_rule_back_with_dated_targets(
    session: Session, tiny: Plan
) -> None:
    client, headers = _admin(session)
    assert client.get(f"/plans/{tiny.slug}/metrics/new").status_code == 200
    answer = client.post(
        f"/plans/{tiny.slug}/metrics/new", data=_form(session), headers=headers | HX
    )
    assert answer.status_code == 200
    made = _metric(session, "ABN")
    assert answer.headers["HX-Redirect"].startswith(f"/metrics/{made.id}/edit")
    assert (made.baseline_value, made.tolerance, made.direction) == (12.5, 2, "lower")
    page = BeautifulSoup(client.get(f"/metrics/{made.id}/edit").text, "html.parser")
    rule = page.select_one("#rule-sentence")
    assert (
        rule is not None
        and rule.text == "On track at 8% or less; at risk up to 10%; off track above."
    )

    revised = client.post(
        f"/metrics/{made.id}/targets",
        data={
            "version": str(made.version),
            "comparator": "at_most",
            "value": "6",
            "label": "6% or less",
            "effective_from": "2025-01-01",
        },
        headers=headers,
        follow_redirects=True,
    )
    assert revised.status_code == 200
    page = BeautifulSoup(revised.text, "html.parser")
    rows = [
        " | ".join(td.get_text(" ", strip=True) for td in tr.select("td"))
        for tr in page.select("#targets tbody tr")
    ]
    assert rows == [
        "The start | At most 8 | 8% or less | ",
        "2025-01-01 | At most 6 | 6% or less | In force now",
    ]
    rule = page.select_one("#rule-sentence")
    assert (
        rule is not None
        and rule.text == "On track at 6% or less; at risk up to 8%; off track above."
    )
    assert "Target revised" in revised.text
    # The metric's own page reads the same rule back.
    assert "On track at 6% or less" in client.get(f"/plans/{tiny.slug}/scorecard/ABN").text


@pytest.mark.parametrize(
    ("field", "value", "error_of", "message"),
    [
        ("target_value", "eighty", "target", "Enter a number"),
        ("department_id", "999999", "department_id", "No such department"),
        ("bound_min", "50", "bounds", "min must not be above max"),
        ("code", "FCR", "code", "already used"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_nothing_is_saved(
    session: Session, tiny: Plan, field: str, value: str, error_of: str, message: str
) -> None:
    client, headers = _admin(session)
    before = _counts(session)
    data = _form(session, **{field: value}, bound_max="10" if field == "bound_min" else "")
    answer = client.post(f"/plans/{tiny.slug}/metrics/new", data=data, headers=headers | HX)
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    errors = soup.select(".field-error")
    assert len(errors) == 1 and message in errors[0].text
    assert soup.select_one(f'[aria-describedby="{errors[0]["id"]}"]') is not None
    assert _counts(session) == before


def test_a_non_number_target_revision_saves_nothing(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    fcr = _metric(session, "FCR")
    before = _counts(session)
    answer = client.post(
        f"/metrics/{fcr.id}/targets",
        data={
            "version": "1",
            "comparator": "at_least",
            "value": "ninety",
            "effective_from": "2026-01-01",
        },
        headers=headers | HX,
    )
    assert answer.status_code == 422
    error = BeautifulSoup(answer.text, "html.parser").select_one("#target-value-error")
    assert error is not None and "Enter a number" in error.text
    assert _counts(session) == before


def test_a_stale_edit_is_refused_with_the_newer_value(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    fcr = _metric(session, "FCR")
    metrics.update_metric(
        session=session,
        metric=fcr,
        data=MetricUpdate(version=1, name="Resolved on the first call"),
        actor=Actor(name="someone"),
    )
    session.commit()
    data = _form(session, code="", name="First contact resolution", version="1")
    answer = client.post(f"/metrics/{fcr.id}/edit", data=data, headers=headers | HX)
    assert answer.status_code == 409
    assert "Resolved on the first call" in answer.text
    assert _metric(session, "FCR").name == "Resolved on the first call"


def test_an_edit_changes_how_it_is_judged(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    fcr = _metric(session, "FCR")
    page = BeautifulSoup(client.get(f"/metrics/{fcr.id}/edit").text, "html.parser")
    form = page.select_one("#item form")
    assert form is not None
    data = {f["name"]: f.get("value", "") for f in form.select("input[name]")}
    data |= {t["name"]: t.text for t in form.select("textarea")}
    data |= {
        s["name"]: (s.select_one("option[selected]") or {"value": ""}).get("value", "")  # type: ignore[union-attr]
        for s in form.select("select")
    }
    answer = client.post(
        f"/metrics/{fcr.id}/edit", data=data | {"tolerance": "3"}, headers=headers | HX
    )
    assert answer.status_code == 200
    assert "at risk from 82%; off track below" in answer.text
    assert _metric(session, "FCR").version == 2


def test_a_viewer_is_refused_and_nothing_is_saved(session: Session, tiny: Plan) -> None:
    client, csrf = signed_in_client(session, make_person(session, "vic", "viewer"))
    fcr = _metric(session, "FCR")
    assert client.get(f"/metrics/{fcr.id}/edit").status_code == 403
    before = _counts(session)
    answer = client.post(
        f"/metrics/{fcr.id}/targets",
        data={
            "version": "1",
            "comparator": "at_least",
            "value": "90",
            "effective_from": "2026-01-01",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 403
    assert _counts(session) == before


def test_archive_and_restore(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    fcr = _metric(session, "FCR")
    answer = client.post(f"/metrics/{fcr.id}/archive", data={"version": "1"}, headers=headers | HX)
    assert answer.status_code == 200 and "Restore this metric" in answer.text
    assert client.get(f"/plans/{tiny.slug}/scorecard/FCR").status_code == 404
    restored = client.post(
        f"/metrics/{fcr.id}/restore", data={"version": "2"}, headers=headers | HX
    )
    assert restored.status_code == 200
    assert _metric(session, "FCR").archived_at is None


def test_a_new_metric_measures_a_strategy_and_shows_on_its_page(
    session: Session, tiny: Plan
) -> None:
    client, headers = _admin(session)
    strategy_id = session.exec(select(Strategy.id).where(Strategy.code == "1.1")).one()
    data = _form(session, measures=f"strategy:{strategy_id}")
    answer = client.post(f"/plans/{tiny.slug}/metrics/new", data=data, headers=headers | HX)
    assert answer.status_code == 200
    assert _metric(session, "ABN").strategy_id == strategy_id
    assert "Calls abandoned" in client.get(f"/plans/{tiny.slug}/strategies/1.1").text
    before = _counts(session)
    forged = _form(session, code="ABN2", measures="persona:1")
    refused = client.post(f"/plans/{tiny.slug}/metrics/new", data=forged, headers=headers | HX)
    assert refused.status_code == 422
    error = BeautifulSoup(refused.text, "html.parser").select_one("#metric-measures-error")
    assert error is not None
    assert _counts(session) == before
