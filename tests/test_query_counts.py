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

from app.db import get_engine
from app.main import create_app
from app.models import (
    Department,
    FocusArea,
    Goal,
    Metric,
    Organization,
    Plan,
    QuickWin,
    Strategy,
    User,
    WorkplanStep,
)
from app.services.demo_data import DemoCity, generate_demo_city
from tests.factories import signed_in_client

TINY, BIG = 0.02, 0.2
TODAY = dt.date.today()

# Not pages of the plan: documentation, the health check, sign-in and static files.
NOT_COUNTED = re.compile(r"^(/healthz|/openapi\.json|/api/docs.*|/docs.*|/redoc|/login.*|/logout"
                         r"|/static/.*|/favicon.*)$")
# Who opens a route (first match); everything else is read by a coordinator.
OPENED_BY = (
    (re.compile(r"^/my-work"), "lead"),
    (re.compile(r"^/admin"), "admin"),
)
# Query strings a route needs to show its full content.
QUERIES = {
    "/plans/{slug}/search": "q=the",
}


def _get_routes() -> list[str]:
    """Every GET path of the app, included routers flattened."""
    routes: list[object] = list(create_app().routes)
    try:  # FastAPI ≥ 0.16x keeps included routers lazily; this walks them
        from fastapi.routing import iter_route_contexts

        routes = list(iter_route_contexts(routes))  # type: ignore[arg-type]
    except ImportError:  # older FastAPI: included routes are plain APIRoutes
        routes = [r for r in routes if isinstance(r, APIRoute)]
    paths = {
        r.path for r in routes  # type: ignore[attr-defined]
        if "GET" in (getattr(r, "methods", None) or ()) and not NOT_COUNTED.match(r.path)  # type: ignore[attr-defined]
    }
    return sorted(paths)


GET_ROUTES = _get_routes()
MAIN = ("/plans/{slug}", "/plans/{slug}/roadmap", "/plans/{slug}/scorecard",
        "/plans/{slug}/quick-wins", "/review", "/my-work", "/activity",
        "/api/v1/plans/{slug}/tree", "/api/v1/plans")


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
        .where(where).group_by(model.id)  # type: ignore[attr-defined]
        .order_by(func.count(column).desc(), model.id)  # type: ignore[attr-defined]
    ).first()
    assert row is not None
    return int(row[0])


def _visit(session: Session, scale: float, seed: int) -> Visit:
    with Session(get_engine()) as own:
        city = generate_demo_city(session=own, scale=scale, seed=seed, today=TODAY)
        own.commit()
    session.expire_all()  # a new read transaction: it sees the city just written
    org = session.execute(
        select(Organization).where(Organization.slug == city.organization_slug)
    ).scalar_one()
    plan = session.execute(select(Plan).where(Plan.slug == city.largest_plan_slug)).scalar_one()
    dept = session.execute(select(Department).where(
        Department.organization_id == org.id, Department.code == city.largest_department_code
    )).scalar_one()
    people = {
        "coordinator": session.execute(select(User).where(
            User.organization_id == org.id, User.role == "coordinator")).scalars().first(),
        "lead": session.execute(select(User).where(
            User.role == "lead", User.department_id == dept.id)).scalar_one(),
        "admin": session.execute(select(User).where(
            User.organization_id == org.id, User.role == "admin")).scalar_one(),
    }
    clients = {who: signed_in_client(session, user)[0] for who, user in people.items()}
    in_plan = Strategy.plan_id == plan.id
    strategy = _largest(session, Strategy, WorkplanStep, "strategy_id", in_plan)
    ids = {
        "slug": plan.slug,
        "plan_id": str(plan.id),
        "organization": org.slug,
        "department": dept.code,
        "code": dept.code,
        "department_id": str(dept.id),
        "strategy_id": str(strategy),
        "focus_area_id": str(_largest(session, FocusArea, Strategy, "focus_area_id",
                                      FocusArea.plan_id == plan.id)),
        "goal_id": str(_largest(session, Goal, Metric, "goal_id", Goal.plan_id == plan.id)),
        "metric_id": str(session.execute(
            select(Metric.id).where(Metric.plan_id == plan.id).order_by(Metric.id)).scalar()),
        "quick_win_id": str(session.execute(
            select(QuickWin.id).where(QuickWin.plan_id == plan.id).order_by(QuickWin.id)).scalar()),
        "step_id": str(session.execute(select(WorkplanStep.id).where(
            WorkplanStep.strategy_id == strategy).order_by(WorkplanStep.id)).scalar()),
        "user_id": str(people["lead"].id),
    }
    ids["id"] = ids["strategy_id"]
    return Visit(city, clients, ids)


def _url(visit: Visit, path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in visit.ids, (
            f"GET {path}: tests/test_query_counts.py does not know what to put in {{{name}}}; "
            "add it to _visit()"
        )
        return visit.ids[name]

    url = re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)
    return f"{url}?{QUERIES[path]}" if path in QUERIES else url


@pytest.fixture
def statements(database_url: str) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _count(visit: Visit, path: str, statements: list[str]) -> tuple[int, list[str]]:
    who = next((w for pattern, w in OPENED_BY if pattern.match(path)), "coordinator")
    client = visit.clients[who]
    url = _url(visit, path)
    answer = client.get(url)  # warms caches; a token's or session's first use is recorded
    assert answer.status_code == 200, f"GET {url} as {who}: {answer.status_code}"
    counts = []
    for _ in range(2):
        statements.clear()
        answer = client.get(url)
        assert answer.status_code == 200, f"GET {url} as {who}: {answer.status_code}"
        counts.append((len(statements), list(statements)))
    return min(counts, key=lambda c: c[0])


def test_the_main_pages_and_api_calls_are_counted() -> None:
    """The API reads exist today; each page joins the parametrised test below once it exists."""
    assert {"/api/v1/plans", "/api/v1/plans/{slug}/tree"} <= set(GET_ROUTES)
    assert set(MAIN) & set(GET_ROUTES)


@pytest.mark.parametrize("path", GET_ROUTES)
def test_statements_do_not_grow_with_the_city(
    path: str, session: Session, statements: list[str]
) -> None:
    tiny = _visit(session, TINY, seed=1)
    small_count, small_sql = _count(tiny, path, statements)
    big = _visit(session, BIG, seed=2)
    assert big.city.counts["strategy"] >= 9 * tiny.city.counts["strategy"]
    big_count, big_sql = _count(big, path, statements)
    assert big_count == small_count, (
        f"GET {path}: {small_count} SQL statements for the tiny city, {big_count} for one ten "
        f"times bigger (an N+1). Statements that repeat for the big city:\n"
        + "\n".join(_repeated(big_sql, small_sql))
    )


def _repeated(big: list[str], small: list[str]) -> list[str]:
    shapes = {}
    for sql in big:
        key = " ".join(sql.split())[:240]
        shapes[key] = shapes.get(key, 0) + 1
    before = {}
    for sql in small:
        key = " ".join(sql.split())[:240]
        before[key] = before.get(key, 0) + 1
    return [f"{n}× (tiny: {before.get(k, 0)}×) {k}" for k, n in shapes.items()
            if n != before.get(k, 0)]
