"""Numbers as people type them into a form, read as they meant them or refused.

One reader for every form that takes a number. People type `70,5` (a decimal comma), `1,250`
(a thousands comma), `4:22` (a wait of four minutes and twenty-two seconds), `82.5%` or `31 s`.
The old form stripped every comma, so `70,5` became 705: a value that is not what the person
meant must never be stored. The rules:

- A comma followed by other than exactly three digits can only be a decimal comma: `70,5` → 70.5.
- Commas that group every three digits (`1,250,000`), or sit before a decimal point
  (`1,250.5`), are thousands separators; so are dots before a decimal comma (`1.250,5`).
- One comma followed by exactly three digits (`1,250`) reads two ways. A count is a whole number,
  so it is 1250; for any other unit it is refused, spelling out both readings ("write 1250 or
  1.25"), or the one that fits the unit's bounds ("Did you mean 70.5?").
- `m:ss` (or `h:mm` for hours) is accepted for durations only; a unit suffix (`%`, `s`, `min`)
  only when it is the metric's unit.

The API takes JSON numbers and never comes here: a client sends 70.5, not text.
"""

from __future__ import annotations

import math
import re

from app.models.enums import Unit
from app.services.errors import ValidationFailed

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_GROUPED_COMMAS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_GROUPED_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DECIMAL_COMMA = re.compile(r"\d*,\d+")
_CLOCK = re.compile(r"(\d+):([0-5]\d)")
# What may follow the number, per unit: the metric's own unit written after it.
_SUFFIXES: dict[str, tuple[str, ...]] = {
    Unit.percent: ("%", "percent"),
    Unit.seconds: ("s", "sec", "secs", "second", "seconds"),
    Unit.minutes: ("min", "mins", "minute", "minutes"),
    Unit.hours: ("h", "hr", "hrs", "hour", "hours"),
    Unit.days: ("d", "day", "days"),
    Unit.currency: ("$",),
}
# A clock-like value, per duration unit: the unit of the part before the colon, in this unit.
_CLOCK_UNITS = {
    Unit.seconds: ("minutes:seconds", 60.0, 1.0),
    Unit.minutes: ("minutes:seconds", 1.0, 1 / 60),
    Unit.hours: ("hours:minutes", 1.0, 1 / 60),
}


def _plain(number: float) -> str:
    """A number written the way this reader takes it back: no grouping, at most 6 decimals."""
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.one(field, message)


def _strip_suffix(text: str, unit: str | None, field: str) -> str:
    lowered = text.lower()
    for suffix in sorted(_SUFFIXES.get(unit or "", ()), key=len, reverse=True):
        if lowered.endswith(suffix) and (suffix == "$" or len(text) > len(suffix)):
            return text[: len(text) - len(suffix)].strip()
    if unit == Unit.currency and text.startswith("$"):
        return text[1:].strip()
    if text.endswith("%"):
        raise _refuse(field, f"this metric is counted in {unit}, not percent; leave out the %")
    return text


def read_typed_number(
    text: str,
    *,
    unit: str | None = None,
    field: str = "value",
    bounds: tuple[float | None, float | None] = (None, None),
) -> float:
    """The number `text` means for a metric in `unit`, or ValidationFailed naming `field`.

    `bounds` (the unit's, app.services.rules.measurement_rules) only chooses between two readings of
    `1,250`; whether the number is inside them is the caller's rule, which words its own refusal.
    """
    text = _SPACES.sub(" ", text or "").strip()
    if not text:
        raise _refuse(field, "this is required")
    text = _strip_suffix(text, unit, field)
    sign = 1.0
    if text[:1] in ("-", "\u2212"):
        sign, text = -1.0, text[1:].strip()
    elif text[:1] == "+":
        text = text[1:].strip()
    # Thousands grouped with spaces ("1 250") are read as one number; other spaces are not.
    if re.fullmatch(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", text):
        text = text.replace(" ", "")

    clock = _CLOCK.fullmatch(text)
    if clock:
        if unit not in _CLOCK_UNITS:
            raise _refuse(
                field, f"{text} reads as a time; this metric is counted in {unit}: enter a number"
            )
        _, big, small = _CLOCK_UNITS[unit]  # type: ignore[index]
        return sign * (int(clock.group(1)) * big + int(clock.group(2)) * small)

    number = _number(text, unit=unit, field=field, bounds=bounds, sign=sign)
    if not math.isfinite(number):
        raise _refuse(field, "enter a number")
    return number


def _number(
    text: str,
    *,
    unit: str | None,
    field: str,
    bounds: tuple[float | None, float | None],
    sign: float,
) -> float:
    if _PLAIN.fullmatch(text):
        return sign * float(text)
    if _GROUPED_COMMAS.fullmatch(text) and not re.fullmatch(r"\d{1,3},\d{3}", text):
        return sign * float(text.replace(",", ""))
    if _GROUPED_DOTS.fullmatch(text) and not re.fullmatch(r"\d{1,3}\.\d{3}", text):
        return sign * float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3},\d{3}", text):
        return sign * _one_comma_three_digits(text, unit=unit, field=field, bounds=bounds)
    if _DECIMAL_COMMA.fullmatch(text):
        return sign * float(text.replace(",", "."))
    if ":" in text and unit in _CLOCK_UNITS:
        form = _CLOCK_UNITS[unit][0]  # type: ignore[index]
        raise _refuse(field, f"write a time as {form}, e.g. 4:05")
    raise _refuse(field, "enter a number, e.g. 70.5 (a point or a comma for decimals)")


def _one_comma_three_digits(
    text: str, *, unit: str | None, field: str, bounds: tuple[float | None, float | None]
) -> float:
    thousands = float(text.replace(",", ""))
    decimal = float(text.replace(",", "."))
    if unit == Unit.count:
        return thousands  # a count is whole: 1,250 can only be one thousand two hundred fifty
    low, high = bounds

    def fits(value: float) -> bool:
        return (low is None or value >= low) and (high is None or value <= high)

    fitting = [v for v in (thousands, decimal) if fits(v)]
    if len(fitting) == 1:
        raise _refuse(
            field,
            f"{text} could be {_plain(thousands)} or {_plain(decimal)}. "
            f"Did you mean {_plain(fitting[0])}? Write it with a point for decimals "
            f"and no comma",
        )
    raise _refuse(
        field,
        f"{text} could be read two ways: write {_plain(thousands)} or {_plain(decimal)}",
    )
