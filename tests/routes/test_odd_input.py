"""Inputs an attack run found answering 500, each now answered for what it is.

- Unicode digits and huge numbers where a page reads a number: '²'.isdigit() is true and
  int('²') fails; int() refuses 5,000 digits; a number past the database's integers failed in it.
- JSON nested 100,000 deep around a NUL, posted anywhere: the NUL guard's json.loads overflowed
  the stack.
- Dates at the ends of the calendar: the arithmetic a filter needs overflowed.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import FocusArea, Plan, QuickWin, Strategy, User
from tests.factories import make_person, make_tiny_plan, signed_in_client

SCORECARD = "/plans/testville-service/scorecard"
BOARD = "/plans/testville-service/quick-wins"
# Every one of these passes str.isdigit() or looks like an id; none is a usable one.
ODD_NUMBERS = ["²", "٣", "５", "9" * 5000, str(2**31), "-1", "0", "1e3", " "]
DEEP_NUL = "[" * 100_000 + '"\\u0000"' + "]" * 100_000


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


def person(session: Session, username: str, role: str, department: str | None = None) -> User:
    return make_person(session, username, role, department=department)


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_an_odd_page_number_is_the_first_page(session: Session, plan: Plan, number: str) -> None:
    anonymous, _ = signed_in_client(session, None)
    admin, _ = signed_in_client(session, person(session, f"a{len(number)}", "admin"))
    lead, _ = signed_in_client(session, person(session, f"l{len(number)}", "lead", "CC"))
    for client, url in (
        (anonymous, f"{SCORECARD}?page={number}"),
        (admin, f"/activity?page={number}"),
        (admin, f"/activity?person={number}"),
        (admin, f"/my-work?department=CC&page={number}"),
        (lead, f"/my-work?page={number}"),
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        first = client.get(url.replace(f"={number}", "=" if "person" in url else "=1"))
        assert answer.text == first.text, f"{url} is not the unfiltered first page"


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_an_odd_quick_win_id_is_not_found(session: Session, plan: Plan, number: str) -> None:
    item = session.exec(select(QuickWin).where(QuickWin.number == 1)).one()
    client, csrf = signed_in_client(session, person(session, "cc-lead", "lead", "CC"))
    answer = client.post(
        BOARD,
        data={"quick_win_id": number, "version": str(item.version), "status": "complete"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 404
    assert "No quick win" in answer.text
    session.expire_all()
    assert session.get(QuickWin, item.id).status == item.status  # type: ignore[union-attr]


@pytest.mark.parametrize("number", ODD_NUMBERS[:-1])
def test_an_odd_department_on_the_admin_forms_is_an_inline_message(
    session: Session, plan: Plan, number: str
) -> None:
    admin, csrf = signed_in_client(session, person(session, "root", "admin"))
    target = person(session, "vic", "viewer")
    created = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "newcomer",
            "role": "lead",
            "department": number,
            "password": "a long enough one",
        },
    )
    changed = admin.post(
        f"/admin/users/{target.id}/role",
        data={"csrf_token": csrf, "role": "lead", "department": number},
    )
    for answer in (created, changed):
        assert answer.status_code == 422
        assert "Choose a department from the list." in answer.text
    session.expire_all()
    assert session.exec(select(User).where(User.username == "newcomer")).first() is None
    assert session.get(User, target.id).role == "viewer"  # type: ignore[union-attr]


def test_json_nested_100000_deep_around_a_nul_is_refused_not_a_500(
    session: Session, plan: Plan
) -> None:
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    anonymous, _ = signed_in_client(session, None)
    for url in ("/login", "/logout", f"/my-work/strategies/{strategy.id}/progress"):
        answer = anonymous.post(url, content=DEEP_NUL, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, url
        assert "nested too deeply" in answer.text
    api = anonymous.post(
        f"/api/v1/strategies/{strategy.id}/progress",
        content=DEEP_NUL,
        headers={"Content-Type": "application/json"},
    )
    # FastAPI reads an API route's body before any dependency, and refuses what it cannot read.
    assert api.status_code == 400
    assert api.json()["error"]["message"] == "There was an error parsing the body"


@pytest.mark.parametrize(
    "since",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01",
        "9999-12-31",
        "1899-12-31T23:59:59Z",
        "2201-01-01T00:00:00",
    ],
)
def test_history_since_outside_1900_to_2200_is_a_422_naming_it(
    session: Session, plan: Plan, since: str
) -> None:
    client, _ = signed_in_client(session, person(session, "vic", "viewer"))
    answer = client.get("/api/v1/history", params={"since": since})
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"] == [
        {"field": "since", "message": "Value error, must lie between 1900-01-01 and 2200-12-31"}
    ]


def test_history_since_at_the_ends_of_the_window_is_answered(session: Session, plan: Plan) -> None:
    client, _ = signed_in_client(session, person(session, "vic", "viewer"))
    for since in ("1900-01-01T00:00:00+14:00", "2200-12-31T23:59:59-14:00"):
        answer = client.get("/api/v1/history", params={"since": since})
        assert answer.status_code == 200, since
    assert client.get("/api/v1/history", params={"since": "1900-01-01"}).json()["items"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("to=9999-12-31", "to"), ("from=0001-01-01", "from"), ("to=1899-12-31", "to")],
)
def test_an_activity_date_outside_the_window_is_an_inline_message(
    session: Session, plan: Plan, query: str, field: str
) -> None:
    client, _ = signed_in_client(session, person(session, "root", "admin"))
    answer = client.get(f"/activity?{query}")
    assert answer.status_code == 200
    assert "Enter a date from 1900-01-01 to 2200-12-31; this filter was not applied." in (
        answer.text
    )
    assert 'aria-invalid="true"' in answer.text
    assert f'id="filter-{field}-error" role="alert">Enter a date from 1900' in answer.text


def test_a_review_since_before_1900_falls_back_with_a_message(session: Session, plan: Plan) -> None:
    focus_area = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
    client, _ = signed_in_client(session, person(session, "carla", "coordinator"))
    for url in (
        "/review?since=0001-01-01",
        f"/review/focus-areas/{focus_area.id}?since=1899-12-31",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "Enter a date from 1900-01-01 on." in answer.text, url
