"""/plans/{slug}/roadmap: the quarter-by-quarter timeline as a reader (and a screen reader)
reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session

from app.models import Plan
from app.models.strategy import StrategyCreate
from app.services.changes import strategies
from app.services.changes.history import SYSTEM
from app.services.plan_file.importing import import_plan_path
from tests.factories import SEEDS_DIR, TINY_PLAN, make_tiny_plan, signed_in_client

HX = {"HX-Request": "true"}
TINY = "/plans/testville-service"

# Mississauga's implementation chart (shared/seeds/004_…, "Implementation"): each row's short
# name, the initiative it is in seeds/mississauga.yaml, and its first and last filled quarter as
# read off the chart's block characters (e.g. "Improve Welcome Desk": column 6 to 12).
CHART = [
    ("Service Delivery System", "4.1", "Year 1 Q1", "Year 4 Q4"),
    ("Single Sign On", "4.2", "Year 1 Q1", "Year 4 Q4"),
    ("Knowledge Base", "4.3", "Year 1 Q1", "Year 4 Q4"),
    ("City Wide Training", "2.2", "Year 1 Q1", "Year 2 Q4"),
    ("311 IVR", "3.4", "Year 1 Q1", "Year 1 Q4"),
    ("Recruitment for Attitude", "2.1", "Year 1 Q3", "Year 2 Q4"),
    ("Online Services Review", "3.6", "Year 1 Q3", "Year 4 Q4"),
    ("Develop Service Standards", "1.2", "Year 2 Q1", "Year 3 Q2"),
    ("Directional Signage at City Hall", "3.2", "Year 2 Q1", "Year 2 Q4"),
    ("Improve Welcome Desk", "3.3", "Year 2 Q2", "Year 3 Q4"),
    ("Define Main Customer Types", "1.1", "Year 3 Q1", "Year 3 Q4"),
    ("Business Processes Review", "1.3", "Year 3 Q1", "Year 4 Q4"),
    ("Consolidate Service Counters", "3.1", "Year 3 Q1", "Year 4 Q4"),
    ("Evaluate 311 Services", "3.5", "Year 3 Q1", "Year 4 Q4"),
    ("Measurement, Reporting & QA", "3.7", "Year 4 Q1", "Year 4 Q4"),
]
QUARTERS = [f"Year {y} Q{q}" for y in (1, 2, 3, 4) for q in (1, 2, 3, 4)]

# A calendar plan with spans, departments, terms and phases to filter and group.
FILTER_PLAN = TINY_PLAN.replace(
    """      - code: "1.2"
        title: Fix potholes faster
        term: long
        department: PW
""",
    """      - code: "1.2"
        title: Fix potholes faster
        term: long
        department: PW
        planned_start: 2026-Q1
        planned_end: 2027-Q2
      - code: "1.3"
        title: Plant street trees
        term: long
        department: PW
        phase: "1"
      - code: "1.4"
        title: Publish wait times
        term: future
        department: CC
        planned_start: 2027-Q1
        planned_end: 2027-Q4
""",
)


def page(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text_of(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    node = BeautifulSoup(str(node), "html.parser")
    for bar in node.find_all("progress"):
        bar.clear()
    return " ".join(node.get_text(" ").split())


def timeline(soup: BeautifulSoup) -> Tag:
    table = soup.select_one("table.roadmap-table")
    assert table is not None
    return table


def quarter_headers(table: Tag) -> list[str]:
    """The full name of each quarter column, as its header's abbreviation spells it."""
    return [str(th.abbr["title"]) for th in table.select("thead tr:nth-of-type(2) th")]


def planned_quarters(table: Tag, row: Tag) -> list[str]:
    """The quarters a row's bar covers: its cells that say "planned" to a screen reader."""
    headers = quarter_headers(table)
    cells = row.select("td.rm-cell")
    assert len(cells) == len(headers)
    return [headers[i] for i, td in enumerate(cells) if "planned" in text_of(td)]


def row_named(table: Tag, words: str) -> Tag:
    rows = [tr for tr in table.select("tbody tr") if tr.th and words in text_of(tr.th)]
    assert len(rows) == 1, f"{len(rows)} rows mention {words!r}"
    return rows[0]


def rows(soup: BeautifulSoup) -> list[str]:
    return [
        text_of(tr.th.a) for tr in soup.select("table.roadmap-table tbody tr") if tr.th and tr.th.a
    ]


@pytest.fixture
def mississauga(session: Session) -> str:
    import_plan_path(session=session, path=SEEDS_DIR / "mississauga.yaml")
    session.commit()
    return "/plans/mississauga-customer-service-strategy"


class TestMississaugaChart:
    def test_columns_read_year_1_to_year_4_with_quarters_under_each(
        self, session: Session, mississauga: str
    ) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{mississauga}/roadmap")
        assert answer.status_code == 200
        table = timeline(page(answer.text))
        years = table.select("thead tr:first-of-type th[scope=colgroup]")
        assert [(text_of(th), th["colspan"]) for th in years] == [
            (f"Year {n}", "4") for n in (1, 2, 3, 4)
        ]
        assert [text_of(th.abbr) for th in table.select("thead tr:nth-of-type(2) th")] == [
            "Q1",
            "Q2",
            "Q3",
            "Q4",
        ] * 4
        assert quarter_headers(table)[:5] == [
            "Year 1 Q1",
            "Year 1 Q2",
            "Year 1 Q3",
            "Year 1 Q4",
            "Year 2 Q1",
        ]

    def test_improve_welcome_desk_runs_from_year_2_q2_to_year_3_q4(
        self, session: Session, mississauga: str
    ) -> None:
        client, _ = signed_in_client(session, None)
        table = timeline(page(client.get(f"{mississauga}/roadmap").text))
        row = row_named(table, "Welcome Desk")
        assert planned_quarters(table, row) == [
            "Year 2 Q2",
            "Year 2 Q3",
            "Year 2 Q4",
            "Year 3 Q1",
            "Year 3 Q2",
            "Year 3 Q3",
            "Year 3 Q4",
        ]
        assert text_of(row.select_one("td.rm-span")) == "Year 2 Q2 – Year 3 Q4"
        # Filled cells are CSS classes, never inline style (the CSP forbids it).
        assert all(
            "rm-planned" in td["class"]
            for td in row.select("td.rm-cell")
            if "planned" in text_of(td)
        )
        assert not page(client.get(f"{mississauga}/roadmap").text).select("[style]")

    def test_every_row_of_the_chart_is_there(self, session: Session, mississauga: str) -> None:
        client, _ = signed_in_client(session, None)
        table = timeline(page(client.get(f"{mississauga}/roadmap").text))
        by_code = {
            text_of(tr.th.select_one(".item-code")): tr
            for tr in table.select("tbody tr")
            if tr.th and tr.th.a
        }
        assert len(by_code) == 15
        for name, code, first, last in CHART:
            quarters = QUARTERS[QUARTERS.index(first) : QUARTERS.index(last) + 1]
            assert planned_quarters(table, by_code[code]) == quarters, name


class TestSanJose:
    def test_phases_and_short_and_long_term_recommendations_without_quarters(
        self, session: Session
    ) -> None:
        import_plan_path(session=session, path=SEEDS_DIR / "san-jose.yaml")
        session.commit()
        client, _ = signed_in_client(session, None)
        soup = page(client.get("/plans/san-jose-customer-service/roadmap").text)
        assert soup.select_one("table.roadmap-table") is None
        assert "No recommendation of this plan has planned quarters" in text_of(
            soup.select_one(".board-summary")
        )
        terms = {
            text_of(h3): [text_of(tr.th) for tr in h3.find_next("table").select("tbody tr")]
            for h3 in soup.select(".rm-unscheduled h3")
        }
        assert list(terms) == ["Short term (6)", "Long term (5)"]
        assert [t.split(" ")[0] for t in terms["Short term (6)"]] == [
            "1.1",
            "3.1",
            "3.2",
            "3.3",
            "4.1",
            "5.1",
        ]
        assert [t.split(" ")[0] for t in terms["Long term (5)"]] == [
            "1.2",
            "2.1",
            "4.2",
            "5.2",
            "5.3",
        ]
        phases = [text_of(li.h3) for li in soup.select("#rm-phases ~ ol.phases > li")]
        assert phases == ["Phase 1 Interim quick wins", "Phase 2 Major transformational work"]
        assert "The plan assigns no recommendation to this phase." in text_of(
            soup.select_one("#phase-1")
        )


class TestFiltersAndGrouping:
    @pytest.fixture
    def plan(self, session: Session) -> Plan:
        return make_tiny_plan(session, FILTER_PLAN)

    def test_the_filter_form_is_a_labelled_get_form(self, session: Session, plan: Plan) -> None:
        client, _ = signed_in_client(session, None)
        soup = page(client.get(f"{TINY}/roadmap").text)
        form = soup.select_one("form.filters")
        assert form is not None
        assert form["method"] == "get" and form["action"] == f"{TINY}/roadmap"
        assert form["hx-get"] == f"{TINY}/roadmap" and form["hx-target"] == "#roadmap"
        for select_ in form.select("select"):
            label = soup.select_one(f"label[for={select_['id']}]")
            assert label is not None and text_of(label)
        names = [s["name"] for s in form.select("select")]
        assert names == ["group", "term", "status", "department"]
        departments = [text_of(o) for o in form.select("select[name=department] option")]
        assert departments == ["Any department", "Contact Centre (CC)", "Public Works (PW)"]

    def test_filters_narrow_rows(self, session: Session, plan: Plan) -> None:
        client, _ = signed_in_client(session, None)
        everything = page(client.get(f"{TINY}/roadmap").text)
        assert rows(everything) == [
            "1.1 Answer in language",
            "1.2 Fix potholes faster",
            "1.4 Publish wait times",
        ]
        by_pw = page(client.get(f"{TINY}/roadmap?department=PW").text)
        assert rows(by_pw) == ["1.2 Fix potholes faster"]
        assert "1 of 3 recommendations with planned quarters shown" in text_of(
            by_pw.select_one(".board-summary")
        )
        selected = by_pw.select_one("select[name=department] option[selected]")
        assert selected is not None and selected["value"] == "PW"
        assert rows(page(client.get(f"{TINY}/roadmap?term=future").text)) == [
            "1.4 Publish wait times"
        ]
        overdue = page(client.get(f"{TINY}/roadmap?status=overdue").text)
        assert rows(overdue) == ["1.1 Answer in language"]
        nothing = page(client.get(f"{TINY}/roadmap?term=short&department=PW").text)
        assert rows(nothing) == []
        assert "No recommendation with planned quarters matches these filters." in text_of(
            nothing.select_one("#roadmap")
        )
        # The columns stay the same whatever the filter.
        assert quarter_headers(timeline(everything)) == quarter_headers(timeline(by_pw))

    def test_strategies_without_quarters_are_filtered_too(
        self, session: Session, plan: Plan
    ) -> None:
        client, _ = signed_in_client(session, None)
        soup = page(client.get(f"{TINY}/roadmap").text)
        listed = soup.select_one(".rm-unscheduled")
        assert listed is not None
        assert [text_of(h) for h in listed.select("h3")] == ["Long term (1)"]
        assert "1.3 Plant street trees" in text_of(listed)
        assert "Phase 1: Phase 1" in text_of(listed)  # its phase, beside it
        assert (
            page(client.get(f"{TINY}/roadmap?department=CC").text).select_one(".rm-unscheduled h3")
            is None
        )

    def test_grouped_by_focus_area_or_by_phase(self, session: Session, plan: Plan) -> None:
        client, _ = signed_in_client(session, None)
        by_area = page(client.get(f"{TINY}/roadmap").text)
        assert [text_of(th) for th in by_area.select("tr.rm-group th")] == ["Focus area 1: Access"]
        by_phase = page(client.get(f"{TINY}/roadmap?group=phase").text)
        groups = {text_of(tr.th): [] for tr in by_phase.select("tr.rm-group")}
        assert list(groups) == ["Phase 1: Phase 1", "No phase given"]
        assert rows(by_phase) == [
            "1.1 Answer in language",
            "1.2 Fix potholes faster",
            "1.4 Publish wait times",
        ]

    def test_today_is_marked_and_overdue_spans_say_so_in_words(
        self, session: Session, plan: Plan
    ) -> None:
        client, _ = signed_in_client(session, None)
        soup = page(client.get(f"{TINY}/roadmap").text)
        table = timeline(soup)
        today = dt.date.today()
        label = f"{today.year} Q{(today.month - 1) // 3 + 1}"
        marked = table.select("thead th.rm-today")
        assert [str(th.abbr["title"]) for th in marked] == [label]
        assert "Today" in text_of(marked[0])
        assert f"Today: {label}" in text_of(soup.select_one(".rm-legend"))
        overdue = row_named(table, "Answer in language")  # planned to end in 2024
        assert "Overdue" in text_of(overdue.th)
        said = [text_of(td) for td in overdue.select("td.rm-cell") if text_of(td)]
        assert {text.split(":")[0] for text in said} == {"planned, overdue"}
        # The bar's first quarter tells the whole bar: name, status, dates, share complete.
        assert said[0] == (
            "planned, overdue: 1.1 Answer in language, Overdue, 2024 Q1 – 2024 Q4, 0% complete"
        )
        on_time = row_named(table, "Fix potholes faster")
        assert "Overdue" not in text_of(on_time.th)

    def test_htmx_gets_the_timeline_without_the_layout(self, session: Session, plan: Plan) -> None:
        client, _ = signed_in_client(session, None)
        answer = client.get(f"{TINY}/roadmap?term=long", headers=HX)
        assert answer.status_code == 200
        assert "<html" not in answer.text and "<form" not in answer.text
        assert rows(page(answer.text)) == ["1.2 Fix potholes faster"]

    def test_an_unpublished_plans_roadmap_is_not_found_for_anonymous(
        self, session: Session
    ) -> None:
        make_tiny_plan(session, TINY_PLAN.replace("published: true", "published: false"))
        client, _ = signed_in_client(session, None)
        assert client.get(f"{TINY}/roadmap").status_code == 404


class TestStrategiesInNoFocusArea:
    def test_they_are_rows_and_listed_like_the_others(self, session: Session) -> None:
        plan = make_tiny_plan(session)
        for code, title, values in (
            (
                "9.1",
                "Open data portal",
                {"planned_start": "2025-01-01", "planned_end": "2025-06-30"},
            ),
            ("9.2", "Annual report", {"term": "long"}),
        ):
            strategies.create_strategy(
                session=session,
                plan=plan,
                data=StrategyCreate(code=code, title=title, **values),  # type: ignore[arg-type]
                actor=SYSTEM,
            )
        session.commit()
        client, _ = signed_in_client(session, None)
        soup = page(client.get(f"{TINY}/roadmap").text)
        groups = [text_of(th) for th in soup.select("tr.rm-group th")]
        assert groups == ["Focus area 1: Access", "Not in a focus area"]
        assert rows(soup) == ["1.1 Answer in language", "9.1 Open data portal"]
        listed = soup.select_one("#term-long")
        assert listed is not None
        table = listed.find_next("table")
        assert table is not None
        assert [text_of(th) for th in table.select("tbody th")] == [
            "1.2 Fix potholes faster",
            "9.2 Annual report",
        ]
        by_phase = page(client.get(f"{TINY}/roadmap?group=phase").text)
        assert "9.1 Open data portal" in rows(by_phase)
