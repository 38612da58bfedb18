"""The typed tables an export is made of, and the rule that keeps a cell from being a formula.

A cell holds a plain Python value: text (`str`), a number (`int`, `float`), a date, a moment
(`datetime`, written in UTC), or nothing (`None`). The writers keep each type: an XLSX number is
a number cell and a date a date cell, so a spreadsheet sorts and sums them.

Text typed by people (a strategy titled "=HYPERLINK(…)", a note "-1+2", "@SUM(A1)") must never
run as a formula in the spreadsheet that opens the file. `looks_like_formula` is the one test:
text beginning with = + - @, a tab or a carriage return (OWASP's list). The CSV writer prefixes
such text with a single quote; the XLSX writer stores every text as a string cell, which no
spreadsheet evaluates. Numbers are not text: -5.0 stays the number -5.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.models import Plan
from app.services.rules.rollup import LABELS, label

Value = str | int | float | dt.date | dt.datetime | None

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Filenames keep letters, digits, dots, dashes and underscores (a slug already does).
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text` as the start of a formula."""
    return text.startswith(FORMULA_START)


@dataclass(frozen=True)
class Column:
    title: str
    width: int | None = None  # in characters; None: from the longest value (within bounds)


@dataclass
class Table:
    """One sheet: a title (the XLSX sheet's name), its header and its rows of typed values."""

    title: str
    columns: list[Column]
    rows: list[list[Value]] = field(default_factory=list)

    def add(self, *values: Value) -> None:
        assert len(values) == len(self.columns), (len(values), len(self.columns))
        self.rows.append(list(values))

    @property
    def header(self) -> list[str]:
        return [c.title for c in self.columns]


@dataclass
class Export:
    """What one download holds: a name (without extension) and its tables, the main one first.
    A CSV file holds the first table only; an XLSX file has a sheet per table."""

    name: str
    tables: list[Table]

    @property
    def main(self) -> Table:
        return self.tables[0]


def columns(*titles: str | Column) -> list[Column]:
    return [t if isinstance(t, Column) else Column(t) for t in titles]


def file_name(*parts: str, day: dt.date) -> str:
    """`testville-service-scorecard-2026-12-07`: the parts and the day, in filename-safe text."""
    words = [_UNSAFE_NAME.sub("-", p).strip("-") for p in parts if p]
    return "-".join([w for w in words if w] + [day.isoformat()])


def status_word(code: str, plan: Plan | None = None, fallback: str = "") -> str:
    """A status as the page words it: the plan's own word where it set one, else the page's."""
    words: Mapping[str, str] | None = plan.status_words if plan is not None else None
    if words and words.get(code):
        return label(code, words)
    return fallback or LABELS.get(code) or label(code)


def joined(items: Sequence[str]) -> str:
    return "; ".join(i for i in items if i)
