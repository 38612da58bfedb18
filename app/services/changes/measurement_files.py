"""Measurement files (CSV or XLSX) in and out: the cells of a batch read from a file, and the
template a plan's people fill in.

A file has a header row naming its columns: `metric code`, `period` (YYYY-MM), `value` and,
optionally, `note`; other columns (the template's metric name and unit) are ignored. Every cell is
taken as the text it holds: a formula (`=SUM(A1:A3)`, also an XLSX cell's formula, which is never
evaluated) is text, which the value reader refuses and a note keeps as written. Lines are counted
as a spreadsheet numbers its rows (the header is line 1), so a refusal says `line 4, value: …`.
The template writes text that starts like a formula with a leading apostrophe (CSV) or as a text
cell (XLSX), so no spreadsheet runs a metric's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from app.models import Metric, Plan
from app.services.changes.measurement_batches import Cell
from app.services.errors import ValidationFailed

MAX_ROWS = 20_000
COLUMNS = ("metric code", "period", "value", "note")
TEMPLATE_COLUMNS = (*COLUMNS, "metric name", "unit")
_ALIASES = {"metric": "metric code", "metric_code": "metric code", "code": "metric code"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    """A spreadsheet cell as the text it shows: numbers without a trailing .0, months as YYYY-MM."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _header(row: list[str]) -> dict[str, int]:
    names = [_ALIASES.get(n.strip().lower(), n.strip().lower()) for n in row]
    missing = [c for c in COLUMNS[:3] if c not in names]
    if missing:
        raise ValidationFailed.one(
            "file",
            "line 1: the header must name the columns metric code, period, value (and note); "
            f"missing: {', '.join(missing)}",
        )
    return {c: names.index(c) for c in COLUMNS if c in names}


def _cells(rows: list[tuple[int, list[str]]]) -> list[Cell]:
    if not rows:
        raise ValidationFailed.one("file", "the file is empty: it needs a header row")
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed.one("file", f"at most {MAX_ROWS} lines of values in one file")
    where = _header(rows[0][1])
    out = []
    for line, row in rows[1:]:

        def at(column: str, row: list[str] = row) -> str:
            i = where.get(column)
            return row[i].strip() if i is not None and i < len(row) else ""

        if not any(cell.strip() for cell in row):
            continue
        out.append(Cell(at("metric code"), at("period"), at("value"), at("note"), line=line))
    return out


def read_csv(data: bytes) -> list[Cell]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.one("file", "a CSV file must be UTF-8 text") from exc
    dialect = csv.excel_tab if "\t" in text.split("\n", 1)[0] else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _cells([(reader.line_num, row) for row in reader])
    except csv.Error as exc:
        raise ValidationFailed.one("file", f"line {reader.line_num}: {exc}") from exc


def read_xlsx(data: bytes) -> list[Cell]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed.one("file", "this is not an XLSX workbook") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, [_text(v) for v in values]))
            if number > MAX_ROWS + 1:
                break
        return _cells(rows)
    finally:
        book.close()


def read_file(name: str, data: bytes) -> list[Cell]:
    """The cells of an uploaded file, by its name's ending (or its first bytes)."""
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data)
    return read_csv(data)


# --- the template ------------------------------------------------------------------------------


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def template_rows(metrics: list[Metric], period: dt.date) -> list[list[str]]:
    return [[m.code, f"{period:%Y-%m}", "", "", m.name, m.unit] for m in metrics]


def template_csv(plan: Plan, metrics: list[Metric], period: dt.date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in template_rows(metrics, period):
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def template_xlsx(plan: Plan, metrics: list[Metric], period: dt.date) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Measurements"
    for r, row in enumerate([list(TEMPLATE_COLUMNS), *template_rows(metrics, period)], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"  # text, never a formula
            cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
