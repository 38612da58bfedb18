"""What the session pages offer: the organisation's plans, departments, focus areas and earlier
sessions to choose from, and whether the reader may hold sessions or change an action item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    ActionItem,
    Department,
    FocusArea,
    Organization,
    PerformanceSession,
    Plan,
    User,
)
from app.models.base import is_live
from app.services.accounts.permissions import Action, can, require
from app.services.changes.history import Actor
from app.services.reading.catalog import DEPARTMENT_ORDER


@dataclass
class ScopeChoices:
    plans: list[Plan]
    departments: list[Department]
    focus_areas: list[tuple[Plan, FocusArea]]
    sessions: list[PerformanceSession]
    organization: Organization | None = None


def scope_choices(session: Session, organization_id: int | None) -> ScopeChoices:
    plans = list(
        session.exec(
            select(Plan)
            .where(Plan.organization_id == organization_id, is_live(Plan))
            .order_by(Plan.title)
        ).all()
    )
    by_id = {p.id: p for p in plans}
    focus_areas = [
        (by_id[fa.plan_id], fa)
        for fa in session.exec(
            select(FocusArea)
            .where(col(FocusArea.plan_id).in_(list(by_id)), is_live(FocusArea))
            .order_by(FocusArea.plan_id, FocusArea.position, FocusArea.id)
        ).all()
    ]
    departments = list(
        session.exec(
            select(Department)
            .where(Department.organization_id == organization_id, is_live(Department))
            .order_by(*DEPARTMENT_ORDER)
        ).all()
    )
    sessions = list(
        session.exec(
            select(PerformanceSession)
            .where(
                PerformanceSession.organization_id == organization_id,
                is_live(PerformanceSession),
            )
            .order_by(col(PerformanceSession.held_on).desc(), col(PerformanceSession.id).desc())
        ).all()
    )
    org = session.get(Organization, organization_id) if organization_id else None
    return ScopeChoices(plans, departments, focus_areas, sessions, org)


def may_hold_sessions(session: Session, user: User | None) -> bool:
    if user is None or user.organization_id is None:
        return False
    probe = PerformanceSession(organization_id=user.organization_id)
    return can(session, user, Action.hold_session, probe, kind="performance session")


def may_update(session: Session, user: User | None, item: ActionItem) -> bool:
    return can(session, user, Action.progress, item, kind="action item")


def require_editor(session: Session, user: User | None, held: PerformanceSession) -> None:
    """The edit page is for those who hold sessions (403 with the reason otherwise)."""
    require(session, Actor(user=user), Action.hold_session, held, kind="performance session")


def edit_values(held: PerformanceSession) -> dict[str, Any]:
    """The edit form's fields as the session stands, in the form's text."""
    return {
        "version": str(held.version),
        "title": held.title,
        "held_on": held.held_on.isoformat(),
        "attendees": held.attendees,
        "follows_id": str(held.follows_id) if held.follows_id else "",
        "plan_ids": [str(i) for i in held.plan_ids],
        "department_ids": [str(i) for i in held.department_ids],
        "focus_area_ids": [str(i) for i in held.focus_area_ids],
    }


def described_values(choices: ScopeChoices, held: PerformanceSession) -> list[tuple[str, str]]:
    """The session's fields as people read them (names, not ids): what a stale edit shows as the
    newer version someone else saved."""
    plans = {p.id: p.title for p in choices.plans}
    areas = {fa.id: f"{p.title}: {fa.code} {fa.title}" for p, fa in choices.focus_areas}
    departments = {d.id: d.name for d in choices.departments}
    follows = {s.id: f"{s.held_on.isoformat()}: {s.title}" for s in choices.sessions}

    def names(ids: list[int], known: dict[Any, str]) -> str:
        return "; ".join(known.get(i, f"#{i}") for i in ids) or "(none)"

    return [
        ("Title", held.title),
        ("Date", held.held_on.isoformat()),
        ("Attendees", held.attendees or "(none)"),
        ("Plans in scope", names(held.plan_ids, plans)),
        ("Focus areas in scope", names(held.focus_area_ids, areas)),
        ("Departments in scope", names(held.department_ids, departments)),
        ("Follows", follows.get(held.follows_id, "(none)")),
    ]
