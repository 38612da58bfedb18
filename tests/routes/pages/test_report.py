"""The council report of a plan (issue 11), over HTTP: its cover, contents and summary, a section
per focus area with SVG charts whose target is a dashed line, narratives only for the
organisation's staff, the PDF (its text read from WeasyPrint's pages), and the print stylesheet
every page links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import tinycss2
from bs4 import BeautifulSoup
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import FocusArea, Plan, Strategy
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.exports import report_pdf
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

SLUG = "testville-service"
REPORT = f"/plans/{SLUG}/report"
SECRET = "Internal narrative: the vendor is late"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.fixture
def tiny(session: Session) -> Plan:
    """The tiny plan, with recommendation 1.1 put On track (with an internal narrative) today."""
    plan = make_tiny_plan(session)
    lead = make_person(session, "cc-lead", "lead", department="CC")
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(version=strategy.version, status="on_track", narrative=SECRET),  # type: ignore[arg-type]
        actor=Actor(user=lead),
    )
    session.commit()
    return plan


@pytest.fixture
def staff(session: Session, tiny: Plan) -> TestClient:
    return signed_in_client(session, make_person(session, "tv-coord", "coordinator"))[0]


@pytest.fixture
def anonymous(session: Session, tiny: Plan) -> TestClient:
    return signed_in_client(session, None)[0]


def focus_areas(session: Session) -> list[FocusArea]:
    return list(session.exec(select(FocusArea).order_by(FocusArea.position, FocusArea.id)))


class TestReportPage:
    def test_cover_contents_link_to_every_focus_area_section(
        self, session: Session, anonymous: TestClient
    ) -> None:
        answer = anonymous.get(REPORT)
        assert answer.status_code == 200
        doc = page(answer.text)
        cover = doc.select_one(".report-cover")
        assert cover is not None
        text = cover.get_text(" ", strip=True)
        assert "City of Testville" in text
        assert "Testville Customer Service Plan" in text
        assert "2024 – 2027" in text or "2024" in text  # the plan's period
        assert dt.date.today().isoformat()[:4] in text  # dated
        toc = {a["href"]: a.get_text(" ", strip=True) for a in doc.select(".report-toc a")}
        for fa in focus_areas(session):
            href = f"#section-{fa.id}"
            assert fa.title in toc[href]
            section = doc.select_one(href)
            assert section is not None and fa.title in section.get_text()
        assert "#summary" in toc and "#roadmap" in toc
        for href in toc:  # every entry leads somewhere
            assert doc.select_one(href) is not None, href

    def test_summary_counts_are_the_overviews(self, anonymous: TestClient) -> None:
        overview = page(anonymous.get(f"/plans/{SLUG}").text)
        shown = {
            li.select_one(".status").get_text(strip=True): int(li.strong.get_text())  # type: ignore[union-attr]
            for li in overview.select(".plan-status .distribution li")
        }
        assert shown == {"Overdue": 1, "Not started": 1}  # 1.1 was due by the end of 2024
        report = page(anonymous.get(REPORT).text)
        counted = {
            tr.th.get_text(strip=True): int(tr.td.get_text())  # type: ignore[union-attr]
            for tr in report.select(".report-counts tbody tr")
        }
        assert {k: v for k, v in counted.items() if v} == shown

    def test_charts_are_svg_with_a_dashed_target_line(self, anonymous: TestClient) -> None:
        doc = page(anonymous.get(REPORT).text)
        svg = next(s for s in doc.select("svg.report-chart") if "First call" in s.title.text)  # type: ignore[union-attr]
        assert svg["role"] == "img"
        assert svg.desc is not None and "78" in svg.desc.text
        target = svg.select_one("path.chart-target")
        assert target is not None and target["stroke-dasharray"]
        # Two targets in force (80 then 85 from 2025): two runs of the dashed line.
        assert target["d"].count("M ") == 2
        points = [c.title.text for c in svg.select("circle")]  # type: ignore[union-attr]
        assert len(points) == 2 and "78" in points[0] and "83" in points[1]
        assert doc.select("canvas") == []  # nothing for JavaScript to draw

    def test_the_public_gets_no_narrative_the_staff_do(
        self, anonymous: TestClient, staff: TestClient
    ) -> None:
        public = anonymous.get(REPORT).text
        assert SECRET not in public
        assert "shared with the organisation's staff only" in public
        inside = page(staff.get(REPORT).text)
        assert SECRET in inside.text
        moved = inside.select_one(".report-moved")
        assert moved is not None and "1.1" in moved.get_text()  # what moved since 30 days ago

    def test_a_draft_plan_is_404_for_outsiders(self, session: Session) -> None:
        make_tiny_plan(session, TINY_PLAN.replace("published: true", "published: false"))
        client = signed_in_client(session, None)[0]
        assert client.get(REPORT).status_code == 404
        assert client.get(f"{REPORT}.pdf").status_code == 404

    def test_narrowed_to_a_focus_area_or_a_department(
        self, session: Session, anonymous: TestClient
    ) -> None:
        access, tools = focus_areas(session)
        doc = page(anonymous.get(REPORT, params={"focus_area": tools.id}).text)
        assert [a["href"] for a in doc.select(".report-toc a[href^='#section-']")] == [
            f"#section-{tools.id}"
        ]
        doc = page(anonymous.get(REPORT, params={"department": "PW"}).text)
        rows = [tr["id"] for tr in doc.select(".report-strategies tbody tr")]
        assert rows == ["report-strategy-1.2"]
        assert "Department: Public Works" in doc.select_one(".report-kind").text  # type: ignore[union-attr]
        for params in ({"focus_area": "999999"}, {"focus_area": "x"}, {"department": "ZZ"}):
            assert anonymous.get(REPORT, params=params).status_code == 404

    def test_the_plan_navigation_links_the_report(self, anonymous: TestClient) -> None:
        for path in ("", "/roadmap"):
            nav = page(anonymous.get(f"/plans/{SLUG}{path}").text).select_one(".plan-nav")
            assert nav is not None and nav.select_one(f"a[href='{REPORT}']") is not None

    def test_the_review_links_the_report_with_its_date(
        self, session: Session, staff: TestClient
    ) -> None:
        since = (dt.date.today() - dt.timedelta(days=10)).isoformat()
        review = page(staff.get("/review", params={"since": since}).text)
        links = [a["href"] for a in review.select("a.report-link")]
        assert links == [f"{REPORT}?since={since}"]
        # The report counts what moved since that date: 1.1 was updated today.
        moved = page(staff.get(links[0]).text).select_one(".report-moved")
        assert moved is not None and "1.1" in moved.get_text()
        assert f"since {since}" in moved.get_text()


def box_texts(box: Any) -> Iterator[str]:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield text
    for child in getattr(box, "children", ()):
        yield from box_texts(child)


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


class TestReportPdf:
    def test_a_pdf_with_the_title_page_numbers_and_every_focus_area(
        self, session: Session, anonymous: TestClient, laid_out: list[Any]
    ) -> None:
        answer = anonymous.get(f"{REPORT}.pdf")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.content.startswith(b"%PDF")
        (document,) = laid_out
        pages = [" ".join(box_texts(p._page_box)) for p in document.pages]
        assert len(pages) > 2
        everything = " ".join(pages)
        assert "Testville Customer Service Plan" in pages[0]
        assert f"Page 1 of {len(pages)}" in pages[0]
        assert f"Page 2 of {len(pages)}" in pages[1]
        assert "Testville Customer Service Plan" in pages[1]  # the running header
        for fa in focus_areas(session):
            assert fa.title in everything
        assert SECRET not in everything

    def test_a4_and_letter(self, anonymous: TestClient, laid_out: list[Any]) -> None:
        assert anonymous.get(f"{REPORT}.pdf").status_code == 200
        assert anonymous.get(f"{REPORT}.pdf", params={"paper": "letter"}).status_code == 200
        a4, letter = ((d.pages[0].width, d.pages[0].height) for d in laid_out)
        assert a4 == pytest.approx((793.7, 1122.5), abs=1)  # 210 × 297 mm in CSS px
        assert letter == pytest.approx((816, 1056), abs=1)  # 8.5 × 11 in
        assert anonymous.get(f"{REPORT}.pdf", params={"paper": "a3"}).status_code == 422


def print_rules() -> dict[str, str]:
    """print.css as {selector: declarations}."""
    from app.services.exports.report_pdf import STATIC

    sheet = tinycss2.parse_stylesheet(
        (STATIC / "print.css").read_text(), skip_comments=True, skip_whitespace=True
    )
    return {
        tinycss2.serialize(rule.prelude).strip(): tinycss2.serialize(rule.content)
        for rule in sheet
        if rule.type == "qualified-rule"
    }


class TestPrinting:
    def test_every_page_links_the_print_stylesheet(self, anonymous: TestClient) -> None:
        for path in ("", "/roadmap", "/scorecard", "/quick-wins", "/scorecard/FCR", "/report"):
            doc = page(anonymous.get(f"/plans/{SLUG}{path}").text)
            link = doc.select_one("link[href='/static/app/print.css']")
            assert link is not None and link["media"] == "print", path

    def test_print_hides_navigation_filters_forms_and_downloads(self) -> None:
        hiding = next(decl for sel, decl in print_rules().items() if ".site-header" in sel)
        selector = next(sel for sel in print_rules() if ".site-header" in sel)
        assert "display: none" in hiding
        for part in (".plan-nav", ".filters", "form", "button", ".downloads", ".breadcrumb"):
            assert part in [s.strip() for s in selector.split(",")], part

    def test_a_printed_scorecard_has_no_navigation(self, anonymous: TestClient) -> None:
        """The page as a printer lays it out (WeasyPrint, print media): the plan and its
        metrics are there, the menus, search and filters are not."""
        import weasyprint

        html = anonymous.get(f"/plans/{SLUG}/scorecard").text
        sheet = weasyprint.CSS(filename=str(report_pdf.STATIC / "print.css"))
        document = weasyprint.HTML(string=html, url_fetcher=report_pdf._no_fetch).render(
            stylesheets=[sheet]
        )
        text = " ".join(t for p in document.pages for t in box_texts(p._page_box))
        assert "First call resolution" in text
        for chrome in ("Sign in", "Search this plan", "Skip to content", "Any status"):
            assert chrome not in text, chrome
