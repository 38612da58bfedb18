"""GET /api/v1/plans/{slug}/tree: the whole plan with roll-ups, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel
from sqlalchemy import event, update
from sqlmodel import Session
from starlette.testclient import TestClient

from app.db import get_engine
from app.models import Plan, Strategy, User, WorkplanStep
from app.routes import cached_pages
from app.routes.api.tree_schemas import PlanTreeOut
from tests.factories import app_under_test, begin_strategy, make_tiny_plan
from tests.routes.api.conftest import People


@pytest.fixture
def client(database_url: str) -> TestClient:
    return TestClient(app_under_test())


def test_tree_has_the_plan_and_its_rollups(session: Session, client: TestClient) -> None:
    make_tiny_plan(session)
    answer = client.get("/api/v1/plans/testville-service/tree")
    assert answer.status_code == 200
    tree = answer.json()
    assert tree["title"] == "Testville Customer Service Plan"
    assert tree["vision"] == "Every resident served well."
    assert tree["terminology"]["strategy"] == "Recommendation"
    access, tools = tree["focus_areas"]
    assert [s["code"] for s in access["strategies"]] == ["1.1", "1.2"]
    first = access["strategies"][0]
    assert first["department"] == "CC" and first["goals"] == ["G1"] and first["phase"] == "1"
    assert first["steps"][0]["title"] == "Hire bilingual staff"
    assert first["steps"][0]["sub_steps"][0]["title"] == "Post the job"
    assert first["progress"] == 0 and first["progress_source"] == "steps"
    # 1.1 ended 2024-12-31 and is not complete: overdue, which heads the focus area.
    assert first["effective_status"]["code"] == "overdue"
    assert access["rollup"]["headline"] == "overdue"
    assert access["rollup"]["why"] == "1 of 2 recommendations is overdue: 1.1"  # the plan's word
    assert tools["rollup"] == {
        **tools["rollup"],
        "headline": "no_data",
        "mean_progress": None,
        "strategies": 0,
    }
    (metric,) = tree["metrics"]
    assert metric["latest_value"] == 83 and metric["target_in_force"]["value"] == 85
    assert metric["status"]["code"] == "at_risk"
    assert metric["measures"] == "Standard 1: Timely"
    assert [q["number"] for q in tree["quick_wins"]] == [1, 2]
    assert tree["personas"][0]["journeys"][0]["title"] == "Start water service"


def test_progress_follows_the_steps(session: Session, client: TestClient) -> None:
    make_tiny_plan(session)
    session.execute(
        update(WorkplanStep)
        .where(WorkplanStep.parent_id.is_(None))
        .values(done_on=dt.date(2024, 5, 1))
    )
    session.commit()
    first = client.get("/api/v1/plans/testville-service/tree").json()["focus_areas"][0][
        "strategies"
    ][0]
    assert (first["progress"], first["steps"][0]["done_on"]) == (50, "2024-05-01")


def test_unknown_and_unpublished_plans_are_not_found(session: Session, client: TestClient) -> None:
    make_tiny_plan(session)
    assert client.get("/api/v1/plans/nope/tree").status_code == 404
    session.execute(update(Plan).values(published=False))
    session.commit()
    answer = client.get("/api/v1/plans/testville-service/tree")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def _statements_for(client: TestClient, url: str) -> int:
    count = 0

    def tally(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(get_engine(), "before_cursor_execute", tally)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(get_engine(), "before_cursor_execute", tally)
    return count


def test_query_count_does_not_grow_with_the_plan(session: Session, client: TestClient) -> None:
    plan = make_tiny_plan(session)
    small = _statements_for(client, "/api/v1/plans/testville-service/tree")
    focus_area_id = session.get(Strategy, 1).focus_area_id
    for n in range(40):
        strategy = Strategy(
            plan_id=plan.id, focus_area_id=focus_area_id, code=f"9.{n}", title=f"Extra {n}"
        )
        session.add(strategy)
        session.flush()
        session.add(WorkplanStep(strategy_id=strategy.id, title="A step"))
    session.commit()
    # Rows added behind the app's back write no history: the kept tree is dropped so the larger
    # plan is read again (its load's statements are what this counts).
    cached_pages.forget_all()
    assert _statements_for(client, "/api/v1/plans/testville-service/tree") == small


# --- strategies in no focus area ------------------------------------------------------------------


TREE = "/api/v1/plans/testville-service/tree"


def test_strategies_in_no_focus_area_are_in_the_tree(
    session: Session, people: People, client_for: Callable[[User], TestClient]
) -> None:
    admin = client_for(people.admin)  # changing the plan itself: an administrator
    made = admin.post(
        "/api/v1/plans/testville-service/strategies",
        json={"code": "9.1", "title": "Publish the plan's data", "planned_end": "2024-06-30"},
    )
    assert made.status_code == 201, made.text
    step = admin.post(
        f"/api/v1/strategies/{made.json()['id']}/steps", json={"title": "Open data portal"}
    )
    assert step.status_code == 201, step.text
    tree = admin.get(TREE).json()
    (loose,) = tree["strategies"]
    assert (loose["code"], loose["title"]) == ("9.1", "Publish the plan's data")
    assert [s["title"] for s in loose["steps"]] == ["Open data portal"]
    assert loose["effective_status"]["code"] == "overdue"  # ended mid-2024, not complete
    in_areas = [s["code"] for fa in tree["focus_areas"] for s in fa["strategies"]]
    assert "9.1" not in in_areas
    # It counts in the plan's roll-up: 1.1, 1.2 and 9.1, two of them overdue.
    assert tree["rollup"]["strategies"] == 3
    assert tree["rollup"]["why"] == "2 of 3 recommendations are overdue: 1.1, 9.1"


def test_a_plan_with_every_strategy_in_a_focus_area_lists_none_apart(
    session: Session, client: TestClient
) -> None:
    make_tiny_plan(session)
    assert client.get(TREE).json()["strategies"] == []


# --- the answer is the documented shape ---------------------------------------------------------


def _fields_match(value: Any, annotation: Any, where: str) -> list[str]:
    """Where the answer's objects have other fields than their pydantic model documents."""
    problems: list[str] = []
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        if set(value) != set(fields):
            problems.append(f"{where}: {sorted(set(value) ^ set(fields))}")
        for name, info in fields.items():
            if name in value:
                problems += _fields_match(value[name], info.annotation, f"{where}.{name}")
    elif origin is list:
        (item,) = get_args(annotation)
        for i, element in enumerate(value):
            problems += _fields_match(element, item, f"{where}[{i}]")
    elif origin in (Union, UnionType) and value is not None:
        models = [a for a in get_args(annotation) if a is not type(None)]
        if len(models) == 1:
            problems += _fields_match(value, models[0], where)
    return problems


def test_every_object_of_the_answer_has_exactly_its_documented_fields(
    session: Session, client: TestClient
) -> None:
    make_tiny_plan(session)
    answer = client.get(TREE).json()
    assert _fields_match(answer, PlanTreeOut, "tree") == []
    PlanTreeOut.model_validate(answer)  # and the values have the documented types
    # Nested objects are really there to be checked.
    assert answer["focus_areas"][0]["strategies"][0]["steps"][0]["sub_steps"]
    assert answer["metrics"][0]["targets"] and answer["personas"][0]["journeys"]


def test_the_schema_documents_the_strategies_in_no_focus_area_and_the_304(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    schema = spec["components"]["schemas"]["PlanTreeOut"]
    assert "strategies" in schema["required"]
    assert "no focus area" in schema["properties"]["strategies"]["description"]
    assert "304" in spec["paths"]["/api/v1/plans/{slug}/tree"]["get"]["responses"]


# --- ETag and If-None-Match ---------------------------------------------------------------------


def test_an_unchanged_tree_is_answered_304_without_a_body(
    session: Session, client: TestClient
) -> None:
    make_tiny_plan(session)
    first = client.get(TREE)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(TREE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    # Weak form and lists, as caches send them; another tag gets the whole tree.
    listed = client.get(TREE, headers={"If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304
    other = client.get(TREE, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.json() == first.json()


def test_a_change_to_the_plan_gives_a_new_etag(
    session: Session, people: People, client_for: Callable[[User], TestClient]
) -> None:
    lead = client_for(people.cc_lead)
    first = lead.get(TREE)
    begin_strategy(session, first.json()["focus_areas"][0]["strategies"][0]["id"])
    first = lead.get(TREE)
    etag = first.headers["ETag"]
    step_id = first.json()["focus_areas"][0]["strategies"][0]["steps"][0]["id"]
    ticked = lead.post(f"/api/v1/steps/{step_id}/done", json={"version": 1})
    assert ticked.status_code == 200, ticked.text
    after = lead.get(TREE, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert after.json()["focus_areas"][0]["strategies"][0]["steps"][0]["done_on"] is not None
    measured = lead.post(
        f"/api/v1/metrics/{after.json()['metrics'][0]['id']}/measurements",
        json={"period": "2025-07-01", "value": 90},
    )
    assert measured.status_code == 201, measured.text
    latest = lead.get(TREE, headers={"If-None-Match": after.headers["ETag"]})
    assert latest.status_code == 200 and latest.json()["metrics"][0]["latest_value"] == 90


def test_an_etag_does_not_open_a_plan_the_reader_may_not_read(
    session: Session, client: TestClient
) -> None:
    make_tiny_plan(session)
    etag = client.get(TREE).headers["ETag"]
    session.execute(update(Plan).values(published=False))
    session.commit()
    for sent in (etag, "*"):
        assert client.get(TREE, headers={"If-None-Match": sent}).status_code == 404
