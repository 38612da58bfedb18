"""A report PDF made once is kept (issue 11): the same download again is not rendered again, an
edit of the plan makes a new one, and no PDF crosses from the staff to the public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import Strategy
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.exports import report_cache, report_pdf
from tests.factories import make_person, make_tiny_plan, signed_in_client
from tests.routes.pages.test_render_slots import Busy, slots  # noqa: F401 (a fixture)
from tests.routes.pages.test_report import box_texts

SLUG = "testville-service"
PDF = f"/plans/{SLUG}/report.pdf"
NARRATIVE = "Internal narrative: the contract is signed"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    report_cache.forget_all()
    yield
    report_cache.forget_all()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of each PDF the app lays out (the real renderer, watched)."""
    seen: list[str] = []
    real = report_pdf.render_document

    def watched(html: str, *, paper: str = "a4") -> Any:
        document = real(html, paper=paper)
        seen.append(" ".join(t for p in document.pages for t in box_texts(p._page_box)))
        return document

    monkeypatch.setattr(report_pdf, "render_document", watched)
    return seen


def _progress(session: Session, narrative: str) -> None:
    lead = make_person(session, "cc-lead", "lead", department="CC")
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(version=strategy.version, status="on_track", narrative=narrative),  # type: ignore[arg-type]
        actor=Actor(user=lead),
    )
    session.commit()


def test_the_same_download_again_is_not_rendered_again(
    session: Session, renders: list[str]
) -> None:
    make_tiny_plan(session)
    client = signed_in_client(session, None)[0]
    first = client.get(PDF)
    second = client.get(PDF)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and len(renders) == 1
    assert client.get(PDF, params={"paper": "letter"}).status_code == 200
    assert len(renders) == 2  # another paper, another PDF


def test_an_edit_of_the_plan_makes_a_new_pdf(session: Session, renders: list[str]) -> None:
    make_tiny_plan(session)
    staff = signed_in_client(session, make_person(session, "tv-coord", "coordinator"))[0]
    assert staff.get(PDF).status_code == 200
    assert NARRATIVE not in renders[0]
    _progress(session, NARRATIVE)
    answer = staff.get(PDF)
    assert answer.status_code == 200 and len(renders) == 2
    assert NARRATIVE in renders[1]


def test_no_pdf_crosses_from_the_staff_to_the_public(session: Session, renders: list[str]) -> None:
    make_tiny_plan(session)
    _progress(session, NARRATIVE)
    staff = signed_in_client(session, make_person(session, "tv-coord", "coordinator"))[0]
    anonymous = signed_in_client(session, None)[0]
    inside = staff.get(PDF)
    public = anonymous.get(PDF)
    assert inside.status_code == public.status_code == 200
    assert len(renders) == 2 and inside.content != public.content
    assert NARRATIVE in renders[0] and NARRATIVE not in renders[1]


def test_a_kept_pdf_is_served_while_the_slots_are_busy(
    session: Session,
    slots: None,  # noqa: F811 (the fixture)
) -> None:
    make_tiny_plan(session)
    client = signed_in_client(session, None)[0]
    made = client.get(PDF)
    assert made.status_code == 200
    with Busy():
        again = client.get(PDF)
        assert again.status_code == 200 and again.content == made.content
        assert client.get(PDF, params={"paper": "letter"}).status_code == 503  # not kept yet
