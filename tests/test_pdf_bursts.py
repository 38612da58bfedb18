"""A burst of report PDFs against a live server with two workers (issue 11): every request is
answered, with the PDF or with 503 and Retry-After, never a 500 and never a hang; the server
renders at most RENDER_SLOTS at once per worker (1 here, so the burst meets the bound)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import new_database_url
from tests.live_server import LiveServer, start_server

pytestmark = pytest.mark.slow

PDF = "/plans/san-jose-customer-service/report.pdf"
BURST = 8


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, template_database: str) -> Iterator[LiveServer]:
    url = new_database_url(request, template_database)
    live = start_server(
        url,
        workers=2,
        extra_env={
            "RENDER_SLOTS": "1",
            "RENDER_WAIT_S": "0.5",
            "DATABASE_POOL_SIZE": "10",
            "DATABASE_MAX_OVERFLOW": "15",
        },
    )
    try:
        yield live
    finally:
        live.stop()


def _get(url: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=120) as http:  # a hang fails the test, not CI
        return http.get(PDF)


def test_a_burst_of_pdfs_gets_each_a_pdf_or_503_with_retry_after(server: LiveServer) -> None:
    with concurrent.futures.ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(_get, [server.url] * BURST))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert 200 in statuses, statuses
    assert 503 in statuses, statuses  # 8 renders of ~2 s, 2 slots, half a second's wait
    for answer in answers:
        if answer.status_code == 200:
            assert answer.content.startswith(b"%PDF")
        else:
            assert int(answer.headers["Retry-After"]) >= 1
            assert "being prepared for others; try again in" in answer.text
    # Once the burst is over, the same request is served.
    again = _get(server.url)
    assert again.status_code == 200 and again.content.startswith(b"%PDF")
