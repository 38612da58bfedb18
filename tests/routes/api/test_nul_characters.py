"""Text the database cannot hold (U+0000) and ids past its integers: a 422 naming the place,
nothing saved, on SQLite and PostgreSQL alike (PostgreSQL answered 500 before; fuzzer finds)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Plan, Strategy, User
from tests.factories import app_under_test, signed_in_client
from tests.routes.api.conftest import API, People


def fields(answer) -> list[str]:  # noqa: ANN001
    assert answer.status_code == 422, answer.text
    return [f["field"] for f in answer.json()["error"]["fields"]]


def test_a_nul_in_a_json_field_is_refused_by_name_and_nothing_saved(
    session: Session,
    plan: Plan,
    people: People,
    client_for: Callable[[User], TestClient],
) -> None:
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    admin = client_for(people.admin)
    answer = admin.post(
        f"{API}/strategies/{strategy.id}/progress",
        json={"version": strategy.version, "narrative": "before\u0000after", "note": "ok"},
    )
    assert fields(answer) == ["narrative"]
    assert "NUL" in answer.json()["error"]["message"]
    answer = admin.patch(
        f"{API}/strategies/{strategy.id}",
        json={"version": strategy.version, "leads": ["Ana", "B\u0000b"]},
    )
    assert fields(answer) == ["leads.1"]  # as a too-long lead is named
    session.expire_all()
    assert session.get(Strategy, strategy.id).version == strategy.version  # type: ignore[union-attr]


def test_a_nul_in_the_path_or_query_is_refused_by_name(plan: Plan) -> None:
    anonymous = TestClient(app_under_test())
    assert fields(anonymous.get(f"{API}/plans/test%00ville-service")) == ["slug"]
    assert fields(anonymous.get(f"{API}/plans", params={"organization": "a\u0000"})) == [
        "organization"
    ]
    page = anonymous.get("/plans/testville-service/search", params={"q": "x\u0000"})
    assert page.status_code == 422
    assert "q: must not contain the NUL character" in page.text
    assert "query.q" not in page.text


def test_a_nul_in_a_page_form_is_refused_with_the_field(
    session: Session, plan: Plan, people: People
) -> None:
    client, csrf = signed_in_client(session, people.cc_lead)
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    answer = client.post(
        f"/my-work/strategies/{strategy.id}/progress",
        data={"version": strategy.version, "narrative": "a\u0000b", "csrf_token": csrf},
    )
    assert answer.status_code == 422
    assert "narrative" in answer.text and "NUL character" in answer.text


def test_ids_and_versions_past_the_database_integers_are_refused_by_name(
    session: Session,
    plan: Plan,
    people: People,
    client_for: Callable[[User], TestClient],
) -> None:
    admin = client_for(people.admin)
    too_big = 2**31
    assert fields(admin.get(f"{API}/strategies/{too_big}")) == ["strategy_id"]
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    answer = admin.post(
        f"{API}/strategies/{strategy.id}/progress", json={"version": too_big, "progress": 5}
    )
    assert fields(answer) == ["version"]
    answer = admin.post(
        f"{API}/strategies/{strategy.id}/progress",
        json={"version": strategy.version, "progress": 5},
        headers={"If-Match": f'"{too_big}"'},
    )
    assert fields(answer) == ["if-match"]
    client, csrf = signed_in_client(session, people.cc_lead)
    answer = client.post(
        f"/my-work/strategies/{too_big}/progress",
        data={"version": 1, "progress": 5, "csrf_token": csrf},
    )
    assert answer.status_code == 422
