"""The plan builder's quick win pages: add one, edit it, archive and restore; refusals save
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from app.models import Department, HistoryEntry, Plan, QuickWin
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


def _client(
    session: Session, role: str = "admin", dept: str | None = None
) -> tuple[Any, dict[str, str]]:
    client, csrf = signed_in_client(
        session, make_person(session, f"{role}-x", role, department=dept)
    )
    return client, {"X-CSRF-Token": csrf}


def _quick_win(session: Session, number: int) -> QuickWin:
    session.expire_all()
    return session.exec(select(QuickWin).where(QuickWin.number == number)).one()


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(QuickWin)).one(),
        session.exec(select(func.count()).select_from(HistoryEntry)).one(),
    )


def _dept(session: Session, code: str) -> int:
    return session.exec(select(Department.id).where(Department.code == code)).one()  # type: ignore[return-value]


def test_a_lead_adds_a_quick_win_for_their_department_and_it_is_on_the_board(
    session: Session, tiny: Plan
) -> None:
    client, headers = _client(session, "lead", "CC")
    page = BeautifulSoup(client.get(f"/plans/{tiny.slug}/quick-wins/new").text, "html.parser")
    number = page.select_one("#qw-number")
    assert number is not None and number["value"] == "3"  # after the plan's two
    answer = client.post(
        f"/plans/{tiny.slug}/quick-wins/new",
        data={
            "number": "3",
            "issue_category": "Wait times",
            "summary": "Call-back option at peak hours.",
            "service_areas": "Contact Centre\n311\n",
            "category": "process",
            "status": "planned",
            "department_id": str(_dept(session, "CC")),
        },
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    made = _quick_win(session, 3)
    assert made.service_areas == ["Contact Centre", "311"]
    assert "Call-back option at peak hours." in client.get(f"/plans/{tiny.slug}/quick-wins").text


def test_a_lead_cannot_add_one_for_another_department(session: Session, tiny: Plan) -> None:
    client, headers = _client(session, "lead", "CC")
    before = _counts(session)
    answer = client.post(
        f"/plans/{tiny.slug}/quick-wins/new",
        data={"number": "3", "summary": "x", "department_id": str(_dept(session, "PW"))},
        headers=headers | HX,
    )
    assert answer.status_code == 403
    assert _counts(session) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("number", "1", "already exists"),
        ("number", "three", "whole number"),
        ("department_id", "999999", "No such department"),
    ],
)
def test_bad_input_is_named_beside_its_field(
    session: Session, tiny: Plan, field: str, value: str, message: str
) -> None:
    client, headers = _client(session)
    before = _counts(session)
    data = {"number": "3", "summary": "x", field: value}
    answer = client.post(f"/plans/{tiny.slug}/quick-wins/new", data=data, headers=headers | HX)
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    error = soup.select_one(".field-error")
    assert error is not None and message in error.text
    assert soup.select_one(f'[name="{field}"]')["aria-describedby"] == error["id"]  # type: ignore[index]
    assert _counts(session) == before


def test_edit_stale_edit_and_archive(session: Session, tiny: Plan) -> None:
    client, headers = _client(session)
    qw = _quick_win(session, 1)
    data = {
        "version": "1",
        "summary": "Spanish chat all day.",
        "issue_category": "Language Access",
        "customer_issue": qw.customer_issue,
        "service_areas": "Contact Centre",
        "category": "people",
        "department_id": str(qw.department_id),
    }
    saved = client.post(f"/quick-wins/{qw.id}/edit", data=data, headers=headers | HX)
    assert saved.status_code == 200 and "Saved." in saved.text
    assert _quick_win(session, 1).summary == "Spanish chat all day."
    stale = client.post(
        f"/quick-wins/{qw.id}/edit", data=data | {"summary": "Mine"}, headers=headers | HX
    )
    assert stale.status_code == 409 and "Spanish chat all day." in stale.text
    assert _quick_win(session, 1).summary == "Spanish chat all day."
    archived = client.post(
        f"/quick-wins/{qw.id}/archive", data={"version": "2"}, headers=headers | HX
    )
    assert archived.status_code == 200
    assert _quick_win(session, 1).archived_at is not None
    restored = client.post(
        f"/quick-wins/{qw.id}/restore", data={"version": "3"}, headers=headers | HX
    )
    assert restored.status_code == 200 and _quick_win(session, 1).archived_at is None


def test_a_viewer_is_refused(session: Session, tiny: Plan) -> None:
    client, headers = _client(session, "viewer")
    qw = _quick_win(session, 1)
    assert client.get(f"/quick-wins/{qw.id}/edit").status_code == 403
    assert client.get(f"/plans/{tiny.slug}/quick-wins/new").status_code == 403
    before = _counts(session)
    answer = client.post(
        f"/quick-wins/{qw.id}/archive", data={"version": "1"}, headers=headers | HX
    )
    assert answer.status_code == 403
    assert _counts(session) == before
