"""Heavy renders are bounded (issue 11): at most RENDER_SLOTS PDFs (and XLSX workbooks) at once in
a process; a request that gets no slot within RENDER_WAIT_S answers 503 with Retry-After and a
readable page, never a hang and never a 500, and is served once a slot is free.

The slots are held here through the public mechanism (`render_slot`), in another thread, as a
render in progress holds one: the PDF itself is never stubbed."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session
from starlette.testclient import TestClient

from app.services.exports import report_cache, report_pdf
from app.services.exports.render_slots import RendersBusy, render_slot
from app.settings import get_settings
from tests.factories import make_person, make_tiny_plan, signed_in_client

SLUG = "testville-service"
PDF = f"/plans/{SLUG}/report.pdf"
WAIT_S = 0.3


@pytest.fixture
def slots(database_url: str) -> Iterator[None]:
    """One render slot per process, and a third of a second's wait for it; no PDF kept from
    before (report_cache), so each request here renders."""
    report_cache.forget_all()
    names = {"RENDER_SLOTS": "1", "RENDER_WAIT_S": str(WAIT_S)}
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


class Busy:
    """A render in progress in another thread: it holds a slot until `finish()`."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with render_slot("pdf"):
            self.holding.set()
            self.done.wait(timeout=30)

    def __enter__(self) -> Busy:
        self.thread.start()
        assert self.holding.wait(timeout=5)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.done.set()
        self.thread.join(timeout=5)


@pytest.fixture
def anonymous(session: Session, slots: None) -> TestClient:
    make_tiny_plan(session)
    return signed_in_client(session, None)[0]


def test_a_pdf_past_the_slots_answers_503_with_retry_after_then_200_when_free(
    anonymous: TestClient,
) -> None:
    with Busy():
        started = time.perf_counter()
        answer = anonymous.get(PDF)
        waited = time.perf_counter() - started
        assert answer.status_code == 503
        retry = int(answer.headers["Retry-After"])
        assert 1 <= retry <= 60
        assert WAIT_S * 0.9 <= waited < 5  # it waited its turn, briefly, then said so
        text = BeautifulSoup(answer.text, "html.parser").get_text(" ", strip=True)
        assert f"being prepared for others; try again in {retry} seconds" in text
    answer = anonymous.get(PDF)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_a_request_waiting_for_a_slot_gets_it_when_one_comes_free(
    anonymous: TestClient,
) -> None:
    os.environ["RENDER_WAIT_S"] = "10"
    get_settings.cache_clear()
    busy = Busy()
    with busy:
        threading.Timer(0.3, busy.done.set).start()  # the other render ends meanwhile
        answer = anonymous.get(PDF)
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")


def test_the_xlsx_export_shares_the_slots_and_csv_does_not(session: Session, slots: None) -> None:
    make_tiny_plan(session)
    client = signed_in_client(session, make_person(session, "tv-coord", "coordinator"))[0]
    with Busy():
        refused = client.get(f"/plans/{SLUG}/scorecard.xlsx")
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) >= 1
        assert "spreadsheet is being prepared for others" in refused.text
        assert client.get(f"/plans/{SLUG}/scorecard.csv").status_code == 200
    answer = client.get(f"/plans/{SLUG}/scorecard.xlsx")
    assert answer.status_code == 200
    assert answer.content.startswith(b"PK")  # a zip: the workbook


def test_render_pdf_itself_is_bounded_for_every_route_that_calls_it(slots: None) -> None:
    """The session report and any later PDF route call render_pdf: the bound lives there."""
    with Busy(), pytest.raises(RendersBusy) as refused:
        report_pdf.render_pdf("<p>Hello</p>")
    assert refused.value.status_code == 503 and refused.value.retry_after >= 1
    assert report_pdf.render_pdf("<p>Hello</p>").startswith(b"%PDF")


def test_slots_let_that_many_renders_in_at_once(slots: None) -> None:
    os.environ["RENDER_SLOTS"] = "2"
    get_settings.cache_clear()
    # Two renders in progress: the third waits, then is refused.
    with Busy(), Busy(), pytest.raises(RendersBusy), render_slot("pdf"):
        pass
    with Busy(), render_slot("pdf"):  # one in progress: the second goes ahead
        pass
