"""How the pages word a history entry: field names and before / after values as people read them
("Status: On track → At risk", "Progress: 40% → 60%"), used by the review and the activity feed.
A status is written in its plan's own words (Plan.status_words) where the plan has them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.models.enums import SubjectType
from app.services.rules.local_time import moment_text
from app.services.rules.rollup import LABELS, label
from app.services.views.quick_win_board import CATEGORY_LABELS
from app.services.views.quick_win_board import STATUS_LABELS as QUICK_WIN_LABELS

FIELD_LABELS: dict[str, str] = {
    "status": "Status",
    "progress": "Progress",
    "narrative": "Narrative",
    "department_id": "Department",
    "focus_area_id": "Focus area",
    "phase_id": "Phase",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "done_on": "Done on",
    "due": "Due",
    "archived_at": "Archived",
    "update_cadence_days": "Update cadence (days)",
    "service_areas": "Service areas",
    "issue_category": "Issue category",
    "customer_issue": "Customer issue",
    "completion_measure": "Completion measure",
    "baseline_value": "Baseline",
    "baseline_date": "Baseline date",
    "effective_from": "In force from",
}
SUBJECT_LABELS: dict[str, str] = {
    SubjectType.plan: "Plan",
    SubjectType.focus_area: "Focus area",
    SubjectType.goal: "Goal",
    SubjectType.strategy: "Strategy",
    SubjectType.step: "Workplan step",
    SubjectType.metric: "Metric",
    SubjectType.measurement: "Measurement",
    SubjectType.quick_win: "Quick win",
    SubjectType.user: "User",
    SubjectType.department: "Department",
    SubjectType.statement: "Statement",
    SubjectType.phase: "Phase",
    SubjectType.persona: "Persona",
    SubjectType.journey: "Journey",
    SubjectType.session: "Performance session",
    SubjectType.decision: "Decision",
    SubjectType.action_item: "Action item",
    SubjectType.public_text: "Public update",
    SubjectType.organization: "Organisation settings",
    SubjectType.update_request: "Update request",
}
ACTION_LABELS: dict[str, str] = {
    "create": "Created",
    "update": "Changed",
    "progress": "Progress update",
    "archive": "Archived",
    "restore": "Restored",
    "imported": "Imported",
}
EMPTY = "(empty)"


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def status_words_of(plan: Any, subject_type: str) -> Mapping[str, str]:
    """The status words a change of this subject is read in: its plan's own (Plan.status_words)
    for the items the plan's statuses judge; none for a quick win, whose scale (planned, in
    progress, complete) is its own, as its badge is."""
    if plan is None or subject_type == SubjectType.quick_win:
        return {}
    return getattr(plan, "status_words", None) or {}


def describe_change(
    name: str,
    value: Any,
    *,
    departments: Mapping[int, str] | None = None,
    words: Mapping[str, str] | None = None,
    zone: str | None = None,
) -> str:
    """One side of a field's change, as the pages show that field elsewhere: a status in the
    plan's own `words` where it has one (rollup.label), else ours; a stored moment (ISO text)
    in the page's `zone` when one is given (exports keep the ISO text)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if name == "status" and isinstance(value, str):
        if value in LABELS:
            return label(value, words)
        return QUICK_WIN_LABELS.get(value) or value
    if name == "category" and isinstance(value, str):
        return CATEGORY_LABELS.get(value, value)
    if name == "progress" and isinstance(value, int | float):
        return f"{value:g}%"
    if name == "department_id" and departments is not None and isinstance(value, int):
        return departments.get(value, f"department {value}")
    if name == "archived_at":
        return "archived" if value else "live"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or EMPTY
    if zone is not None and isinstance(value, str) and len(value) >= 19 and value[10] == "T":
        return moment_text(value, zone) or value
    return str(value)
