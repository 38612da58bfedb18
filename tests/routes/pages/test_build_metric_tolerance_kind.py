"""The metric form's "At-risk band is" select: a band read as a share of the target is saved
from the form, shown selected, read back in the rule; a share above 100% is named beside the
band and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Metric, Plan
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


def _admin(session: Session) -> tuple[Any, dict[str, str]]:
    client, csrf = signed_in_client(session, make_person(session, "ada", "admin"))
    return client, {"X-CSRF-Token": csrf}


def _fcr(session: Session) -> Metric:
    session.expire_all()
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def _form_of(page: str) -> dict[str, str]:
    form = BeautifulSoup(page, "html.parser").select_one("#item form")
    assert form is not None
    data = {f["name"]: f.get("value", "") for f in form.select("input[name]")}
    data |= {t["name"]: t.text for t in form.select("textarea")}
    for s in form.select("select"):
        chosen = s.select_one("option[selected]") or s.select_one("option")
        data[s["name"]] = chosen.get("value", "") if chosen else ""  # type: ignore[assignment]
    return data  # type: ignore[return-value]


def test_the_select_sits_beside_the_band_and_starts_absolute(session: Session, tiny: Plan) -> None:
    client, _ = _admin(session)
    page = BeautifulSoup(client.get(f"/plans/{tiny.slug}/metrics/new").text, "html.parser")
    label = page.select_one('label[for="metric-tolerance-kind"]')
    assert label is not None and "At-risk band is" in label.text
    options = {o["value"]: o.text for o in page.select("#metric-tolerance-kind option")}
    assert options == {"absolute": "in the metric's unit", "share": "a share of the target (%)"}
    assert page.select_one("#metric-tolerance-kind option[selected]")["value"] == "absolute"  # type: ignore[index]


def test_an_edit_makes_the_band_a_share_of_the_target(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    fcr = _fcr(session)
    data = _form_of(client.get(f"/metrics/{fcr.id}/edit").text)
    answer = client.post(
        f"/metrics/{fcr.id}/edit",
        data=data | {"tolerance": "10", "tolerance_kind": "share"},
        headers=headers | HX,
    )
    assert answer.status_code == 200
    # FCR is judged by "at least 85%": 10% of it is 8.5 points.
    assert "at risk from 76.5%; off track below" in answer.text
    assert (_fcr(session).tolerance, _fcr(session).tolerance_kind) == (10, "share")
    again = _form_of(client.get(f"/metrics/{fcr.id}/edit").text)
    assert again["tolerance_kind"] == "share"


def test_a_new_metric_with_a_share_band(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    data = _form_of(client.get(f"/plans/{tiny.slug}/metrics/new").text) | {
        "code": "SAT",
        "name": "Satisfied residents",
        "unit": "percent",
        "direction": "higher",
        "tolerance": "5",
        "tolerance_kind": "share",
        "target_comparator": "at_least",
        "target_value": "75",
    }
    answer = client.post(f"/plans/{tiny.slug}/metrics/new", data=data, headers=headers | HX)
    assert answer.status_code == 200, answer.text
    made = session.exec(select(Metric).where(Metric.code == "SAT")).one()
    assert made.tolerance_kind == "share"
    page = BeautifulSoup(client.get(f"/metrics/{made.id}/edit").text, "html.parser")
    rule = page.select_one("#rule-sentence")
    assert rule is not None
    assert rule.text == "On track at 75% or more; at risk from 71.25%; off track below."


def test_a_share_above_100_is_named_beside_the_band(session: Session, tiny: Plan) -> None:
    client, headers = _admin(session)
    fcr = _fcr(session)
    data = _form_of(client.get(f"/metrics/{fcr.id}/edit").text)
    answer = client.post(
        f"/metrics/{fcr.id}/edit",
        data=data | {"tolerance": "150", "tolerance_kind": "share"},
        headers=headers | HX,
    )
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    error = soup.select_one("#metric-tolerance-error")
    assert error is not None and "0 to 100" in error.text
    assert (_fcr(session).version, _fcr(session).tolerance_kind) == (1, "absolute")
