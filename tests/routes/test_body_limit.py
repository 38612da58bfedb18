"""Request bodies have a size (app.routes.body_limit), in-process: the exact edges.

MAX_BODY_BYTES (1 MiB) is accepted, one byte more is 413, whether Content-Length announces it or
the body streams in chunks without one; the 413 is JSON for the API and a short page otherwise,
with the security headers. A route marked `takes_files` may take up to MAX_UPLOAD_BYTES, and
its file lands in a temporary file on disk. The live-server test (test_body_limit_live.py) shows
the server's memory does not grow.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, UploadFile
from starlette.testclient import TestClient

from app.main import create_app
from app.routes.body_limit import takes_files
from app.settings import get_settings

LIMIT = 1_048_576
PROGRESS = "/api/v1/strategies/1/progress"
JSON = {"content-type": "application/json"}


def json_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    head, tail = b'{"version": 1, "note": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator: the test client then sends the body chunked, with no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.fixture
def anonymous(database_url: str) -> TestClient:
    return TestClient(create_app())


def test_the_default_limit_is_one_mebibyte() -> None:
    assert get_settings().max_body_bytes == LIMIT


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_body_of_exactly_the_limit_reaches_the_route(
    anonymous: TestClient, streamed: bool
) -> None:
    body = json_body(LIMIT)
    answer = anonymous.post(PROGRESS, content=chunks(body) if streamed else body, headers=JSON)
    # Read and answered by the route: anonymous writers are told to sign in.
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_one_byte_over_the_limit_is_413_in_json_with_the_security_headers(
    anonymous: TestClient, streamed: bool
) -> None:
    body = json_body(LIMIT + 1)
    answer = anonymous.post(PROGRESS, content=chunks(body) if streamed else body, headers=JSON)
    assert answer.status_code == 413
    assert answer.json() == {
        "error": {
            "code": "body_too_large",
            "message": "The request body is larger than the 1,048,576 bytes this address accepts.",
            "limit": LIMIT,
        }
    }
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["connection"] == "close"


def test_a_content_length_over_the_limit_is_refused_before_any_byte_is_read(
    anonymous: TestClient,
) -> None:
    read: list[int] = []

    def body() -> Iterator[bytes]:
        for _ in range(3):
            read.append(1)
            yield b" " * 1_000_000

    # Announced as 3 MB: the answer comes before the app asks for the body.
    answer = anonymous.post(PROGRESS, content=body(), headers={**JSON, "content-length": "3000000"})
    assert answer.status_code == 413
    assert read == []


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_page_form_over_the_limit_gets_a_short_page(
    anonymous: TestClient, streamed: bool
) -> None:
    body = b"username=a&password=" + b"p" * LIMIT
    answer = anonymous.post(
        "/login",
        content=chunks(body) if streamed else body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Too large</h1>" in answer.text
    assert "1,048,576 bytes" in answer.text
    assert answer.headers["x-frame-options"] == "DENY"


def test_a_small_form_still_reaches_its_route(anonymous: TestClient) -> None:
    answer = anonymous.post(
        "/login",
        content=b"username=a&password=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 403  # the sign-in form's CSRF token is missing: read, refused


# --- routes that take files ----------------------------------------------------------------------

UPLOAD_LIMIT = 3 * LIMIT


@pytest.fixture
def upload_app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The app with MAX_UPLOAD_BYTES=3 MiB and a route that takes a file, as an upload route
    (a plan file, a sheet of measurements) will."""
    monkeypatch.setenv("MAX_UPLOAD_BYTES", str(UPLOAD_LIMIT))
    get_settings.cache_clear()
    app = create_app()
    uploads = APIRouter()  # included with a prefix, as the API's and the pages' routes are

    @uploads.post("/test-upload")
    @takes_files
    async def upload(file: UploadFile) -> dict[str, object]:
        content = await file.read()
        return {"size": len(content), "on_disk": bool(getattr(file.file, "_rolled", False))}

    app.include_router(uploads, prefix="/api/v1")

    @app.post("/api/v1/test-not-upload")
    async def not_upload(file: UploadFile) -> dict[str, int]:
        return {"size": len(await file.read())}

    yield app
    monkeypatch.undo()
    get_settings.cache_clear()


def multipart(size: int) -> tuple[bytes, dict[str, str]]:
    """A multipart body of exactly `size` bytes holding one file."""
    boundary = "plantrack-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="plan.yaml"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"a" * (size - len(head) - len(tail)) + tail
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_route_that_takes_files_accepts_up_to_the_upload_limit_onto_disk(
    upload_app: FastAPI, streamed: bool
) -> None:
    body, headers = multipart(UPLOAD_LIMIT)
    answer = TestClient(upload_app).post(
        "/api/v1/test-upload", content=chunks(body) if streamed else body, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["on_disk"] is True  # spooled to a temporary file, not held in memory
    assert answer.json()["size"] > 3_000_000


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_route_that_takes_files_refuses_one_byte_over_the_upload_limit(
    upload_app: FastAPI, streamed: bool
) -> None:
    body, headers = multipart(UPLOAD_LIMIT + 1)
    answer = TestClient(upload_app).post(
        "/api/v1/test-upload", content=chunks(body) if streamed else body, headers=headers
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["limit"] == UPLOAD_LIMIT


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_route_not_marked_keeps_the_ordinary_limit(upload_app: FastAPI, streamed: bool) -> None:
    body, headers = multipart(LIMIT + 1)
    answer = TestClient(upload_app).post(
        "/api/v1/test-not-upload", content=chunks(body) if streamed else body, headers=headers
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["limit"] == LIMIT


def test_a_length_over_every_routes_limit_is_refused_before_the_app_runs(
    upload_app: FastAPI,
) -> None:
    body, headers = multipart(UPLOAD_LIMIT + 1)
    # Not even routed: a path no route answers still gets the 413, not a 404.
    answer = TestClient(upload_app).post("/api/v1/nowhere", content=body, headers=headers)
    assert answer.status_code == 413
    assert answer.json()["error"] == {
        "code": "body_too_large",
        "message": "The request body is larger than the 3,145,728 bytes any address accepts.",
        "limit": UPLOAD_LIMIT,
    }
