"""Kept pages across processes (issue 14): two live servers on one database, each with its own
memory, as two workers or two machines are. A write through server A is on the very next read
of every cached page through server B, for the public and for the organisation's staff; nothing
tells B but the database."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlmodel import Session

from app.auth import SESSION_COOKIE, session_cookie_value
from app.models import ApiToken, Organization, User
from app.services.accounts import browser_sessions
from tests.conftest import new_database_url
from tests.live_server import LiveServer, start_server

pytestmark = pytest.mark.slow

SLUG = "san-jose-customer-service"
PLAN = f"/plans/{SLUG}"
TREE = f"/api/v1/plans/{SLUG}/tree"
PAGES = (PLAN, f"{PLAN}/roadmap", f"{PLAN}/scorecard", TREE)
TOKEN = "pt_pagecache-coordinator-0123456789"


@dataclass
class Servers:
    a: LiveServer
    b: LiveServer
    staff_cookie: str


def _set_up(database_url: str) -> str:
    """A coordinator of San José with an API token (writes) and a browser session (reads)."""
    engine = create_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        org = session.exec(select(Organization).where(Organization.slug == "san-jose")).scalar_one()
        coordinator = User(username="cache-coordinator", role="coordinator", organization_id=org.id)
        session.add(coordinator)
        session.flush()
        session.add(
            ApiToken(
                user_id=coordinator.id,  # type: ignore[arg-type]
                name="pagecache",
                prefix=TOKEN[:8],
                token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(),
            )
        )
        started = browser_sessions.start_session(session=session, user=coordinator)
        session.commit()
    engine.dispose()
    return session_cookie_value(started.token)


@pytest.fixture(scope="module")
def servers(request: pytest.FixtureRequest, template_database: str) -> Iterator[Servers]:
    url = new_database_url(request, template_database)
    small_pool = {"DATABASE_POOL_SIZE": "5", "DATABASE_MAX_OVERFLOW": "5"}
    a = start_server(url, extra_env=small_pool)
    try:
        b = start_server(url, extra_env=small_pool, prepare=False)
        try:
            yield Servers(a, b, _set_up(url))
        finally:
            b.stop()
    finally:
        a.stop()


def _readers(servers: Servers) -> dict[str, httpx.Client]:
    cookie = {SESSION_COOKIE: servers.staff_cookie}
    return {
        "public": httpx.Client(base_url=servers.b.url, timeout=30),
        "staff": httpx.Client(base_url=servers.b.url, timeout=30, cookies=cookie),
    }


def test_a_write_through_one_server_is_on_the_next_read_through_the_other(
    servers: Servers,
) -> None:
    writer = httpx.Client(
        base_url=servers.a.url, timeout=30, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    readers = _readers(servers)
    for client in readers.values():  # B keeps every page, twice read
        for path in PAGES:
            assert client.get(path).status_code == 200
    before = {(who, path): client.get(path) for who, client in readers.items() for path in PAGES}
    before_review = readers["staff"].get("/review")
    assert before_review.status_code == 200

    tree = writer.get(TREE).json()  # A keeps the tree too
    area = tree["focus_areas"][0]
    code = re.search(rf'href="{PLAN}/scorecard/([^"]+)"', before["public", PAGES[2]].text)
    assert code is not None
    metric = next(m for m in tree["metrics"] if m["code"] == code.group(1))
    renamed = writer.patch(
        f"/api/v1/focus-areas/{area['id']}",
        json={"title": "Kept pages see this", "version": area["version"]},
    )
    assert renamed.status_code == 200, renamed.text
    metric_now = writer.get(f"/api/v1/metrics/{metric['id']}").json()
    named = writer.patch(
        f"/api/v1/metrics/{metric['id']}",
        json={"name": "A metric renamed through A", "version": metric_now["version"]},
    )
    assert named.status_code == 200, named.text

    for (who, path), earlier in before.items():
        now = readers[who].get(path, headers={"If-None-Match": earlier.headers["ETag"]})
        assert now.status_code == 200 and now.headers["ETag"] != earlier.headers["ETag"], (
            who,
            path,
        )
        expected = "A metric renamed through A" if path == PAGES[2] else "Kept pages see this"
        assert expected in now.text, (who, path)
        assert ("Sign out" in now.text) == (who == "staff" and path != TREE), (who, path)
    review = readers["staff"].get("/review")
    assert review.headers["ETag"] != before_review.headers["ETag"]
    assert "Kept pages see this" in review.text
