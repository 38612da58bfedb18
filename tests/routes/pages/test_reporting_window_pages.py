"""A metric's reporting window on every page that judges it: FCR is reported monthly within 30
days, and on 7 December 2026 its newest value is for June 2025, so October's value (due 30
November) is missing: the metric page, the scorecard (and its counts), the review, my work and
the tree API all say stale, with the same reason. And the builder's form saves the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import Metric, Plan
from app.models.enums import Role
from app.services.rules import clock
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
WINDOWED = TINY_PLAN.replace(
    "    department: CC\n    targets:",
    "    department: CC\n    frequency: monthly\n    reporting_window_days: 30\n    targets:",
)
REASON = (
    "no value for October 2026, due 30 November 2026 (monthly, within 30 days); latest: 83% "
    "for June 2025 against a target of at least 85%: 2 points below, within the tolerance of "
    "4.25 points"
)
SENTENCE = (
    "On track at 85% or more; at risk from 80.75%; off track below. Reported monthly, due "
    "within 30 days of each month's end; stale when a value is late."
)


@pytest.fixture
def plan(session: Session, monkeypatch: pytest.MonkeyPatch) -> Plan:
    monkeypatch.setattr(clock, "clock", lambda: NOW)
    made = make_tiny_plan(session, WINDOWED)
    assert _fcr(session).reporting_window_days == 30
    return made


def _fcr(session: Session) -> Metric:
    session.expire_all()
    return session.exec(select(Metric).where(Metric.code == "FCR")).one()


def _page(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def _text(node: Any) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def test_the_metric_page_shows_stale_with_the_reason_and_the_window(
    session: Session, plan: Plan
) -> None:
    client, _ = signed_in_client(session, None)
    soup = _page(client.get(f"/plans/{plan.slug}/scorecard/FCR").text)
    badge = soup.select_one("#metric-page .status")
    assert badge is not None and "status-stale" in badge["class"]
    assert _text(badge) == "Stale"
    assert badge["title"] == REASON
    assert _text(soup.select_one("#metric-rule")) == SENTENCE


def test_without_a_window_the_same_metric_is_judged_as_before(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "clock", lambda: NOW)
    plan = make_tiny_plan(session)
    client, _ = signed_in_client(session, None)
    soup = _page(client.get(f"/plans/{plan.slug}/scorecard/FCR").text)
    assert "status-at_risk" in soup.select_one("#metric-page .status")["class"]  # type: ignore[index]
    assert "Reported" not in _text(soup.select_one("#metric-rule"))


def test_the_scorecard_counts_and_filters_it_as_stale(session: Session, plan: Plan) -> None:
    client, _ = signed_in_client(session, None)
    soup = _page(client.get(f"/plans/{plan.slug}/scorecard?status=stale").text)
    assert "FCR" in _text(soup.find("main"))
    options = {o["value"] for o in soup.select("select[name=status] option")}
    assert "stale" in options
    assert soup.select_one("main .status-stale") is not None
    none = _page(client.get(f"/plans/{plan.slug}/scorecard?status=at_risk").text)
    assert "First call resolution" not in _text(none.find("main"))


def test_the_review_lists_it_with_the_reason(session: Session, plan: Plan) -> None:
    client, _ = signed_in_client(session, make_person(session, "coco", Role.coordinator))
    soup = _page(client.get("/review").text)
    outside = soup.select_one("#metrics-outside-focus-areas")
    assert outside is not None
    assert "First call resolution" in _text(outside)
    assert REASON in _text(outside)
    assert outside.select_one(".status-stale") is not None


def test_my_work_shows_it_stale(session: Session, plan: Plan) -> None:
    lead = make_person(session, "cara", Role.lead, department="CC")
    client, _ = signed_in_client(session, lead)
    soup = _page(client.get("/my-work").text)
    status = soup.select_one(f"#metric-{_fcr(session).id} .metric-status")
    assert status is not None and status.select_one(".status-stale") is not None
    assert REASON in _text(status)


def test_the_tree_api_says_stale_and_carries_the_window(session: Session, plan: Plan) -> None:
    client, _ = signed_in_client(session, None)
    tree = client.get(f"/api/v1/plans/{plan.slug}/tree").json()
    (fcr,) = [m for m in tree["metrics"] if m["code"] == "FCR"]
    assert fcr["reporting_window_days"] == 30
    assert fcr["status"]["code"] == "stale"
    assert fcr["status"]["reason"] == REASON


def _form_of(page: str) -> dict[str, str]:
    form = _page(page).select_one("#item form")
    assert form is not None
    data = {f["name"]: f.get("value", "") for f in form.select("input[name]")}
    data |= {t["name"]: t.text for t in form.select("textarea")}
    for s in form.select("select"):
        chosen = s.select_one("option[selected]") or s.select_one("option")
        data[s["name"]] = chosen.get("value", "") if chosen else ""  # type: ignore[assignment]
    return data  # type: ignore[return-value]


class TestTheForm:
    def test_an_edit_saves_the_window_and_reads_it_back(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        client, csrf = signed_in_client(session, make_person(session, "ada", Role.admin))
        fcr = _fcr(session)
        data = _form_of(client.get(f"/metrics/{fcr.id}/edit").text)
        assert data["reporting_window_days"] == ""
        answer = client.post(
            f"/metrics/{fcr.id}/edit",
            data=data | {"frequency": "quarterly", "reporting_window_days": "45"},
            headers={"X-CSRF-Token": csrf} | HX,
        )
        assert answer.status_code == 200, answer.text
        assert (_fcr(session).frequency, _fcr(session).reporting_window_days) == ("quarterly", 45)
        assert "Reported quarterly, due within 45 days of each quarter's end" in _text(
            _page(answer.text).select_one("#rule-sentence")
        )
        again = _form_of(client.get(f"/metrics/{fcr.id}/edit").text)
        assert again["reporting_window_days"] == "45"
        # Blank clears it: never late again.
        cleared = client.post(
            f"/metrics/{fcr.id}/edit",
            data=again | {"reporting_window_days": ""},
            headers={"X-CSRF-Token": csrf} | HX,
        )
        assert cleared.status_code == 200
        assert _fcr(session).reporting_window_days is None
        assert plan.slug

    @pytest.mark.parametrize("typed", ["400", "-1", "2.5", "a month"])
    def test_a_bad_window_is_named_beside_the_field_and_saves_nothing(
        self, session: Session, typed: str
    ) -> None:
        make_tiny_plan(session)
        client, csrf = signed_in_client(session, make_person(session, "ada", Role.admin))
        fcr = _fcr(session)
        data = _form_of(client.get(f"/metrics/{fcr.id}/edit").text)
        answer = client.post(
            f"/metrics/{fcr.id}/edit",
            data=data | {"reporting_window_days": typed},
            headers={"X-CSRF-Token": csrf} | HX,
        )
        assert answer.status_code == 422
        soup = _page(answer.text)
        error = soup.select_one("#metric-reporting-window-error")
        assert error is not None and error.get_text().strip()
        field = soup.select_one("#metric-reporting-window")
        assert field is not None and field["aria-describedby"] == "metric-reporting-window-error"
        assert (_fcr(session).version, _fcr(session).reporting_window_days) == (1, None)

    def test_a_new_metric_with_a_window(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        client, csrf = signed_in_client(session, make_person(session, "ada", Role.admin))
        data = _form_of(client.get(f"/plans/{plan.slug}/metrics/new").text) | {
            "code": "SAT",
            "name": "Satisfied residents",
            "unit": "percent",
            "direction": "higher",
            "frequency": "monthly",
            "reporting_window_days": "30",
            "target_comparator": "at_least",
            "target_value": "75",
        }
        answer = client.post(
            f"/plans/{plan.slug}/metrics/new", data=data, headers={"X-CSRF-Token": csrf} | HX
        )
        assert answer.status_code == 200, answer.text
        made = session.exec(select(Metric).where(Metric.code == "SAT")).one()
        assert made.reporting_window_days == 30
