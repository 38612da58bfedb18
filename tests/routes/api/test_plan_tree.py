"""GET /api/v1/plans/{slug}/tree: the whole plan with roll-ups, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, update
from sqlmodel import Session
from starlette.testclient import TestClient

from app.db import get_engine
from app.main import create_app
from app.models import Plan, Strategy, WorkplanStep
from tests.factories import make_tiny_plan


@pytest.fixture
def client(database_url: str) -> TestClient:
    return TestClient(create_app())


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
    assert _statements_for(client, "/api/v1/plans/testville-service/tree") == small
