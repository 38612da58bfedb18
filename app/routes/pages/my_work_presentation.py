"""What /my-work's template is given: the state of an item's forms after a post, and the helpers
that word its values (dates, months, numbers, targets, the value a correction replaces)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.models import Measurement, Metric, Plan
from app.models.enums import Comparator
from app.routes.pages.form_posts import FormPost
from app.services.changes.measurement_voids import correction_words
from app.services.errors import Conflict
from app.services.reading.zones import loaded_plan_today
from app.services.rules.measurement_rules import recordable_months
from app.services.rules.rollup import LABELS
from app.services.rules.value_text import format_value
from app.services.views.my_work import departments as department_work
from app.services.views.my_work.due import DUE_SHOWN

COMPARATOR_WORDS = {
    Comparator.at_least: "at least",
    Comparator.at_most: "at most",
    Comparator.exactly: "exactly",
    Comparator.above: "above",
    Comparator.below: "below",
}
FIELD_NAMES = {
    "status": "Status",
    "progress": "Progress",
    "narrative": "Narrative",
    "note": "Note",
    "done_on": "Step",
    "period": "Period",
    "value": "Value",
}


@dataclass
class FormState:
    """What one form of an item's block shows after a post: typed values, errors, a conflict."""

    form: str = ""  # which form of the block: "progress", "step", "sub-<id>", "done-<id>"…
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    conflict: Conflict | None = None
    notice: str = ""
    # A measurement for a period that already has one (not a stale correction).
    existing: bool = False

    @classmethod
    def after(cls, post: FormPost, form: str, typed: dict[str, str]) -> FormState:
        """Form `form` once its post is answered: the notice when saved; else the values as
        typed with the messages, or the conflict (offered again on the newer version)."""
        if not post.refused:
            return cls(form, notice=post.notice)
        if post.conflict is not None:
            kept = {k: v for k, v in typed.items() if k != "version"}
            return cls(form, kept, conflict=post.conflict)
        return cls(form, typed, post.errors)


BLANK = FormState()


# --- presentation helpers (passed to the template) -----------------------------------------------


def describe(name: str, value: Any, unit: str | None = None) -> str:
    """A field's value in a conflict message, as the page shows it elsewhere."""
    if name == "status":
        return LABELS.get(value) or department_work.QUICK_WIN_LABELS.get(value, str(value))
    if name == "progress":
        return f"{value}%"
    if name == "done_on":
        return f"done on {value}" if value else "not done"
    if name == "value" and isinstance(value, int | float):
        return format_value(value, unit)
    if name == "period" and value:
        return month_label(dt.date.fromisoformat(str(value)))
    return str(value) if value not in (None, "") else "(empty)"


def month_label(day: dt.date) -> str:
    return day.strftime("%B %Y")


def recorded_words(metric: Metric, before: float | None, saved: Measurement) -> str:
    """The confirmation of a measurement saved: recorded, or what its correction changed."""
    if before is not None and before != saved.value:
        words = correction_words(metric.unit, before, saved.value)
        return f"{month_label(saved.period)} corrected: {words}."
    return f"{format_value(saved.value, metric.unit)} recorded for {month_label(saved.period)}."


def plain(number: float | None, unit: str | None = None) -> str:
    """A stored value as an input's value: no thousands separators, no float noise; minutes
    with seconds as the clock they were typed as ("4:22", which the form reads back)."""
    if number is None:
        return ""
    if unit == "minutes" and number >= 0 and round(number * 60) % 60:
        total = round(number * 60)
        return f"{total // 60}:{total % 60:02d}"
    return f"{number:.6f}".rstrip("0").rstrip(".")


@dataclass
class Correction:
    """The stored value a correction form replaces: its period and the version it is based on."""

    period: dt.date
    version: str
    value: float | None = None
    note: str = ""


def correction_target(state: FormState, latest: Any) -> Correction | None:
    """Which value the "correct" form offers: the one a conflict named, the one the user was
    correcting (on the version their form had, so a stale correction is still caught), or the
    latest value."""
    if state.conflict is not None:
        cur = state.conflict.current
        try:
            period = dt.date.fromisoformat(str(cur.get("period")))
        except ValueError:
            return None
        return Correction(
            period, str(cur.get("version", "")), cur.get("value"), cur.get("note") or ""
        )
    if state.form == "correct" and state.values.get("version"):
        try:
            period = dt.date.fromisoformat(state.values.get("period", ""))
        except ValueError:
            period = None
        if period is not None:
            same = latest is not None and latest.period == period
            return Correction(
                period,
                state.values["version"],
                latest.value if same else None,
                latest.note if same else "",
            )
    if latest is None:
        return None
    return Correction(latest.period, str(latest.version), latest.value, latest.note)


def target_text(target: Any, unit: str) -> str:
    if target is None:
        return ""
    if target.label:
        return str(target.label)
    words = COMPARATOR_WORDS.get(target.comparator, str(target.comparator).replace("_", " "))
    return f"{words} {format_value(target.value, unit)}"


def recordable_month_inputs(plan: Plan, metric: Metric) -> tuple[str, str]:
    """The period input's min and max/default ("YYYY-MM"), from the measurement rules."""
    first, newest = recordable_months(plan, metric, today=loaded_plan_today(plan))
    return (first.strftime("%Y-%m") if first else "1900-01", newest.strftime("%Y-%m"))


def template_context(**extra: Any) -> dict[str, Any]:
    return {
        "strategy_statuses": department_work.STRATEGY_STATUSES,
        "quick_win_statuses": department_work.QUICK_WIN_STATUSES,
        "quick_win_labels": department_work.QUICK_WIN_LABELS,
        "fmt": format_value,
        "describe": describe,
        "month_label": month_label,
        "target_text": target_text,
        "plain": plain,
        "correction_target": correction_target,
        "field_names": FIELD_NAMES,
        "blank": BLANK,
        "states": {},
        "recordable_months": recordable_month_inputs,
        "due_shown": DUE_SHOWN,
        **extra,
    }
