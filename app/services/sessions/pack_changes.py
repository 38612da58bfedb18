"""The pack's "what changed since the previous session": the history entries of the plans in
scope between the day after the previous session and the end of this session's day, each placed
on its focus area and department so a scope of focus areas or departments keeps only its own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from app.models import HistoryEntry, HistoryField, Metric, QuickWin, Strategy, WorkplanStep
from app.models.enums import SubjectType
from app.services.rules.local_time import UTC_NAME, day_start

# A pack lists at most this many changes (oldest first); it says how many more there were.
CHANGES_LISTED = 300
# The sessions' own entries (filed under their plan when their scope has one) are not the plan's
# work: the pack lists the open action items in a section of their own.
SESSION_SUBJECTS = (SubjectType.session, SubjectType.decision, SubjectType.action_item)

Place = tuple[int | None, int | None]  # (focus area, department) of a history entry's subject


def window(
    previous_day: dt.date | None, day: dt.date, *, zone: str = UTC_NAME, default_days: int = 30
) -> tuple:
    """[since, until): from 00:00 in `zone` (the organisation's) the day after the previous
    session (or `default_days` before this one when it follows none) to 00:00 the day after this
    session, as UTC moments. Two consecutive sessions' windows meet without overlapping, so a
    change is in exactly one pack; a change at 17:00 PST on the session's day is in its pack."""
    start = (
        previous_day + dt.timedelta(days=1)
        if previous_day
        else day - dt.timedelta(days=default_days)
    )
    return day_start(start, zone), day_start(day + dt.timedelta(days=1), zone)


def _places(session: Session, entries: list[HistoryEntry]) -> dict[tuple[str, int], Place]:
    """(subject type, id) → (focus area, department), in one query per kind of subject."""
    ids: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        ids[e.subject_type].add(e.subject_id)
    out: dict[tuple[str, int], Place] = {}
    for fa in ids.get(SubjectType.focus_area, ()):
        out[(SubjectType.focus_area, fa)] = (fa, None)
    # Every query runs, found entries or not, so a pack's statements never depend on its data.
    strategy_ids = set(ids.get(SubjectType.strategy, ()))
    step_strategy: dict[int, int] = dict(
        session.exec(
            select(WorkplanStep.id, WorkplanStep.strategy_id).where(
                col(WorkplanStep.id).in_(ids.get(SubjectType.step, set()))
            )
        ).all()
    )
    strategy_ids |= set(step_strategy.values())
    strategies: dict[int, Place] = {
        sid: (fa, dept)
        for sid, fa, dept in session.exec(
            select(Strategy.id, Strategy.focus_area_id, Strategy.department_id).where(
                col(Strategy.id).in_(strategy_ids)
            )
        ).all()
    }
    for sid in ids.get(SubjectType.strategy, ()):
        out[(SubjectType.strategy, sid)] = strategies.get(sid, (None, None))
    for step, sid in step_strategy.items():
        out[(SubjectType.step, step)] = strategies.get(sid, (None, None))
    for mid, fa, sid, dept in session.exec(
        select(Metric.id, Metric.focus_area_id, Metric.strategy_id, Metric.department_id).where(
            col(Metric.id).in_(ids.get(SubjectType.metric, set()))
        )
    ).all():
        out[(SubjectType.metric, mid)] = (fa or strategies.get(sid, (None, None))[0], dept)
    for qid, dept in session.exec(
        select(QuickWin.id, QuickWin.department_id).where(
            col(QuickWin.id).in_(ids.get(SubjectType.quick_win, set()))
        )
    ).all():
        out[(SubjectType.quick_win, qid)] = (None, dept)
    return out


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def changes_in_window(
    session: Session,
    *,
    plan_ids: set[int],
    since: dt.datetime,
    until: dt.datetime,
    focus_area_ids: set[int] | None,
    department_ids: set[int] | None,
    plan_wide: set[int],
) -> dict[str, Any]:
    """The entries of `plan_ids` in [since, until), oldest first, as plain values. With
    `focus_area_ids`, an entry is kept when its subject lies in one of them, or when its plan is
    one of `plan_wide` (plans in scope as a whole); with `department_ids`, when its subject is
    owned by one of them (or by no department: the plan's own)."""
    if not plan_ids:
        return {"entries": [], "more": 0}
    entries = list(
        session.exec(
            select(HistoryEntry)
            .where(
                col(HistoryEntry.plan_id).in_(plan_ids),
                col(HistoryEntry.subject_type).not_in(SESSION_SUBJECTS),
                col(HistoryEntry.at) >= since,
                col(HistoryEntry.at) < until,
            )
            .order_by(col(HistoryEntry.at), col(HistoryEntry.id))
        ).all()
    )
    places = _places(session, entries)
    kept = []
    for e in entries:
        fa, dept = places.get((e.subject_type, e.subject_id), (None, None))
        if focus_area_ids is not None and e.plan_id not in plan_wide and fa not in focus_area_ids:
            continue
        if department_ids is not None and dept is not None and dept not in department_ids:
            continue
        kept.append(e)
    focus_area_of = {
        e.id: places.get((e.subject_type, e.subject_id), (None, None))[0] for e in kept
    }
    listed = kept[:CHANGES_LISTED]
    fields: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for f in session.exec(
        select(HistoryField)
        .where(col(HistoryField.entry_id).in_([e.id for e in listed]))
        .order_by(col(HistoryField.id))
    ).all():
        fields[f.entry_id].append({"field": f.field, "before": f.before, "after": f.after})
    return {
        "entries": [
            {
                "id": e.id,
                "at": _plain(e.at),
                "subject_type": e.subject_type,
                "label": e.subject_label,
                "action": e.action,
                "actor": e.actor_name,
                "note": e.note,
                "fields": fields.get(e.id or 0, []),
                "focus_area_id": focus_area_of.get(e.id),
            }
            for e in listed
        ],
        "more": len(kept) - len(listed),
    }
