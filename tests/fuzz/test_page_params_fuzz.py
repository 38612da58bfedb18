"""Fuzzing every page's query, path and form parameters with values valid by any schema.

schemathesis (test_api_fuzz) generates what the API's schema allows; a page's parameters are all
text, and the values that broke pages were valid text: '²' passes str.isdigit() and fails int(),
0001-01-01 at +14:00 overflows when moved to UTC, 100,000 nested brackets overflow json.loads.
Here each parameter of each page route the app has (see page_inputs) gets each of ODD_VALUES in
turn, the others plausible, anonymous and signed in as an administrator (who passes every
permission check, so the handlers read everything); forms are posted with the session's CSRF
token, and every unsafe page route gets bodies nested deeper than Python's stack. No answer may
be a server error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import quote

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import (
    Department,
    FocusArea,
    Goal,
    Measurement,
    Metric,
    QuickWin,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.sessions import ActionItemCreate, SessionCreate
from app.models.update_request import UpdateRequestCreate
from app.services.accounts import api_tokens, password_resets
from app.services.changes import update_requests
from app.services.changes.history import Actor
from app.services.mail.outbox import queue_message
from app.services.sessions import writes as session_writes
from tests.factories import app_under_test, make_person, make_tiny_plan, signed_in_client
from tests.fuzz.page_inputs import (
    DEEP_JSON,
    ODD_PATH_VALUES,
    ODD_VALUES,
    PATH_PARAMS,
    SIGN_IN_FORMS,
    PageRoute,
    World,
    forms,
    page_routes,
    path_values,
)
from tests.routes.test_auth_pages import PASSWORD, hidden_csrf, make_user

pytestmark = pytest.mark.fuzz

ROUTES = page_routes(app_under_test())
GETS = [r for r in ROUTES if r.method == "GET"]
POSTS = [r for r in ROUTES if r.method != "GET"]
# The API's lists, where its filters are (an item's own path is schemathesis's to fuzz).
API_LISTS = [
    r for r in page_routes(app_under_test(), api=True) if r.method == "GET" and not r.path_params
]
Failure = tuple[str, str, str, int]
# The long walks below are split into shards of every SHARDS-th route, each on a fresh database of
# its own: the two test processes share them instead of one process running a minute-long test at
# the end of the run while the other idles. Together the shards still walk every route.
SHARDS = 4


def shard(routes: list[PageRoute], number: int) -> list[PageRoute]:
    return routes[number::SHARDS]


def first_id(session: Session, model: type, *where: object) -> int:
    return session.exec(select(model.id).where(*where)).first()  # type: ignore[attr-defined]


def world_of(session: Session) -> tuple[World, User]:
    """The tiny plan, an administrator with an API token (theirs to revoke) and a viewer for the
    administrator's forms to change."""
    plan = make_tiny_plan(session)
    admin = make_person(session, "fuzz-admin", "admin")
    victim = make_person(session, "fuzz-victim", "viewer")
    token, _ = api_tokens.create_api_token(session=session, user=admin, name="fuzz")
    held = session_writes.schedule_session(
        session=session,
        organization_id=plan.organization_id,
        data=SessionCreate(held_on=dt.date(2025, 6, 1), title="Fuzz"),
        actor=Actor(user=admin),
    )
    department_id = first_id(session, Department, Department.code == "CC")
    action = session_writes.add_action_item(
        session=session,
        held=held,
        data=ActionItemCreate(what="Fuzz", department_id=department_id),
        actor=Actor(user=admin),
    )
    issued = password_resets.issue_reset_link(
        session=session, actor=Actor(user=admin), user=victim, base_url="http://testserver"
    )
    failed = queue_message(session=session, to="a@example.org", subject="Fuzz", text="x")
    failed.status, failed.attempts = "failed", 1
    session.add(failed)
    asked = update_requests.request_update(
        session=session,
        item=session.exec(select(Strategy).where(Strategy.code == "1.1")).one(),
        data=UpdateRequestCreate(message="Fuzz"),
        actor=Actor(user=admin),
    )
    session.commit()

    def first(model: type, *where: object) -> int:
        return session.exec(select(model.id).where(*where)).first()  # type: ignore[attr-defined]

    world = World(
        slug=plan.slug,
        ids={
            "token_id": token.id,  # type: ignore[dict-item]
            "user_id": victim.id,  # type: ignore[dict-item]
            "metric_id": first(Metric),
            "quick_win_id": first(QuickWin),
            "strategy_id": first(Strategy, Strategy.code == "1.1"),
            "step_id": first(WorkplanStep),
            "focus_area_id": first(FocusArea),
            "measurement_id": first(Measurement),
            "part_id": first(Goal),
            "session_id": held.id,  # type: ignore[dict-item]
            "action_item_id": action.id,  # type: ignore[dict-item]
            "message_id": failed.id,  # type: ignore[dict-item]
            "request_id": asked.id,  # type: ignore[dict-item]
        },
        department_id=first(Department, Department.code == "CC"),
        reset_token=issued.link.rsplit("/", 1)[1],
    )
    return world, admin


def filled(route: PageRoute, values: dict[str, str], **odd: str) -> str:
    path = route.path
    for name in route.path_params:
        path = path.replace("{" + name + "}", quote(odd.get(name, values[name]), safe=""))
    return path


def assert_no_server_errors(answers: Iterable[Failure]) -> None:
    """Every answer's (route, parameter, value's name, status); all server errors listed."""
    failures = [a for a in answers if a[3] >= 500]
    assert not failures, "server errors:\n" + "\n".join(map(str, failures))


def test_the_tables_know_every_page_form_and_path_parameter(session: Session) -> None:
    """A new page form or path parameter must be given plausible values in page_inputs, or the
    fuzz below would stop at their checks instead of reaching the field it fuzzes."""
    world, _ = world_of(session)
    known = forms(world)
    assert {r.path for r in POSTS} == set(known) | SIGN_IN_FORMS
    for route in POSTS:
        assert set(known.get(route.path, {})) <= set(route.form_fields), route.path
    assert {p for r in ROUTES for p in r.path_params} == PATH_PARAMS
    assert set(path_values(world)) == PATH_PARAMS
    # The walk reads what the handlers read, aliases included.
    activity = next(r for r in GETS if r.path == "/activity")
    assert set(activity.query_params) == {"plan", "kind", "person", "action", "from", "to", "page"}
    executive = next(r for r in GETS if r.path == "/organizations/{org_slug}/executive")
    assert set(executive.query_params) == {"since", "plan"}
    for path in (
        "/",
        "/api/docs",
        "/plans/{slug}/scorecard",
        "/review/focus-areas/{focus_area_id}",
    ):
        assert path in {r.path for r in GETS}


def test_the_shards_walk_every_route_once() -> None:
    for routes in (GETS, POSTS):
        walked = [r for number in range(SHARDS) for r in shard(routes, number)]
        assert sorted(walked, key=repr) == sorted(routes, key=repr)


@pytest.mark.parametrize("number", range(SHARDS))
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_page_query_and_path_parameters_never_answer_5xx(
    session: Session, role: str, number: int
) -> None:
    world, admin = world_of(session)
    values = path_values(world)
    client, _ = signed_in_client(session, admin if role == "admin" else None)

    def answers() -> Iterable[Failure]:
        for route in shard(GETS, number):
            for name, value in ODD_VALUES.items():
                for param in route.query_params:
                    answer = client.get(filled(route, values), params={param: value})
                    yield route.path, param, name, answer.status_code
                for param in route.path_params if name in ODD_PATH_VALUES else ():
                    answer = client.get(filled(route, values, **{param: value}))
                    yield route.path, param, name, answer.status_code

    assert_no_server_errors(answers())


@pytest.mark.parametrize("number", range(SHARDS))
def test_page_forms_never_answer_5xx(session: Session, number: int) -> None:
    world, admin = world_of(session)
    values = path_values(world)
    plausible = forms(world)
    client, csrf = signed_in_client(session, admin)

    def answers() -> Iterable[Failure]:
        for route in shard(POSTS, number):
            if route.path in SIGN_IN_FORMS:
                continue
            form = plausible[route.path]
            for name, value in ODD_VALUES.items():
                for field in route.form_fields:
                    answer = client.post(
                        filled(route, values),
                        data={**form, field: value},
                        headers={"X-CSRF-Token": csrf},
                        follow_redirects=False,
                    )
                    yield route.path, field, name, answer.status_code
                for param in route.path_params if name in ODD_PATH_VALUES else ():
                    answer = client.post(
                        filled(route, values, **{param: value}),
                        data=form,
                        headers={"X-CSRF-Token": csrf},
                        follow_redirects=False,
                    )
                    yield route.path, param, name, answer.status_code

    assert_no_server_errors(answers())
    # Still signed in: no fuzzed form ended the session that posted the others.
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_the_sign_in_form_never_answers_5xx(session: Session) -> None:
    world_of(session)
    make_user(session, "fuzz-signer", "viewer", organization="testville")
    plausible = {"username": "fuzz-signer", "password": PASSWORD, "next": "/plans"}
    client = TestClient(app_under_test())

    def answers() -> Iterable[Failure]:
        for name, value in ODD_VALUES.items():
            for field in plausible:
                client.cookies.clear()  # signed out, with a new sign-in CSRF cookie
                token = hidden_csrf(client.get("/login").text)
                answer = client.post(
                    "/login",
                    data={**plausible, field: value, "csrf_token": token},
                    follow_redirects=False,
                )
                yield "/login", field, name, answer.status_code
                answer = client.post("/logout", data={"csrf_token": value}, follow_redirects=False)
                yield "/logout", "csrf_token", name, answer.status_code

    assert_no_server_errors(answers())


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_bodies_nested_deeper_than_the_stack_never_answer_5xx(session: Session, role: str) -> None:
    world, admin = world_of(session)
    values = path_values(world)
    client, csrf = signed_in_client(session, admin if role == "admin" else None)
    # /logout last: a body it accepts ends the session the others are posted with.
    routes = sorted(POSTS, key=lambda r: r.path == "/logout")

    def answers() -> Iterable[Failure]:
        for route in routes:
            for name, body in DEEP_JSON.items():
                for content_type in ("application/json", "application/x-www-form-urlencoded"):
                    answer = client.post(
                        filled(route, values),
                        content=body,
                        headers={"Content-Type": content_type, "X-CSRF-Token": csrf},
                        follow_redirects=False,
                    )
                    yield route.path, content_type, name, answer.status_code

    assert_no_server_errors(answers())


def test_the_apis_list_filters_never_answer_5xx(session: Session) -> None:
    """As an administrator, who reads every list, the history included."""
    _, admin = world_of(session)
    client, _ = signed_in_client(session, admin)
    assert "/api/v1/history" in {r.path for r in API_LISTS}

    def answers() -> Iterable[Failure]:
        for route in API_LISTS:
            for name, value in ODD_VALUES.items():
                for param in route.query_params:
                    answer = client.get(route.path, params={param: value})
                    yield route.path, param, name, answer.status_code

    assert_no_server_errors(answers())
