"""The review's quick wins: those changed since the chosen date, with how many changes.

Quick wins belong to a plan, not a focus area, so no row of the review counted their changes: a
quick win completed since the last performance session went unseen. One query reads the history
entries on quick wins since the date, grouped by quick win, joined to the quick win itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import HistoryEntry, Plan, QuickWin
from app.models.enums import SubjectType


@dataclass
class QuickWinChange:
    plan: Plan
    quick_win_id: int
    number: int
    title: str  # its issue category, else the start of its summary
    status: str
    archived: bool
    changes: int
    last_change: dt.datetime


def _title(issue_category: str, summary: str) -> str:
    if issue_category:
        return issue_category
    return summary if len(summary) <= 80 else summary[:79] + "…"


def quick_win_changes(
    session: Session,
    *,
    plans: dict[int, Plan],
    since: dt.datetime,
    department_id: int | None = None,
) -> list[QuickWinChange]:
    """Quick wins of `plans` with history entries at or after `since` (archived ones too: an
    archive is news), in the plans' order then by number. With a department, only its quick
    wins, or, owning none itself, those of its own plan."""
    if not plans:
        return []
    he = HistoryEntry
    recent = (
        select(  # type: ignore[call-overload]
            col(he.subject_id).label("quick_win_id"),
            func.count().label("changes"),
            func.max(he.at).label("last_change"),
        )
        .where(
            col(he.at) >= since,
            col(he.plan_id).in_(list(plans)),
            col(he.subject_type) == SubjectType.quick_win,
        )
        .group_by(col(he.subject_id))
        .subquery()
    )
    rows = session.exec(
        select(  # type: ignore[call-overload]
            QuickWin.id,
            QuickWin.plan_id,
            QuickWin.department_id,
            QuickWin.number,
            QuickWin.issue_category,
            QuickWin.summary,
            QuickWin.status,
            QuickWin.archived_at,
            recent.c.changes,
            recent.c.last_change,
        ).join(recent, recent.c.quick_win_id == col(QuickWin.id))
    ).all()
    rank = {plan_id: position for position, plan_id in enumerate(plans)}
    out = []
    for qid, plan_id, dept, number, category, summary, status, archived, changes, last in rows:
        plan = plans.get(plan_id)
        if plan is None:
            continue
        if department_id is not None and not (
            dept == department_id or (dept is None and plan.owning_department_id == department_id)
        ):
            continue
        if last.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
            last = last.replace(tzinfo=dt.UTC)
        out.append(
            QuickWinChange(
                plan,
                qid,
                number,
                _title(category, summary),
                status,
                archived is not None,
                int(changes),
                last,
            )
        )
    out.sort(key=lambda c: (rank[c.plan.id], c.number))  # type: ignore[index]
    return out
