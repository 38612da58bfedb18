"""A performance session's briefing book (issue 11), over HTTP: /sessions/{id}/report and its PDF
show the session's pack (cover, contents, summary, a section per focus area, charts from the
points the pack kept, open action items, the session's decisions and action items); a closed
session's book is what was presented, whatever the plan became since; only the organisation's
signed-in people read it, as they read the session's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Department, FocusArea, Metric, PerformanceSession, Strategy, User
from app.models.enums import Role
from app.models.metric import MeasurementIn
from app.models.sessions import ActionItemCreate, DecisionCreate, SessionClose, SessionCreate
from app.models.strategy import ProgressUpdateIn, StrategyUpdate
from app.services.changes import metrics as metric_changes
from app.services.changes.history import Actor
from app.services.changes.strategies import update_strategy
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.exports import report_pdf
from app.services.sessions import writes
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client
from tests.routes.pages.test_report import box_texts

TITLE = "Council prep: access"
DECISION = "Fund the Spanish chat pilot"
ACTION = "Staff the chat desk on Saturdays"
NARRATIVE = "Chat pilot answers in Spanish"
OLD_NAME = "Answer in language"
NEW_NAME = "Speak every language"


def _text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The WeasyPrint documents the PDF route lays out (their pages' text is readable)."""
    documents: list[Any] = []
    real = report_pdf.render_document

    def keep(html: str, *, paper: str = "a4") -> Any:
        documents.append(real(html, paper=paper))
        return documents[-1]

    monkeypatch.setattr(report_pdf, "render_document", keep)
    return documents


@pytest.fixture
def coordinator(session: Session) -> User:
    make_tiny_plan(session)
    return make_person(session, "coco", Role.coordinator)


def _held(session: Session, coordinator: User, *, close: bool) -> PerformanceSession:
    """A session over focus area 1 (Access) held today, after an update of 1.1 with a
    narrative, with a decision and an action item for Contact Centre linked to 1.1."""
    actor = Actor(user=coordinator)
    s11 = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    record_strategy_progress(
        session=session,
        strategy=s11,
        data=ProgressUpdateIn(version=s11.version, status="at_risk", narrative=NARRATIVE),  # type: ignore[arg-type]
        actor=actor,
    )
    access = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
    cc = session.exec(select(Department).where(Department.code == "CC")).one()
    held = writes.schedule_session(
        session=session,
        organization_id=coordinator.organization_id,  # type: ignore[arg-type]
        data=SessionCreate(
            held_on=dt.date.today(),
            title=TITLE,
            attendees="Mayor, CC director",
            focus_area_ids=[access.id],  # type: ignore[list-item]
        ),
        actor=actor,
    )
    writes.add_decision(session=session, held=held, data=DecisionCreate(text=DECISION), actor=actor)
    writes.add_action_item(
        session=session,
        held=held,
        data=ActionItemCreate(
            what=ACTION,
            department_id=cc.id,  # type: ignore[arg-type]
            due_on=dt.date.today() + dt.timedelta(days=30),
            link_kind="strategy",  # type: ignore[arg-type]
            link_id=s11.id,
        ),
        actor=actor,
    )
    if close:
        writes.close_session(
            session=session, held=held, data=SessionClose(version=held.version), actor=actor
        )
    session.commit()
    return held


@pytest.fixture
def closed(session: Session, coordinator: User) -> PerformanceSession:
    return _held(session, coordinator, close=True)


@pytest.fixture
def staff(session: Session, coordinator: User) -> TestClient:
    return signed_in_client(session, coordinator)[0]


def _rename_and_measure(session: Session, coordinator: User) -> None:
    """Later edits to the plan: 1.1 renamed, FCR measured again."""
    actor = Actor(user=coordinator)
    session.expire_all()
    s11 = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    update_strategy(
        session=session,
        strategy=s11,
        data=StrategyUpdate(version=s11.version, title=NEW_NAME),
        actor=actor,
    )
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    metric_changes.record_measurement(
        session=session,
        metric=fcr,
        data=MeasurementIn(period=dt.date(2025, 9, 1), value=12),
        actor=actor,
    )
    session.commit()


def _pdf_text(client: TestClient, held: PerformanceSession, laid: list[Any]) -> list[str]:
    answer = client.get(f"/sessions/{held.id}/report.pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    return [" ".join(box_texts(p._page_box)) for p in laid[-1].pages]


class TestBriefingBookPage:
    def test_cover_contents_sections_and_outcomes(
        self, session: Session, staff: TestClient, closed: PerformanceSession
    ) -> None:
        answer = staff.get(f"/sessions/{closed.id}/report")
        assert answer.status_code == 200
        doc = BeautifulSoup(answer.text, "html.parser")
        cover = _text(str(doc.select_one(".report-cover")))
        for fact in ("City of Testville", TITLE, dt.date.today().isoformat(), "1 Access"):
            assert fact in cover, fact
        assert "Mayor, CC director" in cover and "as presented" in cover
        toc = [a["href"] for a in doc.select(".report-toc a")]
        for href in toc:  # every entry leads to its section
            assert doc.select_one(str(href)) is not None, href
        assert "#open-actions" in toc and "#outcomes" in toc
        section = doc.select_one(".report-focus-area")
        assert section is not None and "Access" in section.h2.get_text()  # type: ignore[union-attr]
        assert NARRATIVE in section.get_text()
        changes = section.select_one(".report-changes")  # 1.1's update, under its focus area
        assert changes is not None and OLD_NAME in changes.get_text()
        outcomes = _text(str(doc.select_one("#outcomes")))
        assert DECISION in outcomes and ACTION in outcomes
        assert f"Strategy 1.1 {OLD_NAME}" in outcomes  # the linked item, in words
        assert doc.select_one("link[href='/static/app/report.css']") is not None

    def test_an_off_target_metric_drawn_from_the_pack_with_its_target(
        self, staff: TestClient, closed: PerformanceSession
    ) -> None:
        """FCR (83 % against a target of 85 % since 2025) is off target: its chart has both
        measurements as points and the target as a dashed line, from the points kept."""
        doc = BeautifulSoup(staff.get(f"/sessions/{closed.id}/report").text, "html.parser")
        svg = next(s for s in doc.select("svg.report-chart") if "First call" in s.title.text)  # type: ignore[union-attr]
        assert svg.select_one("path.chart-target") is not None
        points = [c.title.text for c in svg.select("circle")]  # type: ignore[union-attr]
        assert len(points) == 2 and "78%" in points[0] and "83%" in points[1]
        assert closed.pack is not None
        (group,) = closed.pack["metric_groups"]
        chart = group["metrics"][0]["chart"]
        assert chart["values"] == [78, 83] and chart["targets"] == [80, 85]

    def test_the_session_page_links_the_book_and_its_pdf(
        self, staff: TestClient, closed: PerformanceSession
    ) -> None:
        doc = BeautifulSoup(staff.get(f"/sessions/{closed.id}").text, "html.parser")
        links = {a["href"] for a in doc.select(".report-links a")}
        assert links == {f"/sessions/{closed.id}/report", f"/sessions/{closed.id}/report.pdf"}

    def test_a_scheduled_sessions_book_follows_the_live_plan(
        self, session: Session, coordinator: User, staff: TestClient
    ) -> None:
        held = _held(session, coordinator, close=False)
        assert OLD_NAME in staff.get(f"/sessions/{held.id}/report").text
        _rename_and_measure(session, coordinator)
        shown = staff.get(f"/sessions/{held.id}/report").text
        assert NEW_NAME in shown and "built from the live plan" in shown

    def test_a_pack_frozen_before_packs_kept_charts_still_reads(
        self, session: Session, staff: TestClient, closed: PerformanceSession
    ) -> None:
        """A session closed by the first version (format 1): no chart points, names or links
        kept; its book says the chart was not kept and names the rest from the live rows."""
        old = dict(closed.pack or {})
        for key in ("organization", "scope", "links"):
            old.pop(key)
        old["metric_groups"] = [
            {**g, "metrics": [{k: v for k, v in m.items() if k != "chart"} for m in g["metrics"]]}
            for g in old["metric_groups"]
        ]
        closed.pack = {**old, "format": 1}
        session.add(closed)
        session.commit()
        answer = staff.get(f"/sessions/{closed.id}/report")
        assert answer.status_code == 200
        shown = _text(answer.text)
        assert "frozen before packs kept their charts" in shown
        assert "City of Testville" in shown and "1 Access" in shown and DECISION in shown


class TestBriefingBookPdf:
    def test_the_pdf_has_the_session_its_focus_area_decision_and_action_item(
        self, staff: TestClient, closed: PerformanceSession, laid_out: list[Any]
    ) -> None:
        pages = _pdf_text(staff, closed, laid_out)
        everything = " ".join(pages)
        for text in (TITLE, "Access", DECISION, ACTION, NARRATIVE, "City of Testville"):
            assert text in everything, text
        assert TITLE in pages[0] and f"Page 1 of {len(pages)}" in pages[0]
        assert TITLE in pages[1] and f"Page 2 of {len(pages)}" in pages[1]  # running header

    def test_a_closed_sessions_pdf_is_what_was_presented_after_later_edits(
        self,
        session: Session,
        coordinator: User,
        staff: TestClient,
        closed: PerformanceSession,
        laid_out: list[Any],
    ) -> None:
        before = _pdf_text(staff, closed, laid_out)
        chart_before = self._fcr_chart(staff, closed)
        _rename_and_measure(session, coordinator)
        after = _pdf_text(staff, closed, laid_out)
        assert OLD_NAME in " ".join(after) and NEW_NAME not in " ".join(after)
        assert after == before
        assert self._fcr_chart(staff, closed) == chart_before  # not the 12 measured since

    @staticmethod
    def _fcr_chart(client: TestClient, held: PerformanceSession) -> str:
        doc = BeautifulSoup(client.get(f"/sessions/{held.id}/report").text, "html.parser")
        return str(next(s for s in doc.select("svg.report-chart") if "First call" in s.title.text))  # type: ignore[union-attr]

    def test_a4_and_letter(
        self, staff: TestClient, closed: PerformanceSession, laid_out: list[Any]
    ) -> None:
        url = f"/sessions/{closed.id}/report.pdf"
        assert staff.get(url).status_code == 200
        assert staff.get(url, params={"paper": "letter"}).status_code == 200
        a4, letter = ((d.pages[0].width, d.pages[0].height) for d in laid_out)
        assert a4 == pytest.approx((793.7, 1122.5), abs=1)
        assert letter == pytest.approx((816, 1056), abs=1)
        assert staff.get(url, params={"paper": "a3"}).status_code == 422


class TestWhoReadsIt:
    def test_anonymous_readers_get_what_the_session_page_gives(
        self, session: Session, closed: PerformanceSession
    ) -> None:
        client, _ = signed_in_client(session, None)
        page = client.get(f"/sessions/{closed.id}", follow_redirects=False)
        assert page.status_code in (303, 401)
        for suffix in ("/report", "/report.pdf"):
            answer = client.get(f"/sessions/{closed.id}{suffix}", follow_redirects=False)
            assert answer.status_code == page.status_code, suffix
            if page.status_code == 303:  # to sign in, and back to what was asked for
                assert answer.headers["location"].startswith("/login?next=")
                assert answer.headers["location"].endswith(suffix.replace("/", "%2F")) or (
                    answer.headers["location"].endswith(suffix)
                )
            assert TITLE not in answer.text and DECISION not in answer.text

    def test_people_of_another_organisation_are_told_it_does_not_exist(
        self, session: Session, closed: PerformanceSession
    ) -> None:
        make_tiny_plan(
            session,
            TINY_PLAN.replace(
                "organization: {name: City of Testville, slug: testville}",
                "organization: {name: Town of Otherton, slug: otherton}",
            ).replace("slug: testville-service", "slug: otherton-service"),
        )
        outsider = make_person(session, "otto", "coordinator", organization="otherton")
        client, _ = signed_in_client(session, outsider)
        assert client.get(f"/sessions/{closed.id}").status_code == 404
        for suffix in ("/report", "/report.pdf"):
            answer = client.get(f"/sessions/{closed.id}{suffix}")
            assert answer.status_code == 404, suffix
            assert TITLE not in answer.text

    def test_a_viewer_of_the_organisation_reads_it(
        self, session: Session, closed: PerformanceSession
    ) -> None:
        viewer = make_person(session, "vera", Role.viewer)
        client, _ = signed_in_client(session, viewer)
        assert DECISION in client.get(f"/sessions/{closed.id}/report").text


def test_a_plan_report_still_has_its_cover_contents_and_pdf_links(staff: TestClient) -> None:
    """The cover and contents macros the book shares with the plan's report."""
    doc = BeautifulSoup(staff.get("/plans/testville-service/report").text, "html.parser")
    assert "Testville Customer Service Plan" in doc.select_one(".report-cover h1").text  # type: ignore[union-attr]
    assert len(doc.select(".report-toc a")) >= 3
    links = {a["href"] for a in doc.select(".report-tools a[download]")}
    pdf = "/plans/testville-service/report.pdf"
    assert links == {pdf, f"{pdf}?paper=letter"}
