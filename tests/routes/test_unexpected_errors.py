"""An exception no handler knows: PlanTrack's own error page (JSON for the API), with every
security header and a request id that the log line with the traceback also carries; and an
`X-Request-ID` on every answer.

The failing routes are registered on an app built here, for the test only.
"""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from sqlmodel import Session
from starlette.testclient import TestClient

from app.auth import CurrentUser
from app.deps import SessionDep
from app.main import create_app
from app.models import Plan
from app.routes.security_headers import HEADERS
from tests.factories import make_person, make_tiny_plan, signed_in_client

SECRET = "the database said something private"


def failing_app() -> FastAPI:
    app = create_app()

    def boom(session: SessionDep, user: CurrentUser) -> None:
        # A real query first, so the failure passes through an open request session.
        session.get(Plan, 1)
        raise RuntimeError(SECRET)

    app.add_api_route("/test-only/boom", boom, methods=["GET", "POST"])
    app.add_api_route("/api/v1/test-only/boom", boom, methods=["GET"])
    return app


def assert_security_headers(answer) -> None:  # noqa: ANN001
    for name, value in HEADERS.items():
        assert answer.headers.get(name.decode()) == value.decode(), name


def logged_failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "plantrack.errors" and r.exc_info]


@pytest.fixture
def app(database_url: str) -> FastAPI:
    return failing_app()


def test_an_unexpected_error_is_our_page_with_headers_and_a_logged_request_id(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    # raise_server_exceptions stays on: had the exception left the app, the client would raise.
    answer = TestClient(app).get("/test-only/boom")

    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert_security_headers(answer)
    request_id = answer.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert "<title>Something went wrong · PlanTrack</title>" in answer.text  # the base layout
    assert 'href="/static/app/app.css"' in answer.text
    assert request_id in answer.text
    assert SECRET not in answer.text and "Traceback" not in answer.text

    (record,) = logged_failures(caplog)
    assert request_id in record.getMessage()
    assert "GET /test-only/boom" in record.getMessage()
    assert record.exc_info is not None and str(record.exc_info[1]) == SECRET
    assert "Traceback" in caplog.text and SECRET in caplog.text


def test_the_api_answers_an_unexpected_error_with_a_json_error(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    answer = TestClient(app).get("/api/v1/test-only/boom")

    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/json"
    assert_security_headers(answer)
    request_id = answer.headers["x-request-id"]
    assert answer.json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side. It has been logged; please try again "
            "later.",
            "request_id": request_id,
        }
    }
    (record,) = logged_failures(caplog)
    assert request_id in record.getMessage()


def test_a_signed_in_user_gets_the_page_in_their_layout_and_htmx_a_fragment(
    app: FastAPI, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    make_tiny_plan(session)
    signed_in, _ = signed_in_client(session, make_person(session, "ada", "admin"))
    client = TestClient(app, cookies=signed_in.cookies)

    answer = client.get("/test-only/boom")
    assert answer.status_code == 500
    assert "<h1>Something went wrong</h1>" in answer.text
    assert '<a href="/account">Ada</a>' in answer.text  # the layout still knows who is asking
    assert_security_headers(answer)

    fragment = client.get("/test-only/boom", headers={"HX-Request": "true"})
    assert fragment.status_code == 500
    assert "<html" not in fragment.text and 'role="alert"' in fragment.text
    assert fragment.headers["x-request-id"] in fragment.text
    assert len(logged_failures(caplog)) == 2


def test_every_answer_carries_its_own_request_id(app: FastAPI) -> None:
    client = TestClient(app)
    answers = [
        client.get("/healthz"),
        client.get("/plans"),
        client.get("/no-such-page"),
        client.get("/api/v1/plans/no-such-plan"),
        client.get("/my-work", follow_redirects=False),
        client.get("/static/app/app.css"),
        client.delete("/plans"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404, 404, 303, 200, 405]
    ids = [a.headers["x-request-id"] for a in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_proxys_well_formed_request_id_is_kept_anything_else_replaced(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(app)
    kept = "3f2a9c1e-77b0-4d1e.edge_7"
    answer = client.get("/test-only/boom", headers={"X-Request-ID": kept})
    assert answer.headers["x-request-id"] == kept
    assert kept in logged_failures(caplog)[0].getMessage()

    for sent in ("short", "x" * 65, "two words here", "id;drop", "<script>alert(1)</script>"):
        answer = client.get("/healthz", headers={"X-Request-ID": sent})
        assert answer.headers["x-request-id"] != sent
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"])
