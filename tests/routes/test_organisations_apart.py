"""Organisations are apart (issue 15, §1): a Philadelphia organisation administrator reads of San
José only what the public reads. Its internal narratives, its unpublished plans and its history
are refused through the API and the pages alike; San José's own administrator and an
installation administrator read them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import Plan, Strategy, User
from app.models.enums import Role
from app.models.strategy import ProgressUpdateIn
from app.services.accounts import api_tokens
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR, app_under_test, make_person, signed_in_client

API = "/api/v1"
SJ = "san-jose-customer-service"
NARRATIVE = "Vendor contract stalled in legal review"
NOTE = "Council asked to keep this quiet until March"


@pytest.fixture
def san_jose(session: Session) -> Strategy:
    """San José's and Philadelphia's plans; a San José strategy with an internal narrative and a
    progress update whose note is in the history."""
    for seed in ("san-jose.yaml", "philadelphia-cso-program.yaml", "philadelphia-fleet.yaml"):
        import_plan_path(session=session, path=SEEDS_DIR / seed)
    session.commit()
    plan = session.exec(select(Plan).where(Plan.slug == SJ)).one()
    strategy = session.exec(
        select(Strategy).where(Strategy.plan_id == plan.id).order_by(col(Strategy.id))
    ).first()
    assert strategy is not None
    record_strategy_progress(
        session=session,
        strategy=strategy,
        actor=Actor(name="San José coordinator"),
        data=ProgressUpdateIn(version=strategy.version, status="at_risk", note=NOTE),
    )
    session.execute(
        update(Strategy).where(col(Strategy.id) == strategy.id).values(narrative=NARRATIVE)
    )
    session.commit()
    session.refresh(strategy)
    return strategy


def people(session: Session) -> dict[str, User]:
    root = User(username="root", role=Role.admin, is_installation_admin=True)
    session.add(root)
    session.commit()
    return {
        "philadelphia admin": make_person(
            session, "phl-admin", Role.admin, organization="philadelphia"
        ),
        "san josé admin": make_person(session, "sj-admin", Role.admin, organization="san-jose"),
        "installation admin": root,
    }


def api_client(session: Session, user: User) -> TestClient:
    _, token = api_tokens.create_api_token(session=session, user=user, name="tests")
    session.commit()
    return TestClient(app_under_test(), headers={"Authorization": f"Bearer {token}"})


def unpublish(session: Session) -> None:
    session.execute(update(Plan).where(col(Plan.slug) == SJ).values(published=False))
    session.commit()


READERS = ["san josé admin", "installation admin"]


def _api_readings(client: TestClient, strategy: Strategy) -> dict[str, Any]:
    history = client.get(f"{API}/history", params={"subject_type": "strategy"})
    assert history.status_code == 200
    notes = [e.get("note") for e in history.json()["items"]]
    tree = client.get(f"{API}/plans/{SJ}/tree").json()
    return {
        "strategy": client.get(f"{API}/strategies/{strategy.id}").json()["narrative"],
        "tree": NARRATIVE in str(tree),
        "history": NOTE in notes,
    }


def test_api_refuses_san_joses_narratives_and_history_to_a_philadelphia_admin(
    session: Session, san_jose: Strategy
) -> None:
    who = people(session)
    outsider = _api_readings(api_client(session, who["philadelphia admin"]), san_jose)
    assert outsider == {"strategy": None, "tree": False, "history": False}
    for reader in READERS:
        inside = _api_readings(api_client(session, who[reader]), san_jose)
        assert inside == {"strategy": NARRATIVE, "tree": True, "history": True}, reader


def test_api_hides_san_joses_unpublished_plan_from_a_philadelphia_admin(
    session: Session, san_jose: Strategy
) -> None:
    unpublish(session)
    who = people(session)
    phl = api_client(session, who["philadelphia admin"])
    assert phl.get(f"{API}/plans/{SJ}").status_code == 404
    assert phl.get(f"{API}/plans/{SJ}/tree").status_code == 404
    assert phl.get(f"{API}/strategies/{san_jose.id}").status_code == 404
    assert SJ not in [p["slug"] for p in phl.get(f"{API}/plans").json()["items"]]
    assert phl.get(f"{API}/history", params={"plan": SJ}).status_code == 404
    for reader in READERS:
        client = api_client(session, who[reader])
        assert client.get(f"{API}/plans/{SJ}").status_code == 200, reader
        assert SJ in [p["slug"] for p in client.get(f"{API}/plans").json()["items"]], reader


def _page_readings(client: TestClient, strategy: Strategy) -> dict[str, Any]:
    page = client.get(f"/plans/{SJ}/strategies/{strategy.code}")
    assert page.status_code == 200
    # The match itself is marked up in the results: look for the narrative's other words.
    search = client.get(f"/plans/{SJ}/search", params={"q": "stalled"})
    assert search.status_code == 200
    activity = client.get("/activity")
    return {
        "strategy page": NARRATIVE in page.text,
        "strategy history": NOTE in page.text,
        "search": "Vendor contract" in search.text and "in legal review" in search.text,
        "activity": activity.status_code == 200 and NOTE in activity.text,
    }


def test_pages_refuse_san_joses_narratives_and_history_to_a_philadelphia_admin(
    session: Session, san_jose: Strategy
) -> None:
    who = people(session)
    client, _ = signed_in_client(session, who["philadelphia admin"])
    assert _page_readings(client, san_jose) == dict.fromkeys(
        ("strategy page", "strategy history", "search", "activity"), False
    )
    client, _ = signed_in_client(session, who["san josé admin"])
    assert _page_readings(client, san_jose) == dict.fromkeys(
        ("strategy page", "strategy history", "search", "activity"), True
    )


def test_pages_hide_san_joses_unpublished_plan_from_a_philadelphia_admin(
    session: Session, san_jose: Strategy
) -> None:
    unpublish(session)
    who = people(session)
    phl, _ = signed_in_client(session, who["philadelphia admin"])
    for url in (f"/plans/{SJ}", f"/plans/{SJ}/strategies/{san_jose.code}", f"/plans/{SJ}/roadmap"):
        assert phl.get(url).status_code == 404, url
    assert SJ not in phl.get("/plans").text
    for reader in READERS:
        client, _ = signed_in_client(session, who[reader])
        assert client.get(f"/plans/{SJ}").status_code == 200, reader


def test_api_shows_san_joses_archived_items_to_its_administrators_alone(
    session: Session, san_jose: Strategy
) -> None:
    """`include_archived` is for administrators: of the item's own organisation (or the
    installation's), not of another one."""
    session.execute(
        update(Strategy)
        .where(col(Strategy.id) == san_jose.id)
        .values(archived_at=san_jose.updated_at)
    )
    session.commit()
    who = people(session)
    archived = {"include_archived": "true"}

    def listed(client: TestClient) -> bool:
        answer = client.get(f"{API}/strategies", params={**archived, "plan": SJ, "limit": 200})
        assert answer.status_code == 200, answer.text
        return san_jose.id in [s["id"] for s in answer.json()["items"]]

    phl = api_client(session, who["philadelphia admin"])
    assert phl.get(f"{API}/strategies/{san_jose.id}", params=archived).status_code == 404
    assert not listed(phl)
    for reader in READERS:
        client = api_client(session, who[reader])
        assert client.get(f"{API}/strategies/{san_jose.id}", params=archived).status_code == 200
        assert listed(client), reader
