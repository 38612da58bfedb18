"""Who may keep an answer (app.routes.cache_control; issue 8 §5, QUALITY row 19).

Signed-in people's answers, pages and API, are never stored (`no-store`), so the back button
asks again instead of showing a form from before a save. Anonymous public answers may be kept
but are revalidated; errors and answers setting a cookie are not kept. Every dynamic answer
varies on Cookie and Authorization, so no cache gives one visibility class's copy to another.
The browser side is tests/e2e/test_back_button.py.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Plan, Strategy
from app.services.accounts import api_tokens
from tests.factories import make_person, make_tiny_plan, signed_in_client

PUBLIC = "public, max-age=0, must-revalidate"
SLUG = "testville-service"


def varies_on_identity(answer) -> bool:  # noqa: ANN001
    names = {name.strip().lower() for name in answer.headers.get("vary", "").split(",")}
    return {"cookie", "authorization"} <= names


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def anonymous(session: Session, tiny: Plan) -> TestClient:
    return signed_in_client(session, None)[0]


@pytest.fixture
def lead(session: Session, tiny: Plan) -> tuple[TestClient, str]:
    return signed_in_client(session, make_person(session, "cc-lead", "lead", department="CC"))


@pytest.fixture
def token_client(session: Session, tiny: Plan) -> TestClient:
    user = make_person(session, "api-admin", "admin")
    _, token = api_tokens.create_api_token(session=session, user=user, name="tests")
    session.commit()
    client, _ = signed_in_client(session, None)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.mark.parametrize(
    "path", ["/", f"/plans/{SLUG}", f"/plans/{SLUG}/roadmap", "/my-work", "/account"]
)
def test_a_signed_in_persons_pages_are_never_stored(
    lead: tuple[TestClient, str], path: str
) -> None:
    client, _ = lead
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert varies_on_identity(answer)


def test_a_saved_form_answer_is_never_stored(
    session: Session, lead: tuple[TestClient, str]
) -> None:
    client, csrf = lead
    page = client.get("/my-work")
    assert page.headers["cache-control"] == "no-store"
    target = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    answer = client.post(
        f"/my-work/strategies/{target.id}/progress",
        data={"version": "1", "status": "on_track", "narrative": "Hiring started."},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/", f"/plans/{SLUG}", f"/plans/{SLUG}/roadmap"])
def test_anonymous_public_pages_may_be_kept_but_are_revalidated(
    anonymous: TestClient, path: str
) -> None:
    answer = anonymous.get(path)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == PUBLIC
    assert varies_on_identity(answer)


def test_the_api_is_public_for_anonymous_readers_and_no_store_for_token_holders(
    anonymous: TestClient, token_client: TestClient
) -> None:
    public = anonymous.get("/api/v1/strategies")
    private = token_client.get("/api/v1/strategies")
    assert (public.status_code, private.status_code) == (200, 200)
    assert public.headers["cache-control"] == PUBLIC
    assert private.headers["cache-control"] == "no-store"
    assert varies_on_identity(public) and varies_on_identity(private)


def test_the_plan_tree_keeps_its_etag_revalidation_and_varies_on_identity(
    anonymous: TestClient, token_client: TestClient
) -> None:
    for client in (anonymous, token_client):
        answer = client.get(f"/api/v1/plans/{SLUG}/tree")
        assert answer.headers["cache-control"] == "private, no-cache"
        assert varies_on_identity(answer)
        again = client.get(
            f"/api/v1/plans/{SLUG}/tree", headers={"If-None-Match": answer.headers["etag"]}
        )
        assert again.status_code == 304
        assert again.headers["cache-control"] == "private, no-cache"
    # The anonymous copy's ETag is not the signed-in one's: a cache never mixes the two.
    assert (
        anonymous.get(f"/api/v1/plans/{SLUG}/tree").headers["etag"]
        != token_client.get(f"/api/v1/plans/{SLUG}/tree").headers["etag"]
    )


def test_anonymous_answers_that_set_a_cookie_or_are_errors_are_not_kept(
    anonymous: TestClient,
) -> None:
    login = anonymous.get("/login")  # sets the sign-in form's CSRF cookie
    assert "set-cookie" in login.headers
    assert login.headers["cache-control"] == "no-store"
    for answer in (
        anonymous.get("/plans/nowhere"),
        anonymous.get("/api/v1/strategies/999999"),
        anonymous.post("/api/v1/strategies/1/progress", json={"version": 1}),
        anonymous.get("/my-work", follow_redirects=False),
    ):
        assert answer.status_code in (303, 401, 404), answer.status_code
        assert answer.headers["cache-control"] == "no-store", answer.request.url
        assert varies_on_identity(answer)


def test_static_files_keep_their_own_validators(anonymous: TestClient) -> None:
    answer = anonymous.get("/static/app/app.js")
    assert answer.status_code == 200
    assert "etag" in answer.headers
    assert "cache-control" not in answer.headers
    assert not varies_on_identity(answer)
