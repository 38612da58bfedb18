"""A session's scope: which plans, departments and focus areas it covers, checked against its
organisation, and which earlier session it follows by default (the latest whose scope overlaps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Department, FocusArea, PerformanceSession, Plan
from app.models.base import is_live
from app.services.errors import FieldProblem


@dataclass(frozen=True)
class Scope:
    plan_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    focus_area_ids: tuple[int, ...] = ()

    @property
    def everything(self) -> bool:
        return not (self.plan_ids or self.department_ids or self.focus_area_ids)

    @classmethod
    def of(cls, held: PerformanceSession) -> Scope:
        return cls(tuple(held.plan_ids), tuple(held.department_ids), tuple(held.focus_area_ids))


def check_scope(session: Session, organization_id: int, scope: Scope) -> list[FieldProblem]:
    """One problem per list naming an id that is not the organisation's (live) item."""
    problems = []
    checks: Sequence[tuple[str, tuple[int, ...], object]] = (
        (
            "plan_ids",
            scope.plan_ids,
            select(Plan.id).where(
                col(Plan.id).in_(scope.plan_ids),
                Plan.organization_id == organization_id,
                is_live(Plan),
            ),
        ),
        (
            "department_ids",
            scope.department_ids,
            select(Department.id).where(
                col(Department.id).in_(scope.department_ids),
                Department.organization_id == organization_id,
                is_live(Department),
            ),
        ),
        (
            "focus_area_ids",
            scope.focus_area_ids,
            select(FocusArea.id)
            .join(Plan, col(Plan.id) == col(FocusArea.plan_id))
            .where(
                col(FocusArea.id).in_(scope.focus_area_ids),
                Plan.organization_id == organization_id,
                is_live(FocusArea),
            ),
        ),
    )
    for name, ids, query in checks:
        if not ids:
            continue
        found = set(session.exec(query).all())  # type: ignore[call-overload]
        missing = [i for i in ids if i not in found]
        if missing:
            listed = ", ".join(str(i) for i in missing)
            problems.append(FieldProblem(name, f"not in this organisation: {listed}"))
    return problems


def scope_plans(session: Session, scope: Scope) -> set[int]:
    """The plans a scope names, directly or through its focus areas."""
    plans = set(scope.plan_ids)
    if scope.focus_area_ids:
        plans |= set(
            session.exec(
                select(FocusArea.plan_id).where(col(FocusArea.id).in_(scope.focus_area_ids))
            ).all()
        )
    return plans


def overlaps(session: Session, one: Scope, other: Scope) -> bool:
    """Two scopes overlap when either is the whole organisation, or they share a plan (named or
    through a focus area) or a department."""
    if one.everything or other.everything:
        return True
    if set(one.department_ids) & set(other.department_ids):
        return True
    return bool(scope_plans(session, one) & scope_plans(session, other))


def previous_session(
    session: Session,
    *,
    organization_id: int,
    held_on: dt.date,
    scope: Scope,
    exclude_id: int | None = None,
) -> PerformanceSession | None:
    """The latest session of the organisation held before `held_on` whose scope overlaps."""
    earlier = session.exec(
        select(PerformanceSession)
        .where(
            PerformanceSession.organization_id == organization_id,
            col(PerformanceSession.held_on) < held_on,
            col(PerformanceSession.id) != (exclude_id or 0),
            is_live(PerformanceSession),
        )
        .order_by(col(PerformanceSession.held_on).desc(), col(PerformanceSession.id).desc())
    ).all()
    return next((s for s in earlier if overlaps(session, scope, Scope.of(s))), None)


def scope_words(session: Session, scope: Scope) -> dict[str, list[str]]:
    """The scope's items by name, as the pack keeps them (a closed session's cover names its
    scope as it was presented, whatever is renamed later). One query per kind, always run."""
    plans = session.exec(select(Plan.id, Plan.title).where(col(Plan.id).in_(scope.plan_ids))).all()
    departments = session.exec(
        select(Department.id, Department.name).where(col(Department.id).in_(scope.department_ids))
    ).all()
    areas = session.exec(
        select(FocusArea.id, FocusArea.code, FocusArea.title).where(
            col(FocusArea.id).in_(scope.focus_area_ids)
        )
    ).all()
    plan_of = dict(plans)
    department_of = dict(departments)
    area_of = {i: f"{code} {title}".strip() if code else title for i, code, title in areas}
    return {
        "plans": [plan_of[i] for i in scope.plan_ids if i in plan_of],
        "departments": [department_of[i] for i in scope.department_ids if i in department_of],
        "focus_areas": [area_of[i] for i in scope.focus_area_ids if i in area_of],
    }
