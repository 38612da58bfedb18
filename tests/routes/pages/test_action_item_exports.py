"""/action-items.csv and .xlsx (issue 11): the action items the page lists under its status
filter, to the same readers, with typed cells (dates as dates), and text typed like a formula
arriving as text."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import ActionItem, Department, Strategy, User
from app.models.enums import Role
from app.models.sessions import ActionItemCreate, ActionItemUpdate, SessionCreate
from app.services.changes.history import Actor
from app.services.sessions import writes
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client
from tests.routes.pages.test_exports import as_csv, as_xlsx, records, sheet_records

FORMULA = '=HYPERLINK("http://evil.example","Click")'
DONE = "Fix the signage at the desk"
DUE = dt.date(2027, 3, 31)
HELD_ON = dt.date(2026, 11, 2)


@pytest.fixture
def coordinator(session: Session) -> User:
    """Testville's coordinator, whose session raised two action items: one still open (typed
    like a formula, due DUE, linked to 1.1) and one done."""
    make_tiny_plan(session)
    coordinator = make_person(session, "coco", Role.coordinator)
    actor = Actor(user=coordinator)
    held = writes.schedule_session(
        session=session,
        organization_id=coordinator.organization_id,  # type: ignore[arg-type]
        data=SessionCreate(held_on=HELD_ON, title="November review"),
        actor=actor,
    )
    dept = {d.code: d.id for d in session.exec(select(Department))}
    s11 = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    writes.add_action_item(
        session=session,
        held=held,
        data=ActionItemCreate(
            what=FORMULA,
            department_id=dept["CC"],  # type: ignore[arg-type]
            due_on=DUE,
            link_kind="strategy",  # type: ignore[arg-type]
            link_id=s11.id,
        ),
        actor=actor,
    )
    done = writes.add_action_item(
        session=session,
        held=held,
        data=ActionItemCreate(what=DONE, department_id=dept["PW"]),  # type: ignore[arg-type]
        actor=actor,
    )
    writes.update_action_item(
        session=session,
        item=done,
        data=ActionItemUpdate(version=done.version, status="done"),  # type: ignore[arg-type]
        actor=actor,
    )
    session.commit()
    return coordinator


@pytest.fixture
def client(session: Session, coordinator: User) -> TestClient:
    return signed_in_client(session, coordinator)[0]


def test_the_xlsx_has_typed_cells_and_every_column(client: TestClient) -> None:
    book = as_xlsx(client.get("/action-items.xlsx"))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Session",
        "Session date",
        "What",
        "Owner department",
        "Due date",
        "Status",
        "Linked item",
        "Version",
        "Updated (UTC)",
    ]
    rows = {r["What"]: r for r in sheet_records(client.get("/action-items.xlsx"))}
    owed = rows[FORMULA]
    assert owed["Session"] == "November review"
    assert owed["Session date"].date() == HELD_ON  # a date cell (openpyxl reads datetimes)
    assert owed["Due date"].date() == DUE
    assert owed["Owner department"] == "Contact Centre"
    assert owed["Status"] == "Open"
    assert owed["Linked item"] == "Strategy 1.1 Answer in language"
    assert owed["Version"] == 1 and isinstance(owed["Updated (UTC)"], dt.datetime)
    assert rows[DONE]["Due date"] is None and rows[DONE]["Version"] == 2
    due = next(c for c in sheet["E"][1:] if c.value is not None)
    assert due.is_date
    assert sheet.freeze_panes == "A2"


def test_text_typed_like_a_formula_arrives_as_text(client: TestClient) -> None:
    sheet = as_xlsx(client.get("/action-items.xlsx")).worksheets[0]
    cell = next(c for c in sheet["C"][1:] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.value == FORMULA  # a string cell, never a formula
    (row,) = [r for r in records(client.get("/action-items.csv")) if "HYPERLINK" in r["What"]]
    assert row["What"] == "'" + FORMULA
    assert row["Due date"] == DUE.isoformat()


@pytest.mark.parametrize(
    ("status", "listed"),
    [("", {FORMULA, DONE}), ("owed", {FORMULA}), ("done", {DONE}), ("dropped", set())],
)
def test_the_pages_filter_is_honoured(client: TestClient, status: str, listed: set[str]) -> None:
    params = {"status": status} if status else {}
    page = BeautifulSoup(client.get("/action-items", params=params).text, "html.parser")
    on_page = {strong.get_text() for strong in page.select(".action-item strong")}
    assert on_page == listed
    assert {
        r["What"].lstrip("'") for r in records(client.get("/action-items.csv", params=params))
    } == listed
    assert {
        r["What"] for r in sheet_records(client.get("/action-items.xlsx", params=params))
    } == listed


def test_an_unknown_status_is_any_status_as_on_the_page(client: TestClient) -> None:
    assert len(records(client.get("/action-items.csv", params={"status": "nonsense"}))) == 2


def test_the_page_links_its_downloads_with_its_filter(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/action-items?status=owed").text, "html.parser")
    links = {a["href"] for a in page.select(".downloads a")}
    assert links == {"/action-items.csv?status=owed", "/action-items.xlsx?status=owed"}


def test_anonymous_readers_get_what_the_page_gives(session: Session, coordinator: User) -> None:
    client, _ = signed_in_client(session, None)
    page = client.get("/action-items", follow_redirects=False)
    assert page.status_code in (303, 401)
    for fmt in ("csv", "xlsx"):
        answer = client.get(f"/action-items.{fmt}", follow_redirects=False)
        assert answer.status_code == page.status_code
        assert DONE.encode() not in answer.content


def test_another_organisations_people_get_none_of_these(
    session: Session, coordinator: User
) -> None:
    make_tiny_plan(
        session,
        TINY_PLAN.replace(
            "organization: {name: City of Testville, slug: testville}",
            "organization: {name: Town of Otherton, slug: otherton}",
        ).replace("slug: testville-service", "slug: otherton-service"),
    )
    outsider = make_person(session, "otto", "coordinator", organization="otherton")
    client, _ = signed_in_client(session, outsider)
    assert records(client.get("/action-items.csv")) == []
    header, *rows = as_csv(client.get("/action-items.csv"))
    assert header[0] == "Session" and rows == []
    assert session.exec(select(ActionItem)).all()  # there are some: just not theirs
