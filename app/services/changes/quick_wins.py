"""Quick wins: small actions taken now with existing resources."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.models import Department, HistoryAction, Plan, QuickWin
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.quick_win import QuickWinCreate, QuickWinProgressIn, QuickWinUpdate
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor, record_change
from app.services.changes.update_requests import answer_requests
from app.services.errors import FieldProblem, NotFound, ValidationFailed
from app.services.rules.plan_dates import changed_dates, planned_span_window

KIND = "quick win"


def quick_win_label(quick_win: QuickWin) -> str:
    topic = f": {quick_win.issue_category}" if quick_win.issue_category else ""
    return f"Quick win {quick_win.number}{topic}"


def get_quick_win(
    *, session: Session, quick_win_id: int, include_archived: bool = False
) -> QuickWin:
    quick_win = session.get(QuickWin, quick_win_id)
    if quick_win is None or (quick_win.archived_at is not None and not include_archived):
        raise NotFound(f"No quick win with id {quick_win_id}.")
    return quick_win


def _check_department(
    session: Session, plan: Plan, department_id: int | None
) -> list[FieldProblem]:
    if department_id is None:
        return []
    dept = session.get(Department, department_id)
    if dept is None or dept.organization_id != plan.organization_id:
        return [FieldProblem("department_id", "no such department in this organisation")]
    return []


def _check_span(
    plan: Plan, quick_win: QuickWin, changes: dict[str, Any], problems: list[FieldProblem]
) -> None:
    """Its planned dates: within where the plan's spans may run, the end not before the start."""
    names = ("planned_start", "planned_end")
    planned_span_window(plan).check(changed_dates(quick_win, changes, names), problems)
    start, end = (changes.get(n, getattr(quick_win, n)) for n in names)
    if start and end and end < start:
        problems.append(FieldProblem("planned_end", f"{end} is before the planned start {start}"))


def create_quick_win(
    *, session: Session, plan: Plan, data: QuickWinCreate, actor: Actor
) -> QuickWin:
    quick_win = QuickWin(plan_id=plan.id, **data.model_dump())  # type: ignore[arg-type]
    require(session, actor, Action.edit, quick_win, kind=KIND)
    problems = _check_department(session, plan, data.department_id)
    _check_span(plan, QuickWin(), data.model_dump(), problems)
    taken = session.exec(
        select(QuickWin.id).where(QuickWin.plan_id == plan.id, QuickWin.number == data.number)
    ).first()
    if taken:
        problems.append(
            FieldProblem("number", f"quick win {data.number} already exists in this plan")
        )
    if problems:
        raise ValidationFailed(problems)
    session.add(quick_win)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.quick_win,
        subject_id=quick_win.id,
        action=HistoryAction.create,  # type: ignore[arg-type]
        changes={k: (None, v) for k, v in data.model_dump().items() if v not in (None, "", [])},
        label=quick_win_label(quick_win),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        version_after=quick_win.version,
    )
    return quick_win


def update_quick_win(
    *, session: Session, quick_win: QuickWin, data: QuickWinUpdate, actor: Actor
) -> QuickWin:
    plan = session.get(Plan, quick_win.plan_id)
    assert plan is not None
    require(session, actor, Action.edit, quick_win, kind=KIND)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "department_id" in changes:
        require(
            session,
            actor,
            Action.edit,
            QuickWin(plan_id=plan.id, department_id=changes["department_id"]),
            kind=KIND,
        )
    problems = _check_department(session, plan, changes.get("department_id"))
    _check_span(plan, quick_win, changes, problems)
    if problems:
        raise ValidationFailed(problems)
    save_changes(
        session=session,
        item=quick_win,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.quick_win,
        label=quick_win_label(quick_win),
        plan_id=plan.id,
        organization_id=plan.organization_id,
    )
    return quick_win


def record_quick_win_progress(
    *, session: Session, quick_win: QuickWin, data: QuickWinProgressIn, actor: Actor
) -> QuickWin:
    """Move a quick win between statuses (planned → in progress → complete) with a narrative."""
    plan = session.get(Plan, quick_win.plan_id)
    assert plan is not None
    require(session, actor, Action.progress, quick_win, kind=KIND)
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True, include={"status", "narrative"}).items()
        if v is not None
    }
    save_changes(
        session=session,
        item=quick_win,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.quick_win,
        label=quick_win_label(quick_win),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        action=HistoryAction.progress,
        note=data.note,
        always_record=True,
    )
    answer_requests(
        session=session,
        kind="quick_win",
        item_ids=[quick_win.id],  # type: ignore[list-item]
        actor=actor,
        answered_with="a progress update",
    )
    return quick_win


def set_quick_win_archived(
    *,
    session: Session,
    quick_win: QuickWin,
    version: int,
    archived: bool,
    actor: Actor,
    note: str = "",
) -> None:
    plan = session.get(Plan, quick_win.plan_id)
    assert plan is not None
    require(session, actor, Action.archive if archived else Action.restore, quick_win, kind=KIND)
    save_changes(
        session=session,
        item=quick_win,
        expected_version=version,
        changes={"archived_at": utcnow() if archived else None},
        actor=actor,
        subject_type=SubjectType.quick_win,
        label=quick_win_label(quick_win),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        action=HistoryAction.archive if archived else HistoryAction.restore,
        note=note,
    )
