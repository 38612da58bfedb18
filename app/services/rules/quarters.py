"""Quarter arithmetic for planned spans: calendar ("2019-Q2") and plan-relative ("Y2 Q2")."""

from __future__ import annotations

import calendar
import datetime as dt
import re

# Years are written with four digits ("0001-Q1"): a year before 1000 written as "1-Q1" would not
# read back (a roadmap once answered 500 to everyone for a strategy dated 0001-01-01).
CALENDAR_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<q>[1-4])$")
# A plan-relative schedule counts years 1..99 from its origin.
RELATIVE_YEARS = 99
RELATIVE_QUARTER = re.compile(r"^Y(?P<year>[1-9]\d?) Q(?P<q>[1-4])$")


class QuarterError(ValueError):
    pass


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    if not dt.MINYEAR <= index // 12 <= dt.MAXYEAR:
        raise QuarterError(f"{months} months from {day} is outside the calendar")
    return dt.date(index // 12, index % 12 + 1, 1)


def _quarter_first_day(text: str, origin: dt.date | None) -> dt.date:
    if match := CALENDAR_QUARTER.match(text):
        if int(match["year"]) < dt.MINYEAR:
            raise QuarterError(f"'{text}': there is no year 0")
        return dt.date(int(match["year"]), 3 * (int(match["q"]) - 1) + 1, 1)
    if match := RELATIVE_QUARTER.match(text):
        if origin is None:
            raise QuarterError(
                f"'{text}' is a plan-relative quarter but the plan has no schedule_origin"
            )
        months = (int(match["year"]) - 1) * 12 + (int(match["q"]) - 1) * 3
        return _add_months(origin.replace(day=1), months)
    raise QuarterError(f"'{text}' is not a quarter (write 2019-Q2 or Y2 Q2)")


def quarter_start(text: str, origin: dt.date | None = None) -> dt.date:
    return _quarter_first_day(text, origin)


def quarter_end(text: str, origin: dt.date | None = None) -> dt.date:
    last_month_first = _add_months(_quarter_first_day(text, origin), 2)
    last = calendar.monthrange(last_month_first.year, last_month_first.month)[1]
    return last_month_first.replace(day=last)


def quarter_label(day: dt.date, origin: dt.date | None = None) -> str:
    """The quarter holding `day` as the plan writes it (relative when an origin is given)."""
    if origin is None:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    months = (day.year - origin.year) * 12 + (day.month - origin.month)
    return f"Y{months // 12 + 1} Q{(months % 12) // 3 + 1}"


def quarter_index(day: dt.date, origin: dt.date) -> int:
    """0 for the origin's quarter, 1 for the next…: the column of a roadmap."""
    months = (day.year - origin.year) * 12 + (day.month - origin.month)
    return months // 3


# --- fiscal years ---------------------------------------------------------------------------------
# A fiscal year starting in month M (1-12) is named by the calendar year it ends in, the usual
# convention of US cities and states: from July, July 2025 - June 2026 is FY2026. From January,
# FY2026 is the calendar year 2026. Its quarters are counted from its first month.


def fiscal_year(day: dt.date, start_month: int) -> int:
    """The fiscal year holding `day`, named by the year it ends in."""
    if start_month == 1:
        return day.year
    return day.year + 1 if day.month >= start_month else day.year


def fiscal_quarter(day: dt.date, start_month: int) -> int:
    """1-4: the quarter of its fiscal year that holds `day`."""
    return (day.month - start_month) % 12 // 3 + 1


def fiscal_year_start(day: dt.date, start_month: int) -> dt.date:
    """The first day of the fiscal year holding `day`."""
    year = day.year if day.month >= start_month else day.year - 1
    return dt.date(year, start_month, 1)


def fiscal_quarter_label(day: dt.date, start_month: int) -> str:
    """ "FY2026 Q1" for 2025-08-14 when the fiscal year starts in July."""
    return f"FY{fiscal_year(day, start_month)} Q{fiscal_quarter(day, start_month)}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s."""
    return _add_months(day, months)
