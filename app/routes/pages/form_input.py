"""What a page's forms and query strings send, read for the routes: values parsed, and a refused
value (pydantic's ValidationError, a service's ValidationFailed) as per-field messages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import pydantic as pd
from fastapi import Form

from app.models.base import MAX_ID, whole_number
from app.services.errors import ValidationFailed

Form_ = Annotated[str, Form()]


def _message(err: Any) -> str:
    """pydantic's error, in the words of a form."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This is required."
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length')} characters."
    if kind in ("less_than_equal", "less_than"):
        return f"Must be {ctx.get('le', ctx.get('lt'))} or less."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Must be {ctx.get('ge', ctx.get('gt'))} or more."
    if kind.startswith("int_"):
        return "Enter a whole number."
    if kind.startswith("float_") or kind == "finite_number":
        return "Enter a number."
    if kind.startswith("date_"):
        return "Enter a date as YYYY-MM-DD."
    if kind == "enum":
        return "Choose one of the listed values."
    return str(err.get("msg", "Not valid."))


def pydantic_errors(exc: pd.ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        name = str((err.get("loc") or ("form",))[0])
        if name == "status" and err.get("type") == "enum":
            out.setdefault(name, "Choose one of the listed statuses.")
        out.setdefault(name, _message(err))
    if "version" in out:  # a hidden field: the user cannot fix it, only reload
        out["form"] = "This form is missing the version it was made from; reload the page."
    return out


def service_errors(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for problem in exc.problems:
        said = problem.message[:1].upper() + problem.message[1:]
        out.setdefault(problem.field, said if said.endswith((".", "?", "!")) else said + ".")
    return out


def blank_to_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def parse_period(text: str) -> str | dt.date:
    """A month input sends "2025-06" (the period's first day); a date input "2025-06-15".
    Anything else goes to the schema as typed, which names the problem."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            return text
    return text


# Pages beyond this are empty for any organisation; a bigger number is read as the first page.
MAX_PAGE = 999_999


def page_number(text: str) -> int:
    """`?page=` as asked; anything but a whole number from 1 to MAX_PAGE is the first page."""
    return whole_number(text, high=MAX_PAGE) or 1


def item_id(text: str) -> int | None:
    """An id a form or query string names (`person`, `quick_win_id`, `department`), or None when
    it is not one: ASCII digits from 1 to MAX_ID, the largest id the database holds."""
    return whole_number(text, high=MAX_ID)


class _FormVersion(pd.BaseModel):
    version: int


def form_version(text: str) -> int:
    """The hidden `version` a form was made from. A missing or garbled one raises pydantic's
    ValidationError on `version`, which pydantic_errors() words as "reload the page"."""
    return _FormVersion(version=text).version  # type: ignore[arg-type]
