"""The two writers: an Export as CSV (its main table) or as an XLSX workbook (a sheet per table).

CSV: UTF-8 with a byte-order mark and CRLF line ends (what Excel opens without asking), dates as
YYYY-MM-DD, moments as `YYYY-MM-DD HH:MM` in UTC, numbers as Python writes them (no exponent for
an ordinary value), text that looks like a formula prefixed with a single quote.

XLSX (openpyxl, written row by row): a bold header row, the panes frozen below it, each column as
wide as its longest value within bounds (or as its table says), numbers as number cells, dates as
date cells, moments as date-time cells in UTC, and every text as a string cell: never a formula,
whatever it begins with.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from app.services.exports.render_slots import render_slot
from app.services.exports.tables import Export, Table, Value, looks_like_formula

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_WIDTH, MAX_WIDTH = 8, 60
XLSX_MAX_TEXT = 32_767  # Excel's limit on a cell's text
# Characters XML 1.0 cannot hold (openpyxl refuses them): dropped from the text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel's sheet names: at most 31 characters, none of []:*?/\
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _utc(moment: dt.datetime) -> dt.datetime:
    """A moment as naive UTC (spreadsheets have no time zones; SQLite gives naive UTC)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _number_text(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def csv_text(value: Value) -> str:
    """One CSV cell: a formula-like text is prefixed with ' so no spreadsheet runs it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{_utc(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return _number_text(value)
    return "'" + value if looks_like_formula(value) else value


def to_csv(export: Export) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    table = export.main
    writer.writerow([csv_text(t) for t in table.header])
    for row in table.rows:
        writer.writerow([csv_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _shown_length(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, int | float):
        return len(_number_text(value))
    return max((len(line) for line in value.splitlines()), default=0)


def widths(table: Table) -> list[int]:
    """Each column's width in characters: its own, else its longest value's, within bounds."""
    out = []
    for i, column in enumerate(table.columns):
        if column.width is not None:
            out.append(column.width)
            continue
        longest = max([len(column.title), *(_shown_length(row[i]) for row in table.rows)])
        out.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return out


def _sheet_title(title: str, taken: set[str]) -> str:
    base = " ".join(_SHEET_UNSAFE.sub(" ", title).split())[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _xlsx_cell(sheet: Any, value: Value, font: Any = None) -> Any:
    """One cell of a write-only sheet, of `value`'s type; text is always a string cell."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_ILLEGAL.sub("", value)[:XLSX_MAX_TEXT])
        cell.data_type = "s"  # a string cell: never read as a formula, whatever it begins with
    elif isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value="yes" if value else "no")
    elif isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=_utc(value))
        cell.number_format = "yyyy-mm-dd hh:mm"
    else:
        cell = WriteOnlyCell(sheet, value=value)  # a number, a date or nothing
    if font is not None:
        cell.font = font
    return cell


def to_xlsx(export: Export) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for table in export.tables:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        # A write-only sheet takes its layout before its first row.
        sheet.freeze_panes = "A2"
        for i, width in enumerate(widths(table), start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.append([_xlsx_cell(sheet, title, bold) for title in table.header])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(export: Export, fmt: str) -> bytes:
    """The export as `fmt` ("csv" or "xlsx")."""
    if fmt == "xlsx":  # seconds for a city's measurements: one of the process's render slots
        with render_slot("xlsx"):
            return to_xlsx(export)
    if fmt == "csv":
        return to_csv(export)
    raise ValueError(f"unknown export format {fmt!r}")


def media_type(fmt: str) -> str:
    return XLSX_MEDIA_TYPE if fmt == "xlsx" else CSV_MEDIA_TYPE
