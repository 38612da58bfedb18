"""Fiscal years on the roadmap (issue 12): a plan whose fiscal year starts in July reads "FY2026"
(named by the year it ends in: July 2025 - June 2026) and its quarter boundaries fall on the
fiscal quarters (Q1 = July - September)."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from sqlmodel import Session

from app.models.enums import Role
from app.services.rules.quarters import fiscal_quarter, fiscal_quarter_label, fiscal_year
from app.services.rules.timeline import column_of, timeline_base, timeline_columns
from tests.factories import TINY_PLAN, make_person, make_tiny_plan, signed_in_client

TODAY = dt.date(2026, 12, 7)


def test_a_fiscal_year_is_named_by_the_year_it_ends_in() -> None:
    assert fiscal_year(dt.date(2025, 7, 1), 7) == 2026
    assert fiscal_year(dt.date(2026, 6, 30), 7) == 2026
    assert fiscal_year(dt.date(2026, 7, 1), 7) == 2027
    assert fiscal_year(dt.date(2026, 3, 1), 1) == 2026
    assert fiscal_year(dt.date(2025, 10, 1), 10) == 2026  # the US federal year
    assert [fiscal_quarter(dt.date(2025, m, 1), 7) for m in (7, 9, 10, 1, 4, 6)] == [
        1, 1, 2, 3, 4, 4,
    ]  # fmt: skip
    assert fiscal_quarter_label(dt.date(2025, 8, 14), 7) == "FY2026 Q1"


def test_a_july_start_puts_the_columns_on_fiscal_quarters() -> None:
    base = timeline_base(relative_origin=None, earliest=dt.date(2025, 3, 15), fiscal_start_month=7)
    assert base == dt.date(2024, 7, 1)  # the fiscal year holding March 2025 is FY2025
    columns = timeline_columns(
        base=base, last_day=dt.date(2026, 2, 1), relative=False, today=TODAY, fiscal=True
    )
    assert len(columns) == 8  # FY2025 and FY2026, whole years
    assert [c.label for c in columns[:5]] == [
        "FY2025 Q1", "FY2025 Q2", "FY2025 Q3", "FY2025 Q4", "FY2026 Q1",
    ]  # fmt: skip
    assert (columns[0].start, columns[0].end) == (dt.date(2024, 7, 1), dt.date(2024, 9, 30))
    assert (columns[3].start, columns[3].end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert columns[4].start == dt.date(2025, 7, 1)
    # 30 June and 1 July are in different fiscal years, so in different columns.
    assert column_of(columns, dt.date(2025, 6, 30)) == 3
    assert column_of(columns, dt.date(2025, 7, 1)) == 4


def test_calendar_years_are_unchanged_without_a_fiscal_year() -> None:
    base = timeline_base(relative_origin=None, earliest=dt.date(2025, 3, 15))
    columns = timeline_columns(
        base=base, last_day=dt.date(2025, 12, 1), relative=False, today=TODAY
    )
    assert base == dt.date(2025, 1, 1) and columns[0].label == "2025 Q1"


def test_the_roadmap_page_reads_fiscal_years(session: Session) -> None:
    text = TINY_PLAN.replace(
        "  published: true\n", "  published: true\n  fiscal_year_start_month: 7\n"
    )
    make_tiny_plan(session, text)
    client, _ = signed_in_client(session, make_person(session, "v", Role.viewer))
    soup = BeautifulSoup(client.get("/plans/testville-service/roadmap").text, "html.parser")
    page = " ".join(soup.get_text(" ").split())
    # The plan runs 2024-01-01 to 2027-12-31: from FY2024 (July 2023) to FY2028.
    assert "FY2024" in page and "FY2028" in page
    assert "FY2026 is July 2025 – June 2026" in page
    # Strategy 1.1 is planned 2024-Q1 to 2024-Q4 (calendar): January 2024 is FY2024 Q3.
    assert "FY2024 Q3 – FY2025 Q2" in page
