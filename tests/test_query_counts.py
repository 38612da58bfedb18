"""No N+1: every page and API GET issues as many SQL statements for a big city as for a tiny one.

A tiny generated city (scale 0.02: one plan, 12 strategies) and a bigger one (scale 0.2: ten times
the strategies, steps, metrics and updates) go into the same database, the tiny one first, so
lists that span organisations grow too. Each GET route the app has (collected from the app itself,
so a new page is covered the day it arrives) is requested for each city by the person who would
open it, and the statements are counted with a `before_cursor_execute` listener on the app's
engine. A route whose count grows with the data runs a query per row somewhere: an N+1 bug.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import event, func, select
from sqlmodel import Session
from starlette.testclient import TestClient

from app.db import get_engine, get_read_engine, reset_engine
from app.main import create_app
from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Measurement,
    Metric,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.publishing import PublicSubject, PublicUpdateDraft
from app.models.sessions import ActionItemCreate, SessionCreate
from app.routes import cached_pages
from app.services.accounts import password_resets
from app.services.changes.history import Actor
from app.services.demo_city.generator import DemoCity, generate_demo_city
from app.services.mail import unsubscribe
from app.services.mail.outbox import queue_message
from app.services.publishing import updates as public_updates
from app.services.sessions import writes as session_writes
from tests.conftest import TestSession as ReadSession
from tests.conftest import _point_app_at as point_app_at
from tests.conftest import changes_without_history, new_database_url
from tests.factories import signed_in_client

TINY, BIG = 0.02, 0.2
TODAY = dt.date.today()

# Not pages of the plan: documentation, the health check, sign-in and static files.
NOT_COUNTED = re.compile(
    r"^(/healthz|/openapi\.json|/api/docs.*|/docs.*|/redoc|/login.*|/logout"
    r"|/static/.*|/favicon.*)$"
)
# Who opens a route (first match); everything else is read by a coordinator.
OPENED_BY = (
    (re.compile(r"^/my-work"), "lead"),
    (re.compile(r"^/api/v1/my-work"), "lead"),
    (re.compile(r"^/admin"), "admin"),
    (re.compile(r"^/api/v1/outbox"), "admin"),
    (re.compile(r"^/api/v1/users"), "admin"),
    (re.compile(r"^/organizations?/(\{org_slug\}/)?settings"), "admin"),
)
# Query strings a page needs to show its full content (API routes get theirs from the schema).
QUERIES = {
    "/plans/{slug}/search": "q=the",
}
# Path parameters that name something else than the plan on some routes.
ORGANIZATION_PATHS = re.compile(r"^/api/v1/organizations/\{slug\}")


def _get_routes() -> list[str]:
    """Every GET path of the app, included routers flattened."""
    routes: list[object] = list(create_app().routes)
    try:  # FastAPI ≥ 0.16x keeps included routers lazily; this walks them
        from fastapi.routing import iter_route_contexts

        routes = list(iter_route_contexts(routes))  # type: ignore[arg-type]
    except ImportError:  # older FastAPI: included routes are plain APIRoutes
        routes = [r for r in routes if isinstance(r, APIRoute)]
    paths = {
        r.path
        for r in routes  # type: ignore[attr-defined]
        if "GET" in (getattr(r, "methods", None) or ()) and not NOT_COUNTED.match(r.path)  # type: ignore[attr-defined]
    }
    return sorted(paths)


def _api_queries() -> dict[str, str]:
    """For API lists: the largest page, and the plan filter where there is one, so the big
    city's list really is bigger."""
    queries = {}
    for path, operations in create_app().openapi()["paths"].items():
        names = {
            p["name"]
            for p in operations.get("get", {}).get("parameters", [])
            if p.get("in") == "query"
        }
        parts = [
            q for q, wanted in (("limit=500", "limit"), ("plan={slug}", "plan")) if wanted in names
        ]
        if parts:
            queries[path] = "&".join(parts)
    return queries


GET_ROUTES = _get_routes()
QUERIES.update(_api_queries())
# Pages shown a page at a time: later pages are counted too, like every route, and must issue as
# many statements as the first (which page, and what it holds, must not matter).
LATER_PAGES = {
    "/plans/{slug}/scorecard": ("page=2",),
    "/my-work": ("page=2", "page=3"),
}
COUNTED = GET_ROUTES + [
    f"{path}?{query}"
    for path, queries in LATER_PAGES.items()
    if path in GET_ROUTES
    for query in queries
]
MAIN = (
    "/plans/{slug}",
    "/plans/{slug}/roadmap",
    "/plans/{slug}/scorecard",
    "/plans/{slug}/quick-wins",
    "/review",
    "/my-work",
    "/activity",
    "/organizations/{org_slug}/executive",
    "/api/v1/organizations/{slug}/executive",
    "/api/v1/plans/{slug}/tree",
    "/api/v1/plans",
)


@dataclass
class Visit:
    """A city as a route sees it: the people who open pages, and the ids its paths name."""

    city: DemoCity
    clients: dict[str, TestClient]
    ids: dict[str, str]


def _largest(session: Session, model: type, child: type, link: str, where: object) -> int:
    """The id of the row of `model` (matching `where`) with the most `child` rows."""
    column = getattr(child, link)
    row = session.execute(
        select(model.id, func.count(column))  # type: ignore[attr-defined]
        .outerjoin(child, column == model.id)  # type: ignore[attr-defined]
        .where(where)
        .group_by(model.id)  # type: ignore[attr-defined]
        .order_by(func.count(column).desc(), model.id)  # type: ignore[attr-defined]
    ).first()
    assert row is not None
    return int(row[0])


def _first(session: Session, model: type, where: object) -> str:
    found = session.execute(
        select(model.id).where(where).order_by(model.id)  # type: ignore[attr-defined]
    ).scalar()
    assert found is not None, model
    return str(found)


def _sessions(organization_id: int, department_id: int) -> tuple[str, str]:
    """Two performance sessions of the city (issue 11): the earlier one raised an action item
    for the department, which the later one's pack carries; the later one's id, and the item's."""
    cli = Actor(name="query counts")
    with Session(get_engine()) as own:
        earlier = session_writes.schedule_session(
            session=own,
            organization_id=organization_id,
            data=SessionCreate(held_on=TODAY - dt.timedelta(days=30), title="Last month"),
            actor=cli,
        )
        item = session_writes.add_action_item(
            session=own,
            held=earlier,
            data=ActionItemCreate(what="Follow up", department_id=department_id),
            actor=cli,
        )
        later = session_writes.schedule_session(
            session=own,
            organization_id=organization_id,
            data=SessionCreate(held_on=TODAY, title="This month"),
            actor=cli,
        )
        own.commit()
        return str(later.id), str(item.id)


def _visit(session: Session, scale: float, seed: int) -> Visit:
    with Session(get_engine()) as own:
        city = generate_demo_city(session=own, scale=scale, seed=seed, today=TODAY)
        own.commit()
    session.expire_all()  # a new read transaction: it sees the city just written
    org = session.execute(
        select(Organization).where(Organization.slug == city.organization_slug)
    ).scalar_one()
    plan = session.execute(select(Plan).where(Plan.slug == city.largest_plan_slug)).scalar_one()
    dept = session.execute(
        select(Department).where(
            Department.organization_id == org.id, Department.code == city.largest_department_code
        )
    ).scalar_one()
    people = {
        "coordinator": session.execute(
            select(User).where(User.organization_id == org.id, User.role == "coordinator")
        )
        .scalars()
        .first(),
        "lead": session.execute(
            select(User).where(User.role == "lead", User.department_id == dept.id)
        ).scalar_one(),
        "admin": session.execute(
            select(User).where(User.organization_id == org.id, User.role == "admin")
        ).scalar_one(),
    }
    clients = {who: signed_in_client(session, user)[0] for who, user in people.items()}
    # The strategy with the most steps among those with updates (so its history is not empty).
    updated = (Strategy.plan_id == plan.id) & Strategy.last_update_at.is_not(None)  # type: ignore[union-attr]
    strategy = _largest(session, Strategy, WorkplanStep, "strategy_id", updated)
    ids = {
        "slug": plan.slug,
        "plan_id": str(plan.id),
        "organization": org.slug,
        "department": dept.code,
        "code": dept.code,
        "department_id": str(dept.id),
        "strategy_id": str(strategy),
        "focus_area_id": str(
            _largest(session, FocusArea, Strategy, "focus_area_id", FocusArea.plan_id == plan.id)
        ),
        "goal_id": str(_largest(session, Goal, Metric, "goal_id", Goal.plan_id == plan.id)),
        "metric_id": str(
            session.execute(
                select(Metric.id).where(Metric.plan_id == plan.id).order_by(Metric.id)
            ).scalar()
        ),
        "quick_win_id": str(
            session.execute(
                select(QuickWin.id).where(QuickWin.plan_id == plan.id).order_by(QuickWin.id)
            ).scalar()
        ),
        "step_id": str(
            session.execute(
                select(WorkplanStep.id)
                .where(WorkplanStep.strategy_id == strategy)
                .order_by(WorkplanStep.id)
            ).scalar()
        ),
        "user_id": str(people["lead"].id),
        "statement_id": _first(session, Statement, Statement.plan_id == plan.id),
        "phase_id": _first(session, Phase, Phase.plan_id == plan.id),
        "persona_id": _first(session, Persona, Persona.plan_id == plan.id),
    }
    ids["journey_id"] = _first(session, Journey, Journey.persona_id == int(ids["persona_id"]))
    ids["session_id"], ids["action_item_id"] = _sessions(org.id, dept.id)  # type: ignore[arg-type]
    ids["measurement_id"] = _first(
        session, Measurement, Measurement.metric_id == int(ids["metric_id"])
    )
    ids["id"] = ids["strategy_id"]
    # The plan builder's forms name a kind of part and its id: the largest goal.
    ids["kind"], ids["part_id"] = "goals", ids["goal_id"]
    # Pages name items by their code in the plan.
    ids["strategy_code"] = session.get(Strategy, strategy).code  # type: ignore[union-attr]
    ids["fa_code"] = session.get(FocusArea, int(ids["focus_area_id"])).code  # type: ignore[union-attr]
    ids["metric_code"] = session.get(Metric, int(ids["metric_id"])).code  # type: ignore[union-attr]
    # The public site names the organisation and the plan by their slugs.
    ids["org_slug"], ids["plan_slug"] = org.slug, plan.slug
    # Publishing (issue 12): a public update of every strategy of the plan, submitted, so the
    # coordinator's queue holds as many as the city has strategies.
    ids["subject"], ids["subject_id"] = "strategy", ids["strategy_id"]
    ids["subject_type"] = ids["subject"]
    _submit_public_updates(plan.id)  # type: ignore[arg-type]
    # Mail (issue 13): a message to each of the organisation's people in the outbox, and the
    # lead's one-click unsubscribe link.
    ids["message_id"] = _queue_mail(org.id)  # type: ignore[arg-type]
    ids["token"] = unsubscribe.make_token(people["lead"].id, "reminders")  # type: ignore[arg-type]
    # Accounts (issue 13): an open password reset link of the lead's.
    with Session(get_engine(), expire_on_commit=False) as own:
        issued = password_resets.issue_reset_link(
            session=own,
            actor=Actor(user=own.get(User, people["admin"].id)),
            user=own.get(User, people["lead"].id),  # type: ignore[arg-type]
            base_url="http://testserver",
        )
        own.commit()
    ids["reset_token"] = issued.link.rsplit("/", 1)[1]
    # Update cycles (issue 13): an open update request on every strategy of the plan, so the
    # leads' My work and the lists hold as many as the city has strategies.
    ids["url_kind"], ids["item_id"] = "strategy", ids["strategy_id"]
    ids["request_id"] = str(_request_updates(plan.id))  # type: ignore[arg-type]
    return Visit(city, clients, ids)


def _queue_mail(organization_id: int) -> str:
    with Session(get_engine()) as own:
        people = own.execute(select(User.id).where(User.organization_id == organization_id))
        made = [
            queue_message(
                session=own,
                to=f"person{user_id}@example.org",
                subject="Your reminder",
                text="Due",
                html="<p>Due</p>",
                headers=unsubscribe.headers(user_id, "reminders"),
                organization_id=organization_id,
            )
            for (user_id,) in people
        ]
        own.commit()
        return str(made[0].id)


def _request_updates(plan_id: int) -> int:
    """Ask for an update on every strategy of the plan that has a department; the first id."""
    from app.models import UpdateRequest
    from app.models.update_request import UpdateRequestCreate
    from app.services.changes import update_requests

    cli = Actor(name="query counts")
    with Session(get_engine()) as own:
        owned = (
            (Strategy.plan_id == plan_id)
            & Strategy.archived_at.is_(None)  # type: ignore[union-attr]
            & Strategy.department_id.is_not(None)  # type: ignore[union-attr]
        )
        for (strategy,) in own.execute(select(Strategy).where(owned)):
            update_requests.request_update(
                session=own, item=strategy, data=UpdateRequestCreate(message="Please"), actor=cli
            )
        own.commit()
        mine = select(UpdateRequest.id).where(UpdateRequest.plan_id == plan_id)
        return own.execute(mine.order_by(UpdateRequest.id)).scalars().first()  # type: ignore[return-value]


def _submit_public_updates(plan_id: int) -> None:
    cli = Actor(name="query counts")
    with Session(get_engine()) as own:
        plan = own.get(Plan, plan_id)
        assert plan is not None
        live = (Strategy.plan_id == plan_id) & Strategy.archived_at.is_(None)  # type: ignore[union-attr]
        for strategy_id in own.execute(select(Strategy.id).where(live)):
            target = public_updates.target(
                session=own, plan=plan, subject_type=PublicSubject.strategy,
                subject_id=strategy_id[0],
            )  # fmt: skip
            data = PublicUpdateDraft(text="Public words.", submit=True)
            public_updates.save_draft(session=own, t=target, data=data, actor=cli)
        own.commit()


def _url(visit: Visit, path: str) -> str:
    if "?" in path:  # a later page: the route's URL and its page
        route, page = path.split("?", 1)
        url = _url(visit, route)
        return f"{url}{'&' if '?' in url else '?'}{page}"

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug" and ORGANIZATION_PATHS.match(path):
            return visit.ids["organization"]
        if name == "token" and path.startswith("/reset/"):  # a reset link, not an unsubscribe
            return visit.ids["reset_token"]
        assert name in visit.ids, (
            f"GET {path}: tests/test_query_counts.py does not know what to put in {{{name}}}; "
            "add it to _visit()"
        )
        return visit.ids[name]

    url = re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)
    if path in QUERIES:
        url += "?" + QUERIES[path].replace("{slug}", visit.ids["slug"])
    return url


Counted = tuple[int, list[str]] | str  # statements and their text, or what went wrong


def _count(visit: Visit, path: str, statements: list[str]) -> Counted:
    who = next((w for pattern, w in OPENED_BY if pattern.match(path)), "coordinator")
    client = visit.clients[who]
    try:
        url = _url(visit, path)
    except AssertionError as exc:
        return str(exc)
    answer = client.get(url)  # warms caches; a token's or session's first use is recorded
    counts = []
    for _ in range(2):
        if answer.status_code != 200:
            return f"GET {url} as {who}: {answer.status_code} {answer.text[:300]}"
        # A kept page is served after a fixed few statements whatever the city; what could grow
        # is its making, so it is counted made anew (with the stamp and its validity read).
        cached_pages.forget_all()
        statements.clear()
        answer = client.get(url)
        counts.append((len(statements), list(statements)))
    return min(counts, key=lambda c: c[0])


@pytest.fixture(scope="module")
def counted(
    request: pytest.FixtureRequest, template_database: str
) -> Iterator[dict[str, tuple[Counted, Counted]]]:
    """Every GET route counted for the tiny city, then (the big city added) for the big one.

    Once for the module, in a database of its own: the cities are generated once, not per route.
    """
    url = new_database_url(request, template_database)
    point_app_at(url)
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        with ReadSession(get_read_engine(), expire_on_commit=False) as session:
            tiny = _visit(session, TINY, seed=1)
            small = {path: _count(tiny, path, seen) for path in COUNTED}
            big = _visit(session, BIG, seed=2)
            assert big.city.counts["strategy"] >= 9 * tiny.city.counts["strategy"]
            large = {path: _count(big, path, seen) for path in COUNTED}
    finally:
        event.remove(engine, "before_cursor_execute", record)
    yield {path: (small[path], large[path]) for path in COUNTED}
    reset_engine()
    assert not changes_without_history(url)


def test_the_main_pages_and_api_calls_are_counted() -> None:
    """The API reads exist today; each page joins the parametrised test below once it exists."""
    assert {"/api/v1/plans", "/api/v1/plans/{slug}/tree"} <= set(GET_ROUTES)
    assert set(MAIN) & set(GET_ROUTES)


@pytest.mark.parametrize("path", COUNTED)
def test_statements_do_not_grow_with_the_city(
    path: str, counted: dict[str, tuple[Counted, Counted]]
) -> None:
    small, large = counted[path]
    assert not isinstance(small, str), small
    assert not isinstance(large, str), large
    (small_count, small_sql), (big_count, big_sql) = small, large
    assert big_count == small_count, (
        f"GET {path}: {small_count} SQL statements for the tiny city, {big_count} for one ten "
        f"times bigger (an N+1). Statements that repeat for the big city:\n"
        + "\n".join(_repeated(big_sql, small_sql))
    )


def _shape(sql: str) -> str:
    """A statement without its list lengths: `IN (?, ?, ?)` and `IN (?)` are the same query."""
    return re.sub(r"\(\?(, \?)*\)", "(?…)", " ".join(sql.split()))[:240]


def _repeated(big: list[str], small: list[str]) -> list[str]:
    shapes: dict[str, int] = {}
    for sql in big:
        shapes[_shape(sql)] = shapes.get(_shape(sql), 0) + 1
    before: dict[str, int] = {}
    for sql in small:
        before[_shape(sql)] = before.get(_shape(sql), 0) + 1
    return [
        f"{n}× (tiny: {before.get(k, 0)}×) {k}" for k, n in shapes.items() if n != before.get(k, 0)
    ]


@pytest.mark.parametrize("path", sorted(LATER_PAGES))
def test_later_pages_issue_as_many_statements_as_the_first(
    path: str, counted: dict[str, tuple[Counted, Counted]]
) -> None:
    assert path in GET_ROUTES, f"{path} is no longer a route: update LATER_PAGES"
    (_, first) = counted[path]
    assert not isinstance(first, str), first
    for query in LATER_PAGES[path]:
        (_, later) = counted[f"{path}?{query}"]
        assert not isinstance(later, str), later
        assert later[0] == first[0], (
            f"GET {path}?{query} in the big city: {later[0]} statements, the first page "
            f"{first[0]}:\n" + "\n".join(_repeated(later[1], first[1]))
        )
