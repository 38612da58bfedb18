"""Read pages kept in memory (issue 14): a write is seen on the very next read, no reader gets
another's page or CSRF token, conditional requests, the byte bound, and time alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.db import get_engine
from app.models import Strategy, User
from app.models.enums import Role
from app.routes import cached_pages
from app.services.accounts import api_tokens
from app.services.rules import clock
from app.settings import get_settings
from tests.factories import app_under_test, make_person, make_tiny_plan, signed_in_client
from tests.routes.api.conftest import People

PLAN = "/plans/testville-service"
PLAN_PAGES = (PLAN, f"{PLAN}/roadmap", f"{PLAN}/scorecard", "/api/v1/plans/testville-service/tree")
REVIEW = "/review"
# Only the organisation sees the metric's note and the strategies' narratives.
INTERNAL_WORDS = "Crews trained behind the scenes"


@pytest.fixture
def people(session: Session) -> People:
    make_tiny_plan(session)
    return People(
        admin=make_person(session, "ada-admin", Role.admin),
        cc_lead=make_person(session, "cara-lead", Role.lead, department="CC"),
        pw_lead=make_person(session, "pete-lead", Role.lead, department="PW"),
        coordinator=make_person(session, "coco-ordinator", Role.coordinator),
        viewer=make_person(session, "vic-viewer", Role.viewer),
    )


def statements(client: TestClient, path: str, **headers: str) -> tuple[int, int, str]:
    """(status, SQL statements the request issued, body)."""
    count = 0

    def tally(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(get_engine(), "before_cursor_execute", tally)
    try:
        answer = client.get(path, headers=headers)
    finally:
        event.remove(get_engine(), "before_cursor_execute", tally)
    return answer.status_code, count, answer.text


def client_of(session: Session, user: User | None) -> tuple[TestClient, str]:
    """signed_in_client, after ending the test session's read (its snapshot may predate a write
    the app made, and SQLite refuses a write from a stale snapshot)."""
    session.expire_all()
    return signed_in_client(session, user)


def fresh(client: TestClient, path: str) -> str:
    """What the app renders for `path` with nothing kept."""
    cached_pages.forget_all()
    return client.get(path).text


def progress(client: TestClient, csrf: str, strategy_id: int, version: int, status: str) -> None:
    answer = client.post(
        f"/my-work/strategies/{strategy_id}/progress",
        data={
            "version": str(version),
            "status": status,
            "progress": "40",
            "narrative": INTERNAL_WORDS,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def strategy(session: Session, code: str) -> Strategy:
    session.expire_all()
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


# BEGIN, the reader's session and user (none when anonymous), the plan, the stamp.
HIT_STATEMENTS = 5
READERS = ("anonymous", "viewer", "coordinator", "admin")


def reader_of(session: Session, people: People, who: str) -> User | None:
    return None if who == "anonymous" else getattr(people, who)


@pytest.mark.parametrize("who", READERS)
def test_a_write_through_a_page_or_the_api_is_on_the_next_read_of_every_page(
    session: Session, people: People, who: str
) -> None:
    _, token = api_tokens.create_api_token(session=session, user=people.cc_lead, name="t")
    session.commit()
    api = TestClient(app_under_test())
    reader, _ = client_of(session, reader_of(session, people, who))
    pages = PLAN_PAGES + ((REVIEW,) if who in ("coordinator", "admin") else ())
    before = {path: reader.get(path).text for path in pages}
    for path in pages:  # read again, unchanged: from memory, after a few small statements
        status, count, body = statements(reader, path)
        assert status == 200 and count <= HIT_STATEMENTS and body == before[path], path

    lead, csrf = client_of(session, people.pw_lead)
    progress(lead, csrf, strategy(session, "1.2").id, 1, "off_track")  # through a page
    after_page = {path: reader.get(path).text for path in pages}
    for path in pages:
        assert after_page[path] == fresh(reader, path), path
    for path in (PLAN, f"{PLAN}/roadmap", "/api/v1/plans/testville-service/tree"):
        assert after_page[path] != before[path], path

    fcr = reader.get("/api/v1/plans/testville-service/tree").json()["metrics"][0]["id"]
    recorded = api.post(
        f"/api/v1/metrics/{fcr}/measurements",
        json={"period": "2025-07-01", "value": 91},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert recorded.status_code == 201, recorded.text  # through the API
    for path in pages:
        body = reader.get(path).text
        assert body == fresh(reader, path), path
    assert "91" in reader.get(f"{PLAN}/scorecard").text


def test_an_anonymous_reader_after_staff_gets_the_public_page(
    session: Session, people: People
) -> None:
    lead, csrf = client_of(session, people.pw_lead)
    progress(lead, csrf, strategy(session, "1.2").id, 1, "on_track")
    staff, staff_csrf = client_of(session, people.coordinator)
    for path in PLAN_PAGES:
        staff.get(path)
    staff_roadmap = staff.get(f"{PLAN}/roadmap").text
    assert staff_csrf in staff_roadmap and "Coco Ordinator" in staff_roadmap
    anonymous, _ = client_of(session, None)
    tree = anonymous.get("/api/v1/plans/testville-service/tree").json()
    assert all(s["narrative"] is None for fa in tree["focus_areas"] for s in fa["strategies"])
    for path in PLAN_PAGES:
        body = anonymous.get(path).text
        assert staff_csrf not in body and "Coco Ordinator" not in body, path
        assert INTERNAL_WORDS not in body and "Sign out" not in body, path
        assert body == fresh(anonymous, path), path


def test_a_second_person_never_gets_the_first_ones_token_or_name(
    session: Session, people: People
) -> None:
    first, first_csrf = client_of(session, people.coordinator)
    second, second_csrf = client_of(session, people.viewer)
    again, again_csrf = client_of(session, people.coordinator)  # another session
    for path in (PLAN, f"{PLAN}/roadmap", f"{PLAN}/scorecard"):
        assert first_csrf in first.get(path).text
        body = second.get(path).text
        assert second_csrf in body and first_csrf not in body, path
        assert "Vic Viewer" in body and "Coco Ordinator" not in body, path
        # The same person in another session: the kept page, with that session's own token.
        body = again.get(path).text
        assert again_csrf in body and first_csrf not in body, path
        assert cached_pages.CSRF_STAND_IN not in body
        # Gzipped or not, the same page.
        plain = again.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == body


def test_a_matching_etag_is_304_and_a_write_gives_a_new_one(
    session: Session, people: People
) -> None:
    reader, _ = client_of(session, people.viewer)
    for path in (PLAN, f"{PLAN}/roadmap", f"{PLAN}/scorecard"):
        first = reader.get(path)
        etag = first.headers["ETag"]
        # A signed-in person's page is never stored by the browser (QUALITY row 19); the ETag
        # serves clients that keep it, and anonymous readers' revalidations.
        assert etag.startswith('W/"') and first.headers["Cache-Control"] == "no-store"
        again = reader.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        # Fragment and page of one address are not one representation.
        htmx = reader.get(path, headers={"If-None-Match": etag, "HX-Request": "true"})
        assert htmx.status_code == 200 and htmx.headers["ETag"] != etag
    anonymous, _ = client_of(session, None)
    public = anonymous.get(f"{PLAN}/roadmap")
    assert public.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    revalidated = anonymous.get(
        f"{PLAN}/roadmap", headers={"If-None-Match": public.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    etags = {path: reader.get(path).headers["ETag"] for path in PLAN_PAGES}
    lead, csrf = client_of(session, people.pw_lead)
    progress(lead, csrf, strategy(session, "1.2").id, 1, "off_track")
    for path, etag in etags.items():
        answer = reader.get(path, headers={"If-None-Match": etag})
        assert answer.status_code == 200 and answer.headers["ETag"] != etag, path
    # Another worker (an empty cache) gives the same ETag for the same page.
    kept = reader.get(f"{PLAN}/roadmap").headers["ETag"]
    cached_pages.forget_all()
    assert reader.get(f"{PLAN}/roadmap", headers={"If-None-Match": kept}).status_code == 304


def test_a_strategy_turning_stale_ends_the_kept_page(
    session: Session, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead, csrf = client_of(session, people.pw_lead)
    progress(lead, csrf, strategy(session, "1.2").id, 1, "on_track")
    target = strategy(session, "1.2")
    assert target.last_update_at is not None
    turns = target.last_update_at.replace(tzinfo=dt.UTC) + dt.timedelta(
        days=target.update_cadence_days + 1
    )
    reader, _ = client_of(session, people.viewer)
    monkeypatch.setattr(clock, "clock", lambda: turns - dt.timedelta(seconds=1))
    before = reader.get(f"{PLAN}/roadmap")
    monkeypatch.setattr(clock, "clock", lambda: turns + dt.timedelta(seconds=1))
    after = reader.get(f"{PLAN}/roadmap", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.text == fresh(reader, f"{PLAN}/roadmap")


@pytest.fixture
def small_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    bound = 400_000
    monkeypatch.setenv("PAGE_CACHE_BYTES", str(bound))
    get_settings.cache_clear()
    cached_pages.forget_all()
    yield bound
    monkeypatch.delenv("PAGE_CACHE_BYTES")
    get_settings.cache_clear()
    cached_pages.forget_all()


def test_the_cache_stays_within_its_byte_bound(
    session: Session, people: People, small_cache: int
) -> None:
    reader, _ = client_of(session, people.coordinator)
    cache = cached_pages.page_cache()
    assert cache.max_bytes == small_cache
    kept: Callable[[], int] = lambda: cache.size  # noqa: E731
    largest = 0
    for n in range(40):  # 40 distinct addresses: far more than the bound holds
        for path in (f"{PLAN}/roadmap?term=short&n={n}", f"{PLAN}?n={n}"):
            assert reader.get(path).status_code == 200
            assert kept() <= small_cache
            largest = max(largest, kept())
    assert largest > small_cache // 2  # it did fill up
    assert len(cache) < 80
    # The least recently used went first: the newest address is still kept.
    status, count, _ = statements(reader, f"{PLAN}?n=39")
    assert status == 200 and count <= HIT_STATEMENTS
