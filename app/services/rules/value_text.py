"""How a value is written for people ("82.5%", "4:22", "10 minutes", "4 points").

One place, so the roll-up reasons, the scorecard, the history and the forms all write a value the
same way the plans themselves do.
"""

from __future__ import annotations

_UNIT_SUFFIX = {
    "percent": "%",
    "seconds": " s",
    "minutes": " minutes",
    "hours": " hours",
    "days": " days",
}


def _clock(number: float) -> str | None:
    """Minutes with seconds as the plans write a wait ("4:22"), or None for whole minutes."""
    total = round(abs(number) * 60)
    if total % 60 == 0:
        return None
    return f"{'-' if number < 0 else ''}{total // 60}:{total % 60:02d}"


def _fmt(number: float, unit: str | None = None) -> str:
    """At most two decimals, no trailing zeros, thousands separated: what people write.
    Minutes with seconds read as a clock ("4:22"), as the plans write a wait."""
    if unit == "minutes":
        clock = _clock(number)
        if clock is not None:
            return clock
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    if text in ("0", "-0") and number != 0:
        text = f"{number:.3g}"
    suffix = _UNIT_SUFFIX.get(unit or "", "")
    if text == "1" and suffix.endswith("s") and len(suffix) > 2:
        suffix = suffix[:-1]  # "1 minute", not "1 minutes"
    return text + suffix


def format_difference(gap: float, unit: str | None) -> str:
    """A difference between two values: percentages differ by points (82% against 86% is 4
    points, not "4%", which would read as 4% of 86)."""
    if unit == "percent":
        amount = _fmt(gap)
        return f"{amount} point" if amount == "1" else f"{amount} points"
    return _fmt(gap, unit)


def format_value(number: float, unit: str | None = None) -> str:
    """A value as people write it ("82.5%", "10 minutes"), for pages: the roll-up reasons' form."""
    return _fmt(number, unit)
