"""More read pages kept in memory (issue 14): My work, the activity feed, a plan's search and its
quick wins board. A write through a page or the API is on the very next read; a person never gets
another's My work; a reader never gets another class's body; a one-time notice is never kept;
time alone (a new day where the organisation is) ends a kept page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import FocusArea, Metric, Organization, QuickWin, Strategy, User
from app.models.enums import Role
from app.routes import cached_pages
from app.services.accounts import api_tokens
from app.services.rules import clock
from app.services.rules.local_time import day_start, local_date
from tests.factories import (
    TINY_PLAN,
    app_under_test,
    make_person,
    make_tiny_plan,
    signed_in_client,
)
from tests.routes.pages.test_page_cache import statements

PLAN = "/plans/testville-service"
BOARD = f"{PLAN}/quick-wins"
SETTINGS = "/organizations/testville/settings"
# BEGIN, the reader's session and user, their department, the stamp (a kept My work).
MY_WORK_HIT = 6
Client = tuple[TestClient, str]


@pytest.fixture(autouse=True)
def plan(session: Session) -> None:
    make_tiny_plan(session)


def person(session: Session, name: str, role: Role, **kw: Any) -> Client:
    """A signed-in client (after ending the test's read: the app may have written since)."""
    user = make_person(session, name, role, **kw)
    session.expire_all()
    return signed_in_client(session, user)


def post(who: Client, url: str, **data: str) -> None:
    client, csrf = who
    answer = client.post(url, data={**data, "csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def fresh(client: TestClient, path: str, **headers: str) -> str:
    """What the app renders for `path` with nothing kept."""
    cached_pages.forget_all()
    return client.get(path, headers=headers).text


def api_as(session: Session, user: User) -> TestClient:
    _, token = api_tokens.create_api_token(session=session, user=user, name="t")
    session.commit()
    return TestClient(app_under_test(), headers={"Authorization": f"Bearer {token}"})


def row(session: Session, model: Any, **where: Any) -> Any:
    session.expire_all()
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.exec(query).one()


def measure(api: TestClient, session: Session, value: int) -> None:
    fcr = row(session, Metric, code="FCR")
    answer = api.post(
        f"/api/v1/metrics/{fcr.id}/measurements", json={"period": "2026-09-01", "value": value}
    )
    assert answer.status_code == 201, answer.text


# --- My work -------------------------------------------------------------------------------------


def test_my_work_shows_each_write_on_the_next_read(session: Session) -> None:
    lead = person(session, "cara-lead", Role.lead, department="CC")
    coordinator = person(session, "coco-ordinator", Role.coordinator)
    admin = person(session, "ada-admin", Role.admin)
    api = api_as(session, row(session, User, username="coco-ordinator"))
    first = lead[0].get("/my-work").text
    status, count, again = statements(lead[0], "/my-work")
    assert status == 200 and count <= MY_WORK_HIT and again == first  # kept

    # An update request through the strategy page: on the lead's very next read.
    s11 = row(session, Strategy, code="1.1")
    post(coordinator, f"/update-requests/for/strategy/{s11.id}", message="Where is hiring?")
    asked = lead[0].get("/my-work").text
    assert "Where is hiring?" in asked and asked == fresh(lead[0], "/my-work")

    # The organisation's time zone through its settings page: its moments read anew.
    org = row(session, Organization, slug="testville")
    post(admin, SETTINGS, version=str(org.version), time_zone="America/Los_Angeles")
    zoned = lead[0].get("/my-work").text
    assert zoned != asked and " PS" in zoned and zoned == fresh(lead[0], "/my-work")

    # The lead's own progress update answers the request.
    s11 = row(session, Strategy, code="1.1")
    post(
        lead,
        f"/my-work/strategies/{s11.id}/progress",
        version=str(s11.version), status="on_track", progress="", narrative="Hired", note="",
    )  # fmt: skip
    answered = lead[0].get("/my-work").text
    assert "Where is hiring?" not in answered and answered == fresh(lead[0], "/my-work")

    # A value through the API, and a quick win moved on its board.
    measure(api, session, 87)
    valued = lead[0].get("/my-work").text
    assert valued != answered and valued == fresh(lead[0], "/my-work")
    qw = row(session, QuickWin, number=1)
    post(coordinator, BOARD, quick_win_id=str(qw.id), version=str(qw.version), status="complete")
    moved = lead[0].get("/my-work").text
    assert moved != valued and moved == fresh(lead[0], "/my-work")


def test_a_person_never_gets_another_persons_my_work(session: Session) -> None:
    cara = person(session, "cara-lead", Role.lead, department="CC")
    cleo = person(session, "cleo-lead", Role.lead, department="CC")  # the same department
    pete = person(session, "pete-lead", Role.lead, department="PW")
    coco = person(session, "coco-ordinator", Role.coordinator)
    first = cara[0].get("/my-work").text
    assert "Answer in language" in first and cara[1] in first and "Cara Lead" in first
    for (client, csrf), name in ((cleo, "Cleo Lead"), (coco, "Coco Ordinator")):
        path = "/my-work" if client is cleo[0] else "/my-work?department=CC"
        body = client.get(path).text
        assert "Answer in language" in body and csrf in body and name in body, name
        assert cara[1] not in body and "Cara Lead" not in body, name
        assert body == fresh(client, path)
    theirs = pete[0].get("/my-work").text
    assert "Fix potholes faster" in theirs and "Answer in language" not in theirs
    assert cara[1] not in theirs and "Cara Lead" not in theirs
    again = cara[0].get("/my-work").text  # the first one's, kept: still theirs
    assert again == first


def test_a_saved_notice_is_shown_once_and_never_kept(session: Session) -> None:
    lead = person(session, "cara-lead", Role.lead, department="CC")
    coordinator = person(session, "coco-ordinator", Role.coordinator)
    s11 = row(session, Strategy, code="1.1")
    lead[0].get("/my-work")
    kept = len(cached_pages.page_cache())
    saved = lead[0].get(f"/my-work?saved=strategy-{s11.id}").text
    assert "Saved." in saved and len(cached_pages.page_cache()) == kept
    qw = row(session, QuickWin, number=1)
    board = coordinator[0].get(f"{BOARD}?saved=quick-win-{qw.id}").text
    assert "Saved." in board and len(cached_pages.page_cache()) == kept


def test_a_new_day_where_the_organisation_is_ends_a_kept_my_work(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Due and overdue count the organisation's days; its midnight falls on a quarter hour (in
    Kathmandu, UTC+5:45, at a quarter past the hour in UTC), where every kept page ends."""
    org = row(session, Organization, slug="testville")
    org.time_zone = "Asia/Kathmandu"
    session.add(org)
    session.commit()
    midnight = day_start(
        local_date(clock.clock(), org.time_zone) + dt.timedelta(days=1), org.time_zone
    )
    assert midnight.minute == 15
    monkeypatch.setattr(clock, "clock", lambda: midnight - dt.timedelta(seconds=1))
    # Signed in at that moment: up to a day ahead, a session begun now would have lapsed.
    lead = person(session, "cara-lead", Role.lead, department="CC")
    before = lead[0].get("/my-work").text
    assert "overdue" in before
    monkeypatch.setattr(clock, "clock", lambda: midnight + dt.timedelta(seconds=1))
    after = lead[0].get("/my-work").text
    assert after != before and after == fresh(lead[0], "/my-work")


def test_an_installation_administrator_of_no_organisation_reads_my_work_anew(
    session: Session,
) -> None:
    """Their choice of departments holds every organisation's: no one organisation's stamp
    covers it, so their My work is made anew each time."""
    root = User(username="root", role=Role.admin, is_installation_admin=True)
    session.add(root)
    session.commit()
    session.expire_all()
    client, _ = signed_in_client(session, root)
    path = "/my-work?organization=testville&department=CC"
    assert "Answer in language" in client.get(path).text
    other = TINY_PLAN.replace("City of Testville, slug: testville", "Othertown, slug: othertown")
    make_tiny_plan(session, other.replace("testville-service", "othertown-service"))
    body = client.get(path).text
    assert "Othertown" in body and body == fresh(client, path)


# --- activity ------------------------------------------------------------------------------------


def test_the_activity_feed_shows_each_write_on_the_next_read(session: Session) -> None:
    coordinator = person(session, "coco-ordinator", Role.coordinator)
    admin = person(session, "ada-admin", Role.admin)
    viewer = person(session, "vic-viewer", Role.viewer)
    api = api_as(session, row(session, User, username="coco-ordinator"))
    paths = ("/activity", "/activity?kind=measurement", "/activity?plan=testville-service")
    before = {path: coordinator[0].get(path).text for path in paths}
    admin[0].get("/activity")
    measure(api, session, 64)
    for path in paths:
        body = coordinator[0].get(path).text
        assert body != before[path] and body == fresh(coordinator[0], path), path

    # An account change (no plan's): the administrator reads it; the coordinator reads only the
    # new name in the filter's list of people, never the entry.
    renamed = viewer[0].patch(
        "/api/v1/account",
        json={"display_name": "Vic Renamed", "version": 1},
        headers={"X-CSRF-Token": viewer[1]},
    )
    assert renamed.status_code == 200, renamed.text
    theirs = admin[0].get("/activity").text
    assert "User vic-viewer" in theirs and theirs == fresh(admin[0], "/activity")
    mine = coordinator[0].get("/activity").text
    assert "Vic Renamed" in mine and "User vic-viewer" not in mine
    assert mine == fresh(coordinator[0], "/activity")


def test_an_installation_administrator_reads_every_organisations_activity_anew(
    session: Session,
) -> None:
    root = User(username="root", role=Role.admin, is_installation_admin=True)
    session.add(root)
    session.commit()
    session.expire_all()
    client, _ = signed_in_client(session, root)
    client.get("/activity")
    api = api_as(session, make_person(session, "coco-ordinator", Role.coordinator))
    measure(api, session, 55)
    assert "55" in client.get("/activity?kind=measurement").text
    body = client.get("/activity").text
    assert body == fresh(client, "/activity")


# --- search and the quick wins board -------------------------------------------------------------


def test_a_search_sees_a_write_on_the_next_read_and_the_public_never_the_narratives(
    session: Session,
) -> None:
    coordinator = person(session, "coco-ordinator", Role.coordinator)
    lead = person(session, "pete-lead", Role.lead, department="PW")
    api = api_as(session, row(session, User, username="coco-ordinator"))
    anonymous = TestClient(app_under_test())
    secret = f"{PLAN}/search?q=behind+the+scenes"
    renamed = f"{PLAN}/search?q=kept+pages"
    for client in (coordinator[0], anonymous):  # both kept, before the writes
        assert "Crews trained" not in client.get(secret).text
        assert "Kept pages see this" not in client.get(renamed).text
    s12 = row(session, Strategy, code="1.2")
    post(
        lead,
        f"/my-work/strategies/{s12.id}/progress",
        version=str(s12.version), status="on_track", progress="",
        narrative="Crews trained behind the scenes", note="",
    )  # fmt: skip
    staff = coordinator[0].get(secret).text
    assert "Crews trained" in staff and staff == fresh(coordinator[0], secret)
    public = anonymous.get(secret).text  # after the staff's read: the public's own
    assert "Crews trained" not in public and "Sign out" not in public
    assert coordinator[1] not in public and public == fresh(anonymous, secret)

    area = row(session, FocusArea, code="1")
    answer = api.patch(
        f"/api/v1/focus-areas/{area.id}", json={"title": "Kept pages see this", "version": 1}
    )
    assert answer.status_code == 200, answer.text
    for client in (coordinator[0], anonymous):
        body = client.get(renamed).text
        assert "Kept pages see this" in body and body == fresh(client, renamed)


def test_the_quick_wins_board_sees_a_write_on_the_next_read_by_every_class(
    session: Session,
) -> None:
    coordinator = person(session, "coco-ordinator", Role.coordinator)
    viewer = person(session, "vic-viewer", Role.viewer)
    api = api_as(session, row(session, User, username="coco-ordinator"))
    anonymous = TestClient(app_under_test())
    readers = (coordinator[0], viewer[0], anonymous)
    paths = (BOARD, f"{BOARD}?by=category")
    before = {(n, p): c.get(p).text for n, c in enumerate(readers) for p in paths}
    qw = row(session, QuickWin, number=1)
    post(coordinator, BOARD, quick_win_id=str(qw.id), version=str(qw.version), status="complete")
    moved = {(n, p): c.get(p).text for n, c in enumerate(readers) for p in paths}
    for (n, path), body in moved.items():
        assert body != before[n, path] and body == fresh(readers[n], path), (n, path)
    assert coordinator[1] not in moved[2, BOARD] and "Sign out" not in moved[2, BOARD]
    qw = row(session, QuickWin, number=1)
    answer = api.post(
        f"/api/v1/quick-wins/{qw.id}/progress",
        json={
            "version": qw.version,
            "status": "in_progress",
            "narrative": "Back behind the scenes",
        },
    )
    assert answer.status_code == 200, answer.text
    for n, client in enumerate(readers):
        body = client.get(BOARD).text
        assert body != moved[n, BOARD] and body == fresh(client, BOARD), n
        assert ("Back behind the scenes" in body) == (n != 2), n
