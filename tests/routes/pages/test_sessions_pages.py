"""/sessions and /action-items: a coordinator schedules a session, records its outcomes and
closes it; the owner department's lead sees the action item in My work and updates it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.models import ActionItem, Department, PerformanceSession, Plan, Strategy, User
from app.models.enums import Role
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from tests.factories import make_person, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def coordinator(session: Session, plan: Plan) -> User:
    return make_person(session, "coco", Role.coordinator)


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def _post(client, csrf: str, url: str, form: dict, **kw):  # type: ignore[no-untyped-def]
    return client.post(
        url,
        data=form,
        headers={"X-CSRF-Token": csrf, **kw.pop("headers", {})},
        follow_redirects=False,
    )


def _cc(session: Session) -> int:
    return session.exec(select(Department.id).where(Department.code == "CC")).one()  # type: ignore[return-value]


def test_the_whole_loop_in_the_browser(session: Session, plan: Plan, coordinator: User) -> None:
    client, csrf = signed_in_client(session, coordinator)
    home = client.get("/sessions")
    assert home.status_code == 200 and 'href="/sessions"' in home.text  # in the main navigation
    assert client.get("/sessions/new").status_code == 200
    today = dt.date.today().isoformat()
    made = _post(
        client,
        csrf,
        "/sessions",
        {"organization": "testville", "title": "Council prep", "held_on": today},
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    held_id = int(url.rsplit("/", 1)[1])
    page = client.get(url)
    assert page.status_code == 200
    shown = _text(page.text)
    assert "Agenda" in shown and "Access" in shown and "Scheduled" in shown
    # A decision and an action item for Contact Centre (htmx gets the outcomes block).
    answer = _post(client, csrf, f"{url}/decisions", {"text": "Fund chat"}, headers=HX)
    assert answer.status_code == 200 and "Fund chat" in answer.text and "<html" not in answer.text
    answer = _post(
        client,
        csrf,
        f"{url}/action-items",
        {"what": "Staff the chat desk", "department_id": str(_cc(session))},
    )
    assert answer.status_code == 303
    # The lead of Contact Centre finds it in My work and marks it done.
    session.expire_all()
    lead = make_person(session, "cara", Role.lead, department="CC")
    lead_client, lead_csrf = signed_in_client(session, lead)
    my_work = lead_client.get("/my-work")
    assert "Staff the chat desk" in my_work.text
    item = session.exec(select(ActionItem)).one()
    session.expire_all()
    moved = _post(
        lead_client,
        lead_csrf,
        f"/action-items/{item.id}/status",
        {"version": "1", "status": "done", "back": "my-work"},
    )
    assert moved.status_code == 303
    assert "Staff the chat desk" not in lead_client.get("/my-work").text  # done: off My work
    # Close: the pack is frozen, and later changes to the plan do not reach it.
    session.expire_all()
    held = session.get(PerformanceSession, held_id)
    assert held is not None
    closed = _post(client, csrf, f"{url}/close", {"version": str(held.version)})
    assert closed.status_code == 303, closed.text
    before = client.get(url).text
    assert "Closed" in _text(before)
    session.expire_all()
    s12 = session.exec(select(Strategy).where(Strategy.code == "1.2")).one()
    record_strategy_progress(
        session=session,
        strategy=s12,
        data=ProgressUpdateIn(version=s12.version, status="off_track", narrative="Crews short"),
        actor=Actor(user=coordinator),
    )
    session.commit()
    after = client.get(url).text
    agenda = lambda html: re.search(r'<section id="agenda".*?</section>', html, re.S).group(0)  # noqa: E731
    assert agenda(after) == agenda(before)
    assert "Crews short" not in after


def test_a_refused_post_shows_the_message_beside_its_field(
    session: Session, plan: Plan, coordinator: User
) -> None:
    client, csrf = signed_in_client(session, coordinator)
    answer = _post(
        client, csrf, "/sessions", {"organization": "testville", "title": "", "held_on": "soon"}
    )
    assert answer.status_code == 422
    soup = BeautifulSoup(answer.text, "html.parser")
    for field in ("title", "held_on"):
        field_input = soup.find(id=f"session-{field}")
        assert (
            field_input is not None and field_input["aria-describedby"] == f"session-{field}-error"
        )
        assert soup.find(id=f"session-{field}-error") is not None
    assert session.exec(select(PerformanceSession)).first() is None
    session.expire_all()
    made = _post(
        client,
        csrf,
        "/sessions",
        {"organization": "testville", "title": "T", "held_on": "2025-03-01"},
    )
    url = made.headers["location"]
    refused = _post(client, csrf, f"{url}/action-items", {"what": "", "department_id": ""})
    assert refused.status_code == 422
    soup = BeautifulSoup(refused.text, "html.parser")
    assert soup.find(id="action-what-error") is not None
    session.expire_all()
    assert session.exec(select(ActionItem)).first() is None


def test_viewers_and_leads_cannot_schedule(session: Session, plan: Plan) -> None:
    for who in (
        make_person(session, "vic", Role.viewer),
        make_person(session, "cara", Role.lead, department="CC"),
    ):
        client, csrf = signed_in_client(session, who)
        answer = _post(
            client,
            csrf,
            "/sessions",
            {"organization": "testville", "title": "T", "held_on": "2025-03-01"},
        )
        assert answer.status_code == 403
        assert 'href="/sessions"' not in client.get("/plans").text
    assert session.exec(select(PerformanceSession)).first() is None


def test_action_items_page_filters_by_status(
    session: Session, plan: Plan, coordinator: User
) -> None:
    client, csrf = signed_in_client(session, coordinator)
    made = _post(
        client,
        csrf,
        "/sessions",
        {"organization": "testville", "title": "T", "held_on": "2025-03-01"},
    )
    url = made.headers["location"]
    for what in ("First thing", "Second thing"):
        _post(
            client, csrf, f"{url}/action-items", {"what": what, "department_id": str(_cc(session))}
        )
    session.expire_all()
    first = session.exec(select(ActionItem).where(ActionItem.what == "First thing")).one()
    session.expire_all()
    answer = _post(
        client,
        csrf,
        f"/action-items/{first.id}/status",
        {"version": "1", "status": "done"},
        headers=HX,
    )
    assert answer.status_code == 200 and f'id="action-item-{first.id}"' in answer.text
    owed = _text(client.get("/action-items?status=owed").text)
    assert "Second thing" in owed and "First thing" not in owed
    done = _text(client.get("/action-items?status=done").text)
    assert "First thing" in done and "Second thing" not in done
    stale = _post(
        client,
        csrf,
        f"/action-items/{first.id}/status",
        {"version": "1", "status": "open"},
        headers=HX,
    )
    assert stale.status_code == 409
