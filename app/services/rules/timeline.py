"""A roadmap's timeline, pure: its quarter columns, year headings and each row's cells.

Unit-tested on their own; `roadmap` builds a plan's roadmap from them.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from app.services.rules.plan_dates import DateWindow
from app.services.rules.quarters import (
    add_months,
    fiscal_year,
    fiscal_year_start,
    quarter_end,
    quarter_index,
    quarter_start,
)


@dataclass(frozen=True)
class Column:
    index: int
    year_label: str  # "Year 2" or "2024"
    quarter: str  # "Q2"
    start: dt.date
    end: dt.date
    today: bool = False
    today_at: int = 0  # where today falls in the quarter, in tenths (0-9): the today line

    @property
    def label(self) -> str:
        return f"{self.year_label} {self.quarter}"

    def tenth_of(self, day: dt.date) -> int:
        """Where `day` falls in this quarter, in tenths from its first day (0-9)."""
        length = (self.end - self.start).days + 1
        return max(0, min(9, (day - self.start).days * 10 // length))


@dataclass(frozen=True)
class YearHeading:
    label: str
    span: int
    today: bool


@dataclass(frozen=True)
class Cell:
    column: Column
    planned: bool
    first: bool = False
    last: bool = False
    overdue: bool = False

    @cached_property  # a blank cell is shared by every row (see `row_cells`): computed once
    def css(self) -> str:
        classes = ["rm-cell"]
        if self.column.index % 4 == 0:
            classes.append("rm-year-start")
        if self.planned:
            classes.append("rm-planned")
            classes += ["rm-first"] if self.first else []
            classes += ["rm-last"] if self.last else []
            classes += ["rm-overdue"] if self.overdue else []
        if self.column.today:
            classes += ["rm-today", f"rm-now-{self.column.today_at}"]
        return " ".join(classes)


def timeline_base(
    *, relative_origin: dt.date | None, earliest: dt.date, fiscal_start_month: int | None = None
) -> dt.date:
    """The first day of the first column: the schedule origin's month on a relative schedule,
    else the first day of the fiscal year holding the earliest day where the plan has a fiscal
    year, else the January of the earliest year (so quarters line up with the columns)."""
    if relative_origin is not None:
        return relative_origin.replace(day=1)
    if fiscal_start_month is not None:
        return fiscal_year_start(earliest, fiscal_start_month)
    return dt.date(earliest.year, 1, 1)


def timeline_columns(
    *,
    base: dt.date,
    last_day: dt.date,
    relative: bool,
    today: dt.date,
    first_day: dt.date | None = None,
    fiscal: bool = False,
) -> list[Column]:
    """Whole years of quarters from `base` (or from the year of the timeline holding `first_day`)
    through the quarter holding `last_day`. `fiscal`: `base` is the first day of a fiscal year
    (see `timeline_base`); the years read "FY2026" (named by the year each ends in) and the
    quarters are the fiscal year's."""
    skipped = max(quarter_index(first_day, base), 0) // 4 if first_day else 0
    quarters = max(quarter_index(last_day, base), 0) + 1
    # whole years: the chart reads "Year 1 … Year 4", Q1–Q4 under each
    years = max(-(-quarters // 4) - skipped, 1)
    columns = []
    for i in range(years * 4):
        year, q = skipped + i // 4 + 1, i % 4 + 1
        if fiscal and not relative:
            start = add_months(base, 3 * (year - 1) * 4 + 3 * (q - 1))
            end = add_months(start, 3) - dt.timedelta(days=1)
            year_label = f"FY{fiscal_year(start, base.month)}"
        elif relative:
            text = f"Y{year} Q{q}"
            start, end = quarter_start(text, base), quarter_end(text, base)
            year_label = f"Year {year}"
        else:
            text = f"{base.year + year - 1:04d}-Q{q}"
            start, end = quarter_start(text), quarter_end(text)
            year_label = str(base.year + year - 1)
        column = Column(i, year_label, f"Q{q}", start, end, start <= today <= end)
        if column.today:
            column = Column(i, year_label, f"Q{q}", start, end, True, column.tenth_of(today))
        columns.append(column)
    return columns


def column_of(columns: list[Column], day: dt.date) -> int | None:
    """The index of the column holding `day`, or None when it is outside the timeline."""
    i = bisect_right([c.start for c in columns], day) - 1
    return i if i >= 0 and day <= columns[i].end else None


def fill_tenths(cells: list[Cell], progress: int) -> dict[int, int]:
    """How much of each planned cell a bar `progress`% done fills, in tenths (0-10), by column
    index: the done part runs from the bar's start, across whole quarters, then part of one."""
    planned = [i for i, cell in enumerate(cells) if cell.planned]
    done = max(0, min(100, progress)) * len(planned) / 100
    return {i: round(max(0.0, min(1.0, done - j)) * 10) for j, i in enumerate(planned)}


def timeline_span(
    *, days: list[dt.date], window: DateWindow, bounded: tuple[bool, bool], max_years: int
) -> tuple[dt.date, dt.date]:
    """The first and last day the columns must show.

    Each end is the window's (the plan's period, in whole quarters) where `bounded` says the plan
    sets it, else the data's, clamped to the window: a date stored before dates were checked can
    no longer stretch the page over centuries. A timeline longer than `max_years` keeps the
    `max_years` that hold the most of `days` (the rows' dates), earliest first.
    """
    clamped = sorted(window.clamp(d) for d in days) or [window.first, window.last]
    first = window.first if bounded[0] else clamped[0]
    last = window.last if bounded[1] else clamped[-1]
    if last.year - first.year < max_years:
        return first, last
    years = [d.year for d in clamped if first <= d <= last]  # sorted

    def held(start_year: int) -> int:
        return bisect_right(years, start_year + max_years - 1) - bisect_left(years, start_year)

    best = max(sorted(set(years)) or [first.year], key=lambda y: (held(y), -y))
    return max(first, dt.date(best, 1, 1)), min(last, dt.date(best + max_years - 1, 12, 31))


def year_headings(columns: list[Column]) -> list[YearHeading]:
    out: list[YearHeading] = []
    for i in range(0, len(columns), 4):
        group = columns[i : i + 4]
        out.append(YearHeading(group[0].year_label, len(group), any(c.today for c in group)))
    return out


def blank_cells(columns: list[Column]) -> list[Cell]:
    """The unplanned cell of each column: the same for every row, so rows can share them."""
    return [Cell(c, False) for c in columns]


def row_cells(
    *,
    start: dt.date | None,
    end: dt.date | None,
    columns: list[Column],
    overdue: bool = False,
    blanks: list[Cell] | None = None,
) -> list[Cell]:
    """One cell per column, planned where the span overlaps the quarter. A span with only a start
    or only an end is shown in that one quarter. Unplanned cells are taken from `blanks` (of
    `blank_cells(columns)`) when given: most cells of a long timeline are blank."""
    blanks = blanks if blanks is not None else blank_cells(columns)
    first_day = start or end
    last_day = end or start
    if first_day is None or last_day is None:
        return list(blanks)
    planned = [first_day <= c.end and last_day >= c.start for c in columns]
    cells = []
    for i, c in enumerate(columns):
        if not planned[i]:
            cells.append(blanks[i])
            continue
        cells.append(
            Cell(
                c,
                True,
                first=i == 0 or not planned[i - 1],
                last=i == len(columns) - 1 or not planned[i + 1],
                overdue=overdue,
            )
        )
    return cells
