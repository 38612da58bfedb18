""" "What changed this quarter" on the public site: status, progress and completion changes of the
plan's strategies, workplan steps and quick wins since the quarter began, from the history.

Public fields only: the item (named from the plan as it is now, so an archived or internal item
is left out), the day, and the field's value before and after. Never who changed it, the note,
or a narrative; metrics' changes are not listed (their values are in the charts and open data).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import HistoryEntry, HistoryField
from app.models.enums import SubjectType
from app.services.reading.plan_nodes import PlanTree, StepNode
from app.services.rules import rollup
from app.services.rules.local_time import day_start, local_date, zone_name

PUBLIC_FIELDS = {"status": "Status", "progress": "Progress", "done_on": "Completed on"}
SUBJECTS = (SubjectType.strategy.value, SubjectType.step.value, SubjectType.quick_win.value)
LIMIT = 200  # the newest changes shown: the page stays short and its queries fixed


@dataclass
class PublicChange:
    on: dt.date
    subject: str
    link: str  # the public page of the item ("" for none)
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)


def quarter_began(today: dt.date) -> dt.date:
    return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


def _value(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if name == "status" and isinstance(value, str):
        return rollup.label(value)
    if name == "progress":
        return f"{value}%"
    return str(value)


def _subjects(tree: PlanTree, base: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(kind, id) → (label, link) of each live public item of the tree."""
    out: dict[tuple[str, int], tuple[str, str]] = {}
    noun = tree.plan.term("strategy")
    for node in [n for fa in tree.focus_areas for n in fa.strategies] + tree.unplaced:
        s = node.strategy
        link = f"{base}/strategies/{s.code}"
        out[("strategy", s.id)] = (f"{noun} {s.code}: {s.title}", link)  # type: ignore[index]
        steps: list[StepNode] = list(node.steps)
        for step in steps + [sub for st in steps for sub in st.sub_steps]:
            inner = getattr(step, "step", step)
            out[("step", inner.id)] = (f"{s.code} · {inner.title}", link)
    for qw in tree.quick_wins:
        label = f"Quick win {qw.number}" + (f": {qw.issue_category}" if qw.issue_category else "")
        out[("quick_win", qw.id)] = (label, f"{base}/quick-wins#quick-win-{qw.number}")  # type: ignore[index]
    return out


def changes_this_quarter(
    session: Session, tree: PlanTree, base: str, today: dt.date | None = None
) -> tuple[dt.date, list[PublicChange]]:
    today = today or tree.today
    zone = zone_name(tree.organization.time_zone)
    since = quarter_began(today)
    start = day_start(since, zone)  # the quarter as the organisation's calendar has it
    entries = list(
        session.exec(
            select(
                HistoryEntry.id, HistoryEntry.subject_type, HistoryEntry.subject_id, HistoryEntry.at
            )
            .where(
                HistoryEntry.plan_id == tree.plan.id,
                col(HistoryEntry.subject_type).in_(SUBJECTS),
                col(HistoryEntry.at) >= start,
            )
            .order_by(col(HistoryEntry.id).desc())
            .limit(LIMIT)
        )
    )
    fields_of: dict[int, list[HistoryField]] = defaultdict(list)
    for f in session.exec(
        select(HistoryField).where(
            col(HistoryField.entry_id).in_([e[0] for e in entries]),
            col(HistoryField.field).in_(list(PUBLIC_FIELDS)),
        )
    ):
        fields_of[f.entry_id].append(f)
    subjects = _subjects(tree, base)
    out = []
    for entry_id, kind, subject_id, at in entries:
        known = subjects.get((kind, subject_id))
        changed = fields_of.get(entry_id, [])
        if known is None or not changed:
            continue
        out.append(
            PublicChange(
                on=local_date(at, zone),
                subject=known[0],
                link=known[1],
                fields=[
                    (PUBLIC_FIELDS[f.field], _value(f.field, f.before), _value(f.field, f.after))
                    for f in sorted(changed, key=lambda f: f.field)
                ],
            )
        )
    return since, out
