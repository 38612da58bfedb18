"""CSRF on every unsafe route of the app, listed from the app itself (new routes are covered).

For each POST/PUT/PATCH/DELETE route, a request authenticated by the session cookie with no
token, a wrong token, or another session's token is refused with 403 and changes nothing in the
database; the same request with the session's token (as htmx sends it, in X-CSRF-Token) is not
refused for CSRF. And no GET changes a row.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, select
from sqlmodel import Session, SQLModel
from starlette.routing import Mount
from starlette.testclient import TestClient

from app.auth import CSRF_REFUSED, LOGIN_CSRF_REFUSED, SESSION_COOKIE, TOKEN_AUTHORISED_PREFIXES
from app.db import get_engine
from app.models import ApiToken, User
from tests.conftest import own_engine
from tests.factories import app_under_test
from tests.routes.test_auth_pages import PASSWORD, client, make_org, make_user, sign_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def walk_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every endpoint, through included routers (FastAPI keeps them nested)
    and mounts."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:  # FastAPI's _IncludedRouter
            context = getattr(route, "include_context", None)
            yield from walk_routes(original.routes, prefix + (getattr(context, "prefix", "") or ""))
            continue
        if isinstance(route, Mount):
            yield from walk_routes(getattr(route, "routes", []) or [], prefix + route.path)
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            yield method, prefix + route.path


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(set(walk_routes(app.router.routes)))


def concrete(path: str) -> str:
    """Fill every path parameter with 1 (ids start at 1 in a fresh database)."""
    return re.sub(r"\{[^}]+\}", "1", path)


ROUTES = app_routes(app_under_test())
UNSAFE_ROUTES = [(m, p) for m, p in ROUTES if m in UNSAFE]
# Routes whose authority is a signed token in the path, exempt from CSRF (app.auth): a one-click
# unsubscribe is posted by a mail provider without cookies. Their own tests refuse a bad token
# (tests/routes/pages/test_unsubscribe.py).
TOKEN_AUTHORISED = [(m, p) for m, p in UNSAFE_ROUTES if p.startswith(TOKEN_AUTHORISED_PREFIXES)]
CSRF_CHECKED = [r for r in UNSAFE_ROUTES if r not in TOKEN_AUTHORISED]
SAFE_ROUTES = [(m, p) for m, p in ROUTES if m == "GET" and not p.startswith("/static")]


def test_the_route_walk_finds_the_routes() -> None:
    openapi_paths = {
        (method.upper(), path)
        for path, item in app_under_test().openapi()["paths"].items()
        for method in item
    }
    assert openapi_paths <= set(ROUTES), "every API route is in the walk"
    for expected in (
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/admin/users"),
        ("POST", "/account/tokens"),
        ("POST", "/account/tokens/{token_id}/revoke"),
    ):
        assert expected in ROUTES


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    engine.dispose()
    return out


class World:
    """Two signed-in administrators (an admin passes every permission check, so a refusal can
    only be CSRF's), each with its own session and CSRF token, plus some rows to change."""

    def __init__(self, url: str) -> None:
        self.url = url
        engine = own_engine(url)
        with get_engine().connect():
            pass
        with Session(engine, expire_on_commit=False) as s:
            make_org(s)
            make_user(s, "root")
            make_user(s, "other")
            make_user(s, "bob", "lead", department="SJ311")
        engine.dispose()
        self.me = client()
        self.my_csrf = sign_in(self.me, "root")
        self.them = client()
        self.their_csrf = sign_in(self.them, "other")
        self.me.post("/account/tokens", data={"csrf_token": self.my_csrf, "name": "one"})


@pytest.fixture
def world(database_url: str) -> World:
    return World(database_url)


def _refused_for_csrf(answer: Any) -> bool:
    return answer.status_code == 403 and CSRF_REFUSED in html.unescape(answer.text)


def test_only_the_unsubscribe_link_is_exempt_from_csrf() -> None:
    assert TOKEN_AUTHORISED == [("POST", "/unsubscribe/{token}")]


@pytest.mark.parametrize(
    ("method", "path"), CSRF_CHECKED, ids=[f"{m} {p}" for m, p in CSRF_CHECKED]
)
def test_unsafe_route_refuses_a_session_request_without_its_token(
    world: World, method: str, path: str
) -> None:
    url = concrete(path)
    before = snapshot(world.url)
    attempts = {
        "no token (form)": {"data": {"name": "x", "username": "x", "role": "admin"}},
        "no token (json)": {"json": {"name": "x"}},
        "wrong token (header)": {"headers": {"X-CSRF-Token": "wrong"}},
        "wrong token (form)": {"data": {"csrf_token": "wrong", "name": "x"}},
        "another session's token (header)": {
            "headers": {"X-CSRF-Token": world.their_csrf, "HX-Request": "true"}
        },
        "another session's token (form)": {"data": {"csrf_token": world.their_csrf, "name": "x"}},
        "empty token": {"headers": {"X-CSRF-Token": ""}, "data": {"csrf_token": ""}},
    }
    for label, kwargs in attempts.items():
        answer = world.me.request(method, url, follow_redirects=False, **kwargs)
        assert _refused_for_csrf(answer), f"{method} {path} with {label}: {answer.status_code}"
        if not path.startswith("/api/"):
            continue
        assert answer.json()["error"]["code"] == "forbidden"
    assert snapshot(world.url) == before, f"{method} {path} changed the database"


@pytest.mark.parametrize(
    ("method", "path"), UNSAFE_ROUTES, ids=[f"{m} {p}" for m, p in UNSAFE_ROUTES]
)
def test_unsafe_route_accepts_the_sessions_token_in_the_htmx_header(
    world: World, method: str, path: str
) -> None:
    answer = world.me.request(
        method,
        concrete(path),
        headers={"X-CSRF-Token": world.my_csrf, "HX-Request": "true"},
        follow_redirects=False,
    )
    assert not _refused_for_csrf(answer), f"{method} {path}: {answer.text[:200]}"
    assert answer.status_code < 500


def test_a_valid_htmx_request_succeeds(world: World, database_url: str) -> None:
    answer = world.me.post(
        "/account/tokens",
        data={"name": "from htmx"},
        headers={"X-CSRF-Token": world.my_csrf, "HX-Request": "true"},
    )
    assert answer.status_code == 201
    with Session(create_engine(database_url)) as s:
        assert "from htmx" in {t.name for t in s.exec(select(ApiToken)).scalars()}  # type: ignore[call-overload]


def test_a_valid_form_post_succeeds(world: World, database_url: str) -> None:
    answer = world.me.post(
        "/admin/users",
        data={
            "csrf_token": world.my_csrf,
            "username": "newbie",
            "role": "viewer",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    with Session(create_engine(database_url)) as s:
        assert s.exec(select(User).where(User.username == "newbie")).first()  # type: ignore[call-overload]


def test_a_token_from_another_session_of_the_same_user_is_refused(world: World) -> None:
    second = client()
    second_csrf = sign_in(second, "root")
    assert second_csrf != world.my_csrf
    answer = world.me.post(
        "/account/tokens", data={"name": "x"}, headers={"X-CSRF-Token": second_csrf}
    )
    assert _refused_for_csrf(answer)


def test_bearer_token_requests_need_no_csrf_token(world: World) -> None:
    created = world.me.post(
        "/account/tokens",
        data={"csrf_token": world.my_csrf, "name": "ci", "scope": "read_write"},
    )
    token = re.search(r'value="(pt_[^"]+)"', created.text).group(1)  # type: ignore[union-attr]
    fresh = TestClient(app_under_test())
    answer = fresh.post(
        "/admin/users",
        data={"username": "made-by-script", "role": "viewer", "password": "a long secret"},
        headers={"Authorization": f"Bearer {token}"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_a_cross_site_request_is_refused_even_with_the_token(world: World) -> None:
    answer = world.me.post(
        "/account/tokens",
        data={"name": "x", "csrf_token": world.my_csrf},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [r for r in CSRF_CHECKED if not r[1].startswith("/api/") and r[1] != "/logout"],
)
def test_anonymous_page_posts_need_the_pre_session_token(
    database_url: str, method: str, path: str
) -> None:
    c = client()
    c.get("/login")  # has the pre-session cookie, but sends no token
    answer = c.request(
        method, concrete(path), data={"username": "x", "password": "y"}, follow_redirects=False
    )
    assert answer.status_code == 403 and LOGIN_CSRF_REFUSED in html.unescape(answer.text)


@pytest.mark.parametrize(("method", "path"), [r for r in UNSAFE_ROUTES if r[1].startswith("/api/")])
def test_anonymous_api_writes_are_refused(database_url: str, method: str, path: str) -> None:
    before = snapshot(database_url)
    answer = client().request(method, concrete(path), json={}, follow_redirects=False)
    assert answer.status_code in (401, 403, 404, 405, 422)
    assert snapshot(database_url) == before


@pytest.mark.parametrize(("method", "path"), SAFE_ROUTES, ids=[p for _, p in SAFE_ROUTES])
def test_no_get_changes_a_row(world: World, method: str, path: str) -> None:
    before = snapshot(world.url)
    for c in (world.me, client()):
        answer = c.get(concrete(path), follow_redirects=False)
        assert answer.status_code < 500
    assert snapshot(world.url) == before


def test_the_session_cookie_alone_is_not_enough_after_logout(world: World) -> None:
    raw = world.me.cookies.get(SESSION_COOKIE)
    world.me.post("/logout", data={"csrf_token": world.my_csrf})
    replay = client()
    replay.cookies.set(SESSION_COOKIE, raw)
    answer = replay.post("/account/tokens", data={"name": "x", "csrf_token": world.my_csrf})
    assert answer.status_code == 403  # no session any more: treated as an anonymous page post
