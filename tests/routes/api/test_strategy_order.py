"""PUT /plans/{slug}/strategies/order: a focus area's strategies in a new order, as the page's
Move up / Move down do one step at a time."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import FocusArea, Plan, Strategy, User
from tests.routes.api.conftest import API, People, history, history_count

Client = Callable[[User], TestClient]


def _area_and_strategies(session: Session, plan: Plan) -> tuple[int, list[int]]:
    area = session.exec(
        select(FocusArea).where(FocusArea.plan_id == plan.id, FocusArea.code == "1")
    ).one()
    ids = session.exec(
        select(Strategy.id).where(Strategy.focus_area_id == area.id).order_by(Strategy.position)
    ).all()
    return area.id, list(ids)  # type: ignore[return-value, arg-type]


def test_a_new_order_is_saved_and_recorded_on_the_plan(
    session: Session, plan: Plan, people: People, client_for: Client
) -> None:
    area, ids = _area_and_strategies(session, plan)
    client = client_for(people.admin)
    url = f"{API}/plans/{plan.slug}/strategies/order"
    answer = client.put(url, json={"ids": ids[::-1], "focus_area_id": area})
    assert answer.status_code == 200, answer.json()
    assert [s["id"] for s in answer.json()] == ids[::-1]
    listed = client.get(f"{API}/strategies", params={"plan": plan.slug}).json()["items"]
    assert [s["id"] for s in listed if s["id"] in ids] == ids[::-1]
    entry = history(session, "plan", plan.id)[-1]  # type: ignore[arg-type]
    assert entry["changes"] == {f"strategies_order_in_focus_area_{area}": (ids, ids[::-1])}


def test_every_strategy_once_or_422_and_leads_may_not(
    session: Session, plan: Plan, people: People, client_for: Client
) -> None:
    area, ids = _area_and_strategies(session, plan)
    url = f"{API}/plans/{plan.slug}/strategies/order"
    entries = history_count(session)
    answer = client_for(people.admin).put(url, json={"ids": ids[:1], "focus_area_id": area})
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["field"] == "ids"
    lead = client_for(people.cc_lead).put(url, json={"ids": ids[::-1], "focus_area_id": area})
    assert lead.status_code == 403
    assert history_count(session) == entries
