"""/plans/{slug}/roadmap as a Gantt chart (issue 12): each bar in its status's colour with its
% complete filled in and said in words, workplan steps with a due date as milestones on their
strategy's row, quick wins with planned dates on the timeline, and a line at today (the app's
clock), under calendar years."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup, Tag
from sqlmodel import Session

from app.models import Plan
from app.services.rules import clock
from tests.factories import TINY_PLAN, make_tiny_plan, signed_in_client

TINY = "/plans/testville-service"
# The app's clock: 2026-07-20, day 19 of 2026 Q3 (92 days), so two tenths into the quarter.
NOW = dt.datetime(2026, 7, 20, 9, 0, tzinfo=dt.UTC)

GANTT_PLAN = TINY_PLAN.replace(
    """      - code: "1.2"
        title: Fix potholes faster
        term: long
        department: PW
""",
    """      - code: "1.2"
        title: Fix potholes faster
        term: long
        department: PW
        status: on_track
        progress: 40
        progress_counting: by_hand
        planned_start: 2026-Q3
        planned_end: 2027-Q2
        steps:
          - {title: Buy a patching truck, due: 2026-11-15}
          - {title: Train the crews, due: 2027-02-01, done_on: 2027-01-20}
""",
).replace(
    "category: people, status: in_progress, department: CC}",
    "category: people, status: in_progress, department: CC,"
    " planned_start: 2026-07-01, planned_end: 2026-12-31}",
)


@pytest.fixture
def gantt(session: Session, monkeypatch: pytest.MonkeyPatch) -> Plan:
    monkeypatch.setattr(clock, "clock", lambda: NOW)
    return make_tiny_plan(session, GANTT_PLAN)


def roadmap(session: Session, query: str = "") -> BeautifulSoup:
    client, _ = signed_in_client(session, None)
    answer = client.get(f"{TINY}/roadmap{query}")
    assert answer.status_code == 200
    return BeautifulSoup(answer.text, "html.parser")


def words(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def quarters(soup: BeautifulSoup) -> list[str]:
    return [str(th.abbr["title"]) for th in soup.select("table.roadmap-table thead th.rm-q")]


def cells_by_quarter(soup: BeautifulSoup, row: Tag) -> dict[str, Tag]:
    return dict(zip(quarters(soup), row.select("td.rm-cell"), strict=True))


def test_a_bar_wears_its_status_and_fills_its_share_complete(session: Session, gantt: Plan) -> None:
    soup = roadmap(session)
    row = soup.select_one("tr#rm-1\\.2")
    assert row is not None
    assert "rm-st-on_track" in row["class"]
    assert "On track" in words(row.th) and "40% complete" in words(row.th)
    cells = cells_by_quarter(soup, row)
    bars = {q: td for q, td in cells.items() if td.select_one(".rm-bar")}
    assert list(bars) == ["2026 Q3", "2026 Q4", "2027 Q1", "2027 Q2"]
    # 40% of four quarters is 1.6 quarters: the first filled whole, six tenths of the second.
    done = [td.select_one(".rm-done")["class"][1] for td in bars.values()]
    assert done == ["rm-done-10", "rm-done-6", "rm-done-0", "rm-done-0"]
    # A screen reader hears the whole bar once, at its start.
    assert words(bars["2026 Q3"]) == (
        "planned: 1.2 Fix potholes faster, On track, 2026 Q3 – 2027 Q2, 40% complete"
    )


def test_a_step_with_a_due_date_is_a_milestone_on_its_strategys_row(
    session: Session, gantt: Plan
) -> None:
    soup = roadmap(session)
    cells = cells_by_quarter(soup, soup.select_one("tr#rm-1\\.2"))
    buy = cells["2026 Q4"].select(".rm-milestone")
    assert len(buy) == 1
    # 15 November is day 45 of the quarter's 92: four tenths in.
    assert buy[0]["class"] == ["rm-milestone", "rm-at-4"]
    assert words(buy[0]) == "Milestone: Buy a patching truck, due 2026-11-15, not done"
    train = cells["2027 Q1"].select_one(".rm-milestone")
    assert train is not None and "rm-milestone-done" in train["class"]
    assert "done 2027-01-20" in words(train)
    others = [td for q, td in cells.items() if q not in ("2026 Q4", "2027 Q1")]
    assert not any(td.select(".rm-milestone") for td in others)


def test_a_quick_win_with_planned_dates_is_on_the_timeline(session: Session, gantt: Plan) -> None:
    soup = roadmap(session)
    row = soup.select_one("tbody.rm-quick-wins tr#rm-qw-1")
    assert row is not None
    assert "rm-st-in_progress" in row["class"]  # the quick win's own colour, not on-track green
    assert words(row.th).startswith("QW 1 Language Access In progress")
    bars = [q for q, td in cells_by_quarter(soup, row).items() if td.select_one(".rm-bar")]
    assert bars == ["2026 Q3", "2026 Q4"]
    # The undated quick win is not drawn; a term filter (quick wins have none) leaves them out.
    assert soup.select_one("tr#rm-qw-2") is None
    assert roadmap(session, "?term=long").select_one("tbody.rm-quick-wins") is None
    assert roadmap(session, "?department=CC").select_one("tr#rm-qw-1") is not None
    assert roadmap(session, "?department=PW").select_one("tr#rm-qw-1") is None


def test_the_today_line_stands_where_the_clock_says(session: Session, gantt: Plan) -> None:
    soup = roadmap(session)
    marked = soup.select("table.roadmap-table thead th.rm-today")
    assert [str(th.abbr["title"]) for th in marked] == ["2026 Q3"]
    assert "rm-now-2" in marked[0]["class"]  # 20 July: two tenths into 2026 Q3
    column = quarters(soup).index("2026 Q3")
    for tr in soup.select("table.roadmap-table tbody tr:not(.rm-group)"):
        cell = tr.select("td.rm-cell")[column]
        assert {"rm-today", "rm-now-2"} <= set(cell["class"])
    assert "Today: 2026 Q3 (2026-07-20)" in words(soup.select_one(".rm-legend"))


def test_years_are_calendar_years_where_the_plan_has_dates(session: Session, gantt: Plan) -> None:
    soup = roadmap(session)
    years = soup.select("table.roadmap-table thead th.rm-year")
    assert [(words(th), th["colspan"]) for th in years] == [
        (str(y), "4") for y in (2024, 2025, 2026, 2027)
    ]
    assert quarters(soup)[:2] == ["2024 Q1", "2024 Q2"]
    assert "in calendar years" in words(soup.select_one("p.lede"))
    assert "Year 1" not in words(soup.select_one("table.roadmap-table thead"))
