"""Programmes: a plan that groups department plans of its organisation (issue 12).

Philadelphia's Customer Service Officers Program is a plan; Fleet Management's department plan
belongs to it (`Plan.programme_id`). The rules, checked wherever a plan's programme is set (the
settings page, the API, a plan file):
- the programme is a plan of the same organisation, and not the plan itself;
- one level only: a programme belongs to no programme, and a plan that has members (so is a
  programme) cannot join one. This also rules out every cycle.
A refusal names the field `programme`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Plan
from app.models.base import is_live
from app.services.errors import FieldProblem

FIELD = "programme"


def programme_problem(
    session: Session, *, plan: Plan | None, organization_id: int, programme: Plan | None, slug: str
) -> FieldProblem | None:
    """Why `programme` (asked for as `slug`) cannot be `plan`'s programme, or None when it can.
    `plan` is None for a plan not stored yet (an import)."""
    if programme is None:
        return FieldProblem(FIELD, f"there is no plan '{slug}'")
    if programme.organization_id != organization_id:
        return FieldProblem(FIELD, f"'{slug}' is a plan of another organisation")
    if plan is not None and programme.id == plan.id:
        return FieldProblem(FIELD, "a plan cannot be its own programme")
    if plan is not None and programme.programme_id == plan.id:
        return FieldProblem(FIELD, f"'{slug}' belongs to this plan; choosing it would make a cycle")
    if programme.programme_id is not None:
        return FieldProblem(
            FIELD, f"'{slug}' itself belongs to a programme; a programme cannot be nested"
        )
    if plan is not None and plan.id is not None and has_members(session, plan.id):
        return FieldProblem(
            FIELD, "this plan is a programme (other plans belong to it); it cannot join one"
        )
    return None


def has_members(session: Session, plan_id: int) -> bool:
    return (
        session.exec(select(Plan.id).where(col(Plan.programme_id) == plan_id).limit(1)).first()
        is not None
    )


def find_programme(session: Session, slug: str) -> Plan | None:
    return session.exec(select(Plan).where(Plan.slug == slug)).first()


def resolve_programme(
    session: Session, *, plan: Plan | None, organization_id: int, slug: str | None
) -> tuple[int | None, FieldProblem | None]:
    """(the programme's id, None) for `slug`, (None, None) for no programme, or (None, why)."""
    if not slug:
        return None, None
    programme = find_programme(session, slug)
    problem = programme_problem(
        session, plan=plan, organization_id=organization_id, programme=programme, slug=slug
    )
    if problem is not None:
        return None, problem
    assert programme is not None
    return programme.id, None


def programme_slug(session: Session, plan: Plan) -> str | None:
    if plan.programme_id is None:
        return None
    return session.exec(select(Plan.slug).where(Plan.id == plan.programme_id)).first()


def programme_choices(session: Session, plan: Plan) -> list[Plan]:
    """The plans `plan` may choose as its programme: its organisation's live plans that belong
    to no programme, but itself (offered even when it has members, so the page can say why)."""
    return list(
        session.exec(
            select(Plan)
            .where(
                Plan.organization_id == plan.organization_id,
                col(Plan.id) != plan.id,
                col(Plan.programme_id).is_(None),
                is_live(Plan),
            )
            .order_by(Plan.title, Plan.id)
        )
    )


def member_count(session: Session, plan: Plan) -> int:
    """How many live plans belong to `plan` (a programme)."""
    return len(
        session.exec(select(Plan.id).where(col(Plan.programme_id) == plan.id, is_live(Plan))).all()
    )
