"""The page cache's memory under the demo city at scale 4 (issue 14): with a small bound, every
kept page of every plan read by a few readers, the bodies kept never exceed the bound, and a page
evicted meanwhile is served again as it was (the store's own LRU is
tests/services/views/test_page_cache_store.py's; this is the app's pages, at size)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlmodel import Session
from starlette.testclient import TestClient

from app.db import get_engine, reset_engine
from app.models import Department, Organization, Plan, User
from app.routes import cached_pages
from app.services.demo_city.generator import generate_demo_city
from app.services.rules import clock
from app.settings import get_settings
from tests.conftest import _point_app_at as point_app_at
from tests.conftest import new_database_url
from tests.factories import app_under_test, signed_in_client

pytestmark = pytest.mark.slow

BOUND = 2 * 1024 * 1024
# Each plan's kept pages (the search with a common word: many results).
PLAN_PAGES = (
    "/plans/{slug}",
    "/plans/{slug}/roadmap",
    "/plans/{slug}/scorecard",
    "/plans/{slug}/quick-wins",
    "/plans/{slug}/search?q=the",
    "/api/v1/plans/{slug}/tree",
)


@dataclass
class City:
    plans: list[tuple[str, str]]  # (slug, title)
    readers: dict[str, TestClient]
    built_in: float


@pytest.fixture(scope="module")
def city(request: pytest.FixtureRequest, template_database: str) -> Iterator[City]:
    """The demo city at scale 4, built once for the module in a database of its own, and a
    cache bounded at 2 MiB."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("PAGE_CACHE_BYTES", str(BOUND))
    # One moment throughout: a page made again after its eviction is the same page (no strategy
    # of thousands turns stale while the test reads).
    now = clock.clock()
    monkeypatch.setattr(clock, "clock", lambda: now)
    point_app_at(new_database_url(request, template_database))
    started = time.monotonic()
    with Session(get_engine()) as own:
        built = generate_demo_city(session=own, scale=4, seed=1, today=dt.date.today())
        own.commit()
    built_in = time.monotonic() - started
    with Session(get_engine(), expire_on_commit=False) as session:
        org = session.execute(
            select(Organization).where(Organization.slug == built.organization_slug)
        ).scalar_one()
        plans = [
            (p.slug, p.title)
            for p in session.execute(
                select(Plan).where(Plan.organization_id == org.id).order_by(Plan.id)
            ).scalars()
        ]
        dept = session.execute(
            select(Department).where(
                Department.organization_id == org.id,
                Department.code == built.largest_department_code,
            )
        ).scalar_one()

        def one(*where: object) -> User:
            return session.execute(select(User).where(*where)).scalars().first()  # type: ignore[return-value]

        people = {
            "coordinator": one(User.organization_id == org.id, User.role == "coordinator"),
            "admin": one(User.organization_id == org.id, User.role == "admin"),
            "lead": one(User.role == "lead", User.department_id == dept.id),
        }
        readers = {who: signed_in_client(session, user)[0] for who, user in people.items()}
    readers["anonymous"] = TestClient(app_under_test())
    cached_pages.forget_all()
    yield City(plans, readers, built_in)
    monkeypatch.undo()
    get_settings.cache_clear()
    cached_pages.forget_all()
    reset_engine()


def test_the_kept_pages_stay_within_the_bound_at_scale_4(city: City) -> None:
    cache = cached_pages.page_cache()
    assert cache.max_bytes == BOUND
    print(f"scale 4 built in {city.built_in:.1f} s")  # noqa: T201 (shown with -s)
    seen: dict[tuple[str, str], bytes] = {}
    largest = kept_pages = 0

    def read(who: str, path: str, must_hold: str) -> None:
        nonlocal largest, kept_pages
        answer = city.readers[who].get(path)
        if who == "anonymous" and answer.status_code == 404:  # a plan not published
            return
        assert answer.status_code == 200, (who, path, answer.status_code)
        assert must_hold in answer.text, (who, path)
        earlier = seen.setdefault((who, path), answer.content)
        assert answer.content == earlier, (who, path)  # evicted and made again: the same page
        assert cache.size <= BOUND, (who, path, cache.size)
        largest = max(largest, cache.size)
        kept_pages = max(kept_pages, len(cache))

    for slug, title in city.plans:
        for who in ("anonymous", "coordinator"):
            for page in PLAN_PAGES:
                read(who, page.format(slug=slug), title if "/api/" not in page else slug)
    for page in ("/my-work", "/my-work?page=2", "/activity", "/activity?page=2"):
        read("lead", page, "Sign out")
    for page in ("/review", "/activity"):
        read("admin", page, "Sign out")
    assert largest > BOUND // 2 and kept_pages < len(seen)  # it filled up, and pages went
    # The first plan's pages, evicted long since, and the last's: served as they were.
    for slug, title in (city.plans[0], city.plans[-1]):
        for page in PLAN_PAGES:
            read("coordinator", page.format(slug=slug), title if "/api/" not in page else slug)
    too_large = sum(len(body) * 8 > BOUND for body in seen.values())
    print(  # noqa: T201
        f"{len(seen)} pages read; largest kept {largest} bytes, at most {kept_pages} entries; "
        f"{too_large} pages over an eighth of the bound (never kept)"
    )
