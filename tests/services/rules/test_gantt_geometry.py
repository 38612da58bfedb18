"""Where the roadmap's Gantt draws things (services.rules.timeline): how much of each quarter a
bar's % complete fills, which quarter a date falls in and how far into it, and today's line."""

from __future__ import annotations

import datetime as dt

from app.services.rules.timeline import column_of, fill_tenths, row_cells, timeline_columns

COLUMNS = timeline_columns(
    base=dt.date(2026, 1, 1),
    last_day=dt.date(2027, 12, 31),
    relative=False,
    today=dt.date(2026, 5, 16),
)


def test_a_bar_fills_whole_quarters_then_tenths_of_the_next() -> None:
    cells = row_cells(start=dt.date(2026, 4, 1), end=dt.date(2026, 12, 31), columns=COLUMNS)
    # Three quarters planned (Q2-Q4 2026, columns 1-3); 50% is one and a half.
    assert fill_tenths(cells, 50) == {1: 10, 2: 5, 3: 0}
    assert fill_tenths(cells, 0) == {1: 0, 2: 0, 3: 0}
    assert fill_tenths(cells, 100) == {1: 10, 2: 10, 3: 10}
    assert fill_tenths(cells, 1) == {1: 0, 2: 0, 3: 0}  # 0.03 of a quarter rounds to nothing
    assert fill_tenths(cells, 150) == {1: 10, 2: 10, 3: 10}  # never past the bar


def test_a_date_falls_in_its_quarter_and_tenth() -> None:
    assert column_of(COLUMNS, dt.date(2026, 1, 1)) == 0
    assert column_of(COLUMNS, dt.date(2026, 11, 15)) == 3
    assert column_of(COLUMNS, dt.date(2027, 12, 31)) == 7
    assert column_of(COLUMNS, dt.date(2025, 12, 31)) is None
    assert column_of(COLUMNS, dt.date(2028, 1, 1)) is None
    q4 = COLUMNS[3]
    assert [q4.tenth_of(dt.date(2026, m, d)) for m, d in ((10, 1), (11, 15), (12, 31))] == [0, 4, 9]


def test_today_is_marked_in_its_quarter_and_tenth() -> None:
    marked = [c for c in COLUMNS if c.today]
    assert [(c.label, c.today_at) for c in marked] == [("2026 Q2", 4)]  # 16 May: day 45 of 91
    cell = row_cells(start=None, end=None, columns=COLUMNS)[1]
    assert "rm-today rm-now-4" in cell.css
