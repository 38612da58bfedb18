"""/plans/{slug}/scorecard and /plans/{slug}/scorecard/{code}: every metric, its target and
status in words, and a trend chart drawn from data-series JSON with its values as a table."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Metric, Plan
from app.models.metric import MeasurementIn
from app.services.changes import metrics
from app.services.changes.history import Actor
from app.services.plan_file.importing import import_plan_path
from tests.factories import (
    SEEDS_DIR,
    app_under_test,
    import_unpublished_seed,
    make_person,
    make_tiny_plan,
    signed_in_client,
)

HX = {"HX-Request": "true"}
TINY = "/plans/testville-service/scorecard"
DCX = "/plans/dcx-311-strategic-plan/scorecard"


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def rows(soup: BeautifulSoup) -> dict[str, list[str]]:
    """The scorecard table: metric code → the text of each cell."""
    table = soup.find("table", class_="scorecard-table")
    assert table is not None
    out = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = [text_of(c) for c in tr.find_all(["th", "td"])]
        out[text_of(tr.find("th").find("small"))] = cells
    return out


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def dcx_admin(session: Session) -> TestClient:
    import_plan_path(session=session, path=SEEDS_DIR / "dcx-311.yaml")
    session.commit()
    user = make_person(
        session, "dcx-admin", "admin", organization="department-of-customer-experience"
    )
    return signed_in_client(session, user)[0]


class TestScorecard:
    def test_dcx_metrics_with_their_targets_in_the_plans_words(self, dcx_admin: TestClient) -> None:
        response = dcx_admin.get(DCX)
        assert response.status_code == 200
        soup = page(response.text)
        assert text_of(soup.h1) == "Scorecard"
        table = rows(soup)
        assert list(table) == ["JEI", "PA", "QA", "AHT"]
        assert table["QA"][0].startswith("Quality Assurance Score")
        assert table["QA"][4].startswith("90% or higher")
        assert table["AHT"][4].startswith("10 minutes or less")
        assert "Lower is better" in table["AHT"][4]
        assert table["JEI"][4].startswith("85%")
        for cells in table.values():
            assert cells[3] == "No data yet"
            assert cells[5].startswith("No data")
        assert "No data yet" in text_of(soup.find(id="trends").find_next("p"))

    def test_a_metric_with_measurements_has_its_series_and_target_line(
        self, session: Session, tiny: Plan
    ) -> None:
        soup = page(TestClient(app_under_test()).get(TINY).text)
        fcr = rows(soup)["FCR"]
        assert fcr[1] == "Standard 1: Timely"
        assert fcr[3] == "83% June 2025"
        assert fcr[4].startswith("85% or higher")
        assert fcr[5].startswith("At risk")
        assert "83% against a target of at least 85%: 2 points below" in fcr[5]
        metric_id = session.exec(select(Metric.id).where(Metric.code == "FCR")).one()
        card = soup.find("article", id=f"metric-{metric_id}")
        canvas = card.find("canvas")
        assert canvas["role"] == "img"
        assert "2 measurements from June 2024 (78%) to June 2025 (83%)" in canvas["aria-label"]
        series = json.loads(canvas["data-series"])
        assert series["periods"] == ["June 2024", "June 2025"]
        assert series["values"] == [78, 83]
        # The target in force for each period: revised in 2025, so the line steps up.
        assert series["targets"] == [80, 85]
        assert series["targetLabel"] == "Target (85% or higher)"
        assert series["suffix"] == "%"

    def test_each_chart_has_its_values_as_a_table(self, tiny: Plan) -> None:
        soup = page(TestClient(app_under_test()).get(TINY).text)
        figure = soup.find("figure", class_="trend")
        values = figure.find("details", class_="chart-values")
        assert values.has_attr("open")  # what a visitor without JavaScript reads
        body = [
            [text_of(c) for c in tr.find_all(["th", "td"])]
            for tr in values.find("tbody").find_all("tr")
        ]
        assert body == [
            ["June 2024", "78%", "80% or higher", "At risk"],
            ["June 2025", "83%", "85% or higher", "At risk"],
        ]
        # The chart's box stays hidden until the script has drawn it.
        assert figure.find(class_="chart-box").has_attr("hidden")

    def test_the_series_attribute_survives_quotes_and_markup(self, session: Session) -> None:
        from tests.factories import TINY_PLAN

        title = 'Residents\' "first" call <b>resolved</b>'
        as_yaml = "'" + title.replace("'", "''") + "'"  # a YAML single-quoted string
        make_tiny_plan(
            session, TINY_PLAN.replace("name: First call resolution", f"name: {as_yaml}")
        )
        response = TestClient(app_under_test()).get(TINY)
        assert "<b>resolved" not in response.text
        canvas = page(response.text).find("canvas")
        assert json.loads(canvas["data-series"])["title"] == title

    def test_chart_js_comes_from_npm_and_no_script_is_inline(self, tiny: Plan) -> None:
        client = TestClient(app_under_test())
        soup = page(client.get(TINY).text)
        sources = [s.get("src") for s in soup.find_all("script") if s.get("src")]
        assert "/static/vendor/chartjs/chart.umd.min.js" in sources
        assert "/static/app/scorecard.js" in sources
        for script in soup.find_all("script"):
            assert script.get("src"), script
        assert soup.find(attrs={"style": True}) is None
        for src in ("/static/vendor/chartjs/chart.umd.min.js", "/static/app/scorecard.js"):
            assert client.get(src).status_code == 200
        script = client.get("/static/app/scorecard.js").text
        assert "animation: false" in script and "htmx:afterSettle" in script

    def test_no_data_yet_for_a_metric_without_measurements(self, session: Session) -> None:
        import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
        session.commit()
        soup = page(
            TestClient(app_under_test()).get("/plans/san-jose-customer-service/scorecard").text
        )
        table = rows(soup)
        assert len(table) == 15
        assert all(cells[3] == "No data yet" for cells in table.values())
        assert table["S1-NT"][1].startswith("Standard 1:")
        assert table["S1-NT"][2] == "Near-term"
        assert soup.find("canvas") is None

    def test_filters_by_status_and_horizon(self, tiny: Plan) -> None:
        client = TestClient(app_under_test())
        assert list(rows(page(client.get(TINY + "?status=at_risk").text))) == ["FCR"]
        soup = page(client.get(TINY + "?status=on_track").text)
        assert "No metric matches these filters." in text_of(soup.find("main"))
        form = soup.find("form", class_="filters")
        assert form["method"] == "get" and form["hx-get"] == TINY
        for control in form.find_all("select"):
            assert soup.find("label", attrs={"for": control["id"]}) is not None

    def test_htmx_gets_the_scorecard_fragment(self, tiny: Plan) -> None:
        response = TestClient(app_under_test()).get(TINY + "?status=at_risk", headers=HX)
        assert response.status_code == 200
        assert "<html" not in response.text and "site-header" not in response.text
        assert "First call resolution" in response.text
        assert "data-series=" in response.text

    def test_an_unpublished_plan_is_not_found_for_anonymous(self, session: Session) -> None:
        import_unpublished_seed(session, "dcx-311.yaml")
        assert TestClient(app_under_test()).get(DCX).status_code == 404


class TestMetricPage:
    def test_the_rule_is_read_back_under_the_target(self, session: Session, tiny: Plan) -> None:
        soup = page(TestClient(app_under_test()).get(TINY + "/FCR").text)
        # The target in force for the latest value (June 2025): at least 85%, 5% of it at risk.
        assert text_of(soup.find(id="metric-rule")) == (
            "On track at 85% or more; at risk from 80.75%; off track below."
        )
        assert "85% or higher" in text_of(soup.find(id="metric-rule").parent)

    def test_every_measurement_and_target(self, session: Session, tiny: Plan) -> None:
        response = TestClient(app_under_test()).get(TINY + "/FCR")
        assert response.status_code == 200
        soup = page(response.text)
        assert text_of(soup.h1) == "First call resolution FCR"
        tables = soup.find_all("table")
        measurements = [
            [text_of(c) for c in tr.find_all(["th", "td"])][:3]
            for tr in tables[1].find("tbody").find_all("tr")
        ]
        assert measurements == [
            ["June 2025", "83%", "85% or higher"],
            ["June 2024", "78%", "80% or higher"],
        ]
        targets = [
            [text_of(c) for c in tr.find_all(["th", "td"])]
            for tr in tables[2].find("tbody").find_all("tr")
        ]
        assert targets[0] == ["The start of the plan", "80% or higher", "at least 80%"]
        assert targets[1][0] == "2025-01-01"
        assert targets[1][1].startswith("85% or higher")
        assert soup.find("canvas", attrs={"data-series": True}) is not None

    def test_who_entered_a_value(self, session: Session, tiny: Plan) -> None:
        lead = make_person(session, "cc-lead", "lead", department="CC")
        fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
        metrics.record_measurement(
            session=session,
            metric=fcr,
            actor=Actor(user=lead),
            data=MeasurementIn(period=dt.date(2025, 7, 1), value=86, note="new IVR"),
        )
        session.commit()
        viewer = make_person(session, "tv-viewer", "viewer")
        soup = page(signed_in_client(session, viewer)[0].get(TINY + "/FCR").text)
        first = text_of(soup.find_all("table")[1].find("tbody").find("tr"))
        assert first.startswith("July 2025 86% 85% or higher On track")
        assert "new IVR" in first and "Cc Lead" in first

        # The public reads the value and its status, not the internal note or who entered it.
        public = page(TestClient(app_under_test()).get(TINY + "/FCR").text)
        table = public.find_all("table")[1]
        first = text_of(table.find("tbody").find("tr"))
        assert first.startswith("July 2025 86% 85% or higher On track")
        assert "new IVR" not in text_of(public) and "Cc Lead" not in text_of(public)
        assert [text_of(th) for th in table.find("thead").find_all("th")] == [
            "Period",
            "Value",
            "Target in force",
            "Status",
        ]

    def test_an_unknown_metric_is_not_found(self, tiny: Plan) -> None:
        response = TestClient(app_under_test()).get(TINY + "/NOPE")
        assert response.status_code == 404
        assert "No metric 'NOPE' in this plan." in text_of(page(response.text).find("main"))

    def test_htmx_gets_the_metric_fragment(self, tiny: Plan) -> None:
        response = TestClient(app_under_test()).get(TINY + "/FCR", headers=HX)
        assert "<html" not in response.text and "First call resolution" in response.text


def many_metrics(count: int) -> str:
    """A published plan with `count` metrics M0…: even ones near-term and met (9 minutes against
    at most 10), odd ones long-term and off track (12 minutes)."""
    metrics = "\n".join(
        f"""  - code: M{n}
    name: Metric number {n}
    unit: minutes
    direction: lower
    horizon: {"near_term" if n % 2 == 0 else "long_term"}
    targets: [{{value: 10, comparator: at_most}}]
    measurements:
      - {{period: 2024-01-01, value: 11}}
      - {{period: 2024-02-01, value: {9 if n % 2 == 0 else 12}}}"""
        for n in range(count)
    )
    return f"""format: plantrack/1
organization: {{name: City of Testville, slug: testville}}
plan: {{slug: many, title: Many metrics, published: true}}
metrics:
{metrics}
"""


class TestPages:
    URL = "/plans/many/scorecard"

    @pytest.fixture
    def client(self, session: Session) -> TestClient:
        from app.services.plan_file.importing import import_plan_text

        import_plan_text(session=session, text=many_metrics(60), source="many")
        session.commit()
        return TestClient(app_under_test())

    @staticmethod
    def charted(soup: BeautifulSoup) -> list[str]:
        return [a.get_text() for a in soup.select("#trend-grid article h3 a")]

    def test_the_first_page_counts_every_metric_and_links_to_the_next(
        self, client: TestClient
    ) -> None:
        soup = page(client.get(self.URL).text)
        assert list(rows(soup)) == [f"M{n}" for n in range(25)]
        assert self.charted(soup) == [f"Metric number {n}" for n in range(25)]
        summary = text_of(soup.find(class_="board-summary"))
        assert summary.startswith("60 metrics:") and "Off track 30" in summary
        pager = soup.find("nav", id="scorecard-more")
        assert "Metrics 1–25 of 60 · page 1 of 3" in text_of(pager)
        assert pager.find("a", rel="prev") is None
        nxt = pager.find("a", rel="next")
        assert nxt["href"] == self.URL + "?page=2" and text_of(nxt) == "Next 25 metrics"
        # htmx: the same URL, the next page's rows and charts appended where these are.
        assert nxt["hx-get"] == nxt["href"]
        assert nxt["hx-select-oob"] == "#scorecard-rows:beforeend,#trend-grid:beforeend"
        assert nxt["hx-target"] == nxt["hx-select"] == "#scorecard-more"
        assert "revealed" in nxt["hx-trigger"]

    def test_page_two_and_the_last_page_without_javascript(self, client: TestClient) -> None:
        soup = page(client.get(self.URL + "?page=2").text)
        assert list(rows(soup)) == [f"M{n}" for n in range(25, 50)]
        pager = soup.find("nav", id="scorecard-more")
        assert "Metrics 26–50 of 60 · page 2 of 3" in text_of(pager)
        assert pager.find("a", rel="prev")["href"] == self.URL
        last = page(client.get(pager.find("a", rel="next")["href"]).text)
        assert list(rows(last)) == [f"M{n}" for n in range(50, 60)]
        assert last.find("a", rel="next") is None
        assert "Metrics 51–60 of 60" in text_of(last.find("nav", id="scorecard-more"))
        # Past the end, or not a number: the last page, or the first.
        assert list(rows(page(client.get(self.URL + "?page=99").text))) == list(rows(last))
        assert list(rows(page(client.get(self.URL + "?page=x").text)))[0] == "M0"

    def test_htmx_gets_the_fragment_of_the_next_page(
        self, session: Session, client: TestClient
    ) -> None:
        headers = {**HX, "HX-Target": "scorecard-more"}
        response = client.get(self.URL + "?page=2", headers=headers)
        assert response.status_code == 200
        assert "<html" not in response.text and "site-header" not in response.text
        soup = page(response.text)
        # What the pager's hx-select-oob and hx-select take out of it.
        m25 = session.exec(select(Metric.id).where(Metric.code == "M25")).one()
        assert soup.select("#scorecard-rows > tr")[0]["id"] == f"metric-{m25}-row"
        assert len(soup.select("#scorecard-rows > tr")) == 25
        assert self.charted(soup)[0] == "Metric number 25"
        pager = soup.find("nav", id="scorecard-more")
        # It follows page 1 on screen: counted from the first, no "previous" link.
        assert "Metrics 1–50 of 60" in text_of(pager) and pager.find("a", rel="prev") is None
        assert pager.find("a", rel="next")["hx-get"] == self.URL + "?page=3"

    def test_filters_are_kept_across_pages(self, client: TestClient) -> None:
        soup = page(client.get(self.URL + "?horizon=long_term&status=off_track").text)
        assert list(rows(soup)) == [f"M{n}" for n in range(1, 50, 2)]
        assert "Showing 30 · Long-term · Off track." in text_of(soup.find(class_="board-summary"))
        nxt = soup.find("nav", id="scorecard-more").find("a", rel="next")
        assert nxt["href"] == self.URL + "?horizon=long_term&status=off_track&page=2"
        second = page(client.get(nxt["href"]).text)
        assert list(rows(second)) == [f"M{n}" for n in range(51, 60, 2)]
        assert (
            second.find("select", id="filter-horizon").find("option", selected=True)["value"]
            == "long_term"
        )
        prev = second.find("nav", id="scorecard-more").find("a", rel="prev")
        assert prev["href"] == self.URL + "?horizon=long_term&status=off_track"
        # Every point's status is in words, without its reason (the metric's page has those).
        first_values = second.find("details", class_="chart-values").find("tbody")
        statuses = [text_of(tr.find_all("td")[-1]) for tr in first_values.find_all("tr")]
        assert statuses == ["Off track", "Off track"]
