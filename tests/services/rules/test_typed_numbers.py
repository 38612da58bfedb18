"""Numbers typed into a form: read as the person meant them, or refused with the reading."""

from __future__ import annotations

import pytest

from app.services.errors import ValidationFailed
from app.services.rules.typed_numbers import read_typed_number

PERCENT = (0.0, 100.0)


@pytest.mark.parametrize(
    ("typed", "unit", "meant"),
    [
        ("70,5", "percent", 70.5),  # the form stripped this comma and stored 705%
        ("70.5", "percent", 70.5),
        ("70,5 %", "percent", 70.5),
        ("82.5%", "percent", 82.5),
        ("0,25", "rate", 0.25),
        (",5", "score", 0.5),
        ("1,250", "count", 1250),  # a count is whole: one reading only
        ("1,250,000", "count", 1_250_000),
        ("1,250,000", "currency", 1_250_000),
        ("1,250.5", "currency", 1250.5),
        ("1.250,5", "currency", 1250.5),
        ("1 250", "count", 1250),
        ("$1,250,000", "currency", 1_250_000),
        ("-5", "rate", -5),
        ("\u22125", "rate", -5),  # a typographic minus
        ("4:22", "minutes", 4 + 22 / 60),
        ("4:22", "seconds", 262),
        ("31 s", "seconds", 31),
        ("31 seconds", "seconds", 31),
        ("1:30", "hours", 1.5),
        ("12 minutes", "minutes", 12),
    ],
)
def test_read_as_meant(typed: str, unit: str, meant: float) -> None:
    bounds = PERCENT if unit == "percent" else (None, None)
    assert read_typed_number(typed, unit=unit, bounds=bounds) == pytest.approx(meant)


@pytest.mark.parametrize(
    ("typed", "unit", "bounds", "message"),
    [
        (
            "70,500",
            "percent",
            PERCENT,
            "70,500 could be 70500 or 70.5. Did you mean 70.5? Write it with a point for "
            "decimals and no comma",
        ),
        ("1,250", "currency", (None, None), "1,250 could be read two ways: write 1250 or 1.25"),
        ("1,250", "rate", (None, None), "1,250 could be read two ways: write 1250 or 1.25"),
        ("lots", "percent", PERCENT, "enter a number, e.g. 70.5 (a point or a comma for decimals)"),
        (
            "7o",
            "count",
            (None, None),
            "enter a number, e.g. 70.5 (a point or a comma for decimals)",
        ),
        ("", "count", (None, None), "this is required"),
        (
            "4:22",
            "percent",
            PERCENT,
            "4:22 reads as a time; this metric is counted in percent: enter a number",
        ),
        ("4:75", "minutes", (0, None), "write a time as minutes:seconds, e.g. 4:05"),
        (
            "12%",
            "count",
            (0, None),
            "this metric is counted in count, not percent; leave out the %",
        ),
        ("1e3", "count", (0, None), "enter a number, e.g. 70.5 (a point or a comma for decimals)"),
        (
            "nan",
            "rate",
            (None, None),
            "enter a number, e.g. 70.5 (a point or a comma for decimals)",
        ),
    ],
)
def test_refused_with_the_reading_spelled_out(
    typed: str, unit: str, bounds: tuple[float | None, float | None], message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_typed_number(typed, unit=unit, bounds=bounds)
    (problem,) = refused.value.problems
    assert (problem.field, problem.message) == ("value", message)


def test_the_refusal_names_the_field_it_was_given() -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_typed_number("x", unit="count", field="target")
    assert refused.value.problems[0].field == "target"
